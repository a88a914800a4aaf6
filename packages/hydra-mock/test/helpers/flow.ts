import type { MockHydra, OAuth2Client } from '../../src/index.js'
import { admin, pkcePair, postForm, basic } from './browser.js'
import type { Json } from './browser.js'
import type { TestBrowser } from './browser.js'

export const REDIRECT = 'http://127.0.0.1:5555/callback'
export const LOGIN = 'http://127.0.0.1:5556/login'
export const CONSENT = 'http://127.0.0.1:5556/consent'
export const LOGOUT = 'http://127.0.0.1:5556/logout'

/** A confidential client that can use every grant the mock supports. */
export function webClient(hydra: MockHydra, extra: OAuth2Client = {}): OAuth2Client & { client_id: string } {
  return hydra.createClient({
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
    response_types: ['code'],
    scope: 'openid offline_access offline read write photos.*',
    redirect_uris: [REDIRECT],
    post_logout_redirect_uris: ['http://127.0.0.1:5555/bye'],
    audience: ['https://api.example.com'],
    ...extra,
  })
}

/** Query parameters of a URL. */
export function query(url: string): URLSearchParams {
  return new URL(url).searchParams
}

export interface AuthUrlOptions {
  scope?: string
  state?: string
  challenge?: string
  nonce?: string
  prompt?: string
  audience?: string
  extra?: Record<string, string>
}

/** Builds `/oauth2/auth?...` for `client`. */
export function authUrl(hydra: MockHydra, clientId: string, o: AuthUrlOptions = {}): string {
  const u = new URL(`${hydra.publicUrl}/oauth2/auth`)
  u.searchParams.set('response_type', 'code')
  u.searchParams.set('client_id', clientId)
  u.searchParams.set('redirect_uri', REDIRECT)
  u.searchParams.set('scope', o.scope ?? 'openid offline read')
  u.searchParams.set('state', o.state ?? 'state-12345678')
  if (o.challenge) {
    u.searchParams.set('code_challenge', o.challenge)
    u.searchParams.set('code_challenge_method', 'S256')
  }
  if (o.nonce) u.searchParams.set('nonce', o.nonce)
  if (o.prompt) u.searchParams.set('prompt', o.prompt)
  if (o.audience) u.searchParams.set('audience', o.audience)
  for (const [k, v] of Object.entries(o.extra ?? {})) u.searchParams.set(k, v)
  return u.toString()
}

export interface FlowResult {
  /** Final redirect to the client. */
  location: string
  code: string | null
  verifier: string
  loginChallenge: string
  consentChallenge: string
  loginRequest: Json
  consentRequest: Json
}

/**
 * Drives a whole authorization code + PKCE flow through the public and admin APIs, following
 * each redirect by hand.
 */
export async function runFlow(
  hydra: MockHydra,
  browser: TestBrowser,
  clientId: string,
  o: AuthUrlOptions & {
    login?: Record<string, unknown>
    consent?: (req: Json) => Record<string, unknown>
  } = {},
): Promise<FlowResult> {
  const { verifier, challenge } = pkcePair()
  const toLogin = await browser.redirect(authUrl(hydra, clientId, { challenge, ...o }))
  const loginChallenge = query(toLogin).get('login_challenge')!
  const loginRequest = (
    await admin(hydra.adminUrl, 'GET', `/admin/oauth2/auth/requests/login?login_challenge=${loginChallenge}`)
  ).body
  const accepted = await admin(
    hydra.adminUrl,
    'PUT',
    `/admin/oauth2/auth/requests/login/accept?login_challenge=${loginChallenge}`,
    o.login ?? { subject: 'alice' },
  )
  const toConsent = await browser.redirect(accepted.body.redirect_to)
  const consentChallenge = query(toConsent).get('consent_challenge')!
  const consentRequest = (
    await admin(
      hydra.adminUrl,
      'GET',
      `/admin/oauth2/auth/requests/consent?consent_challenge=${consentChallenge}`,
    )
  ).body
  const consentBody = o.consent
    ? o.consent(consentRequest)
    : {
        grant_scope: consentRequest.requested_scope,
        grant_access_token_audience: consentRequest.requested_access_token_audience,
      }
  const acceptedConsent = await admin(
    hydra.adminUrl,
    'PUT',
    `/admin/oauth2/auth/requests/consent/accept?consent_challenge=${consentChallenge}`,
    consentBody,
  )
  const location = await browser.redirect(acceptedConsent.body.redirect_to)
  return {
    location,
    code: query(location).get('code'),
    verifier,
    loginChallenge,
    consentChallenge,
    loginRequest,
    consentRequest,
  }
}

/** Exchanges a code at the token endpoint with client_secret_basic. */
export function exchange(
  hydra: MockHydra,
  client: { client_id: string; client_secret?: string },
  code: string,
  verifier: string,
) {
  return postForm(
    `${hydra.publicUrl}/oauth2/token`,
    { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier },
    basic(client.client_id, client.client_secret!),
  )
}
