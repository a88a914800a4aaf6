import { compactVerify, createLocalJWKSet } from 'jose'
import { OAuth2Error, oauthError } from '../errors.js'
import type { MockRequest, MockResponse } from '../http/message.js'
import { redirectResponse } from '../http/message.js'
import { serializeCookie } from '../http/cookies.js'
import { withQuery } from '../http/url.js'
import { firstDisallowedAudience, wildcardScopeMatch } from '../scope.js'
import type { MockState } from '../state.js'
import type { StoredClient } from '../store/client-model.js'
import { authMethod, clientScopes } from '../store/client-model.js'
import type { Flow, Rejection } from '../store/flows.js'
import { ID_TOKEN_SET } from '../store/keys.js'
import { obfuscateSubject } from '../subject.js'
import { sha256Hex, uuid } from '../util/random.js'
import type { ParsedAuthorizeRequest } from './authorize-request.js'
import { AuthorizeError, parseAuthorizeRequest } from './authorize-request.js'

/** Name of the login session cookie (Hydra's name in `--dev` mode). */
export const SESSION_COOKIE = 'ory_hydra_session_dev'

function csrfCookieName(kind: 'login' | 'consent', clientId: string): string {
  return `ory_hydra_${kind}_csrf_dev_${sha256Hex(clientId).slice(0, 8)}`
}

function secure(state: MockState): boolean {
  return state.urls.public.startsWith('https:')
}

/**
 * Verifies an `id_token_hint`: signed by one of the mock's ID token keys, issued by this issuer.
 * Expiry is not checked (OpenID Connect allows expired hints). Returns the claims or `undefined`.
 */
export async function verifyIdTokenHint(
  state: MockState,
  hint: string,
): Promise<Record<string, unknown> | undefined> {
  try {
    const jwks = createLocalJWKSet(state.keys.publicKeys(ID_TOKEN_SET))
    const { payload } = await compactVerify(hint, jwks)
    const claims = JSON.parse(new TextDecoder().decode(payload)) as unknown
    if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) return undefined
    const c = claims as Record<string, unknown>
    if (c.iss !== state.urls.issuer || typeof c.sub !== 'string') return undefined
    return c
  } catch {
    return undefined
  }
}

/** The error a rejected login or consent sends to the client: description and hint joined, as fosite does. */
function rejectionError(r: Rejection): OAuth2Error {
  const description = [r.errorDescription, r.errorHint].filter((s) => s).join(' ')
  return new OAuth2Error(r.error, description, r.statusCode)
}

/**
 * `GET /oauth2/auth`: the authorization code flow with Hydra's login and consent redirects.
 * Without a verifier it starts a flow (login challenge); with `login_verifier` it finishes the login
 * step and starts consent; with `consent_verifier` it issues the code.
 */
export async function authorize(state: MockState, req: MockRequest): Promise<MockResponse> {
  const q = req.url.searchParams
  let parsed: ParsedAuthorizeRequest | undefined
  try {
    parsed = parseAuthorizeRequest(q, state.clients, state.options.pkce)
    const loginVerifier = q.get('login_verifier')
    const consentVerifier = q.get('consent_verifier')
    if (consentVerifier) return finishConsent(state, req, parsed, consentVerifier)
    if (loginVerifier) return finishLogin(state, req, parsed, loginVerifier)
    return await startLogin(state, req, parsed)
  } catch (e) {
    if (e instanceof AuthorizeError) return redirectResponse(e.location(state.urls.error))
    throw e
  }
}

async function startLogin(
  state: MockState,
  req: MockRequest,
  parsed: ParsedAuthorizeRequest,
): Promise<MockResponse> {
  const { client, params } = parsed
  const now = state.clock.nowMs()
  const fail = (code: 'login_required' | 'invalid_request', hint: string): AuthorizeError =>
    new AuthorizeError(oauthError(code, hint), params.redirectUri, params.state)

  let hintClaims: Record<string, unknown> | undefined
  if (parsed.idTokenHint !== undefined) {
    hintClaims = await verifyIdTokenHint(state, parsed.idTokenHint)
    if (!hintClaims) throw fail('invalid_request', 'Unable to validate the id_token_hint.')
  }
  const session = state.sessions.validLogin(req.cookies.get(SESSION_COOKIE), now)
  let skip = session !== undefined && !params.prompt.includes('login')
  if (skip && params.maxAge !== undefined && session!.authTime + params.maxAge * 1000 < now) skip = false
  if (skip && hintClaims) {
    const expected =
      obfuscateSubject(client.client, session!.subject, undefined, state.pairwiseSalt) ?? session!.subject
    if (hintClaims.sub !== expected) skip = false
  }
  if (params.prompt.includes('none') && !skip) {
    throw fail('login_required', "Prompt 'none' was requested, but no existing login session was found.")
  }

  const requestUrl = `${state.urls.public}${req.url.pathname}${req.url.search}`
  const flow = state.flows.create(
    {
      requestUrl,
      params: { ...params, idTokenHintClaims: hintClaims },
      requestedAt: now,
      loginSkip: skip,
      loginSubject: skip ? session!.subject : '',
      loginSessionId: skip ? session!.id : uuid(),
    },
    now,
  )
  const cookie = serializeCookie(csrfCookieName('login', client.client.client_id), flow.loginCsrf, {
    maxAge: state.options.ttl.loginConsentRequest,
    secure: secure(state),
  })
  return redirectResponse(withQuery(state.urls.login, { login_challenge: flow.loginChallenge }), [cookie])
}

function consentSkipAllowed(client: StoredClient, redirectUri: string): boolean {
  if (authMethod(client.client) !== 'none') return true
  try {
    const u = new URL(redirectUri)
    return u.protocol === 'https:' || ['127.0.0.1', '[::1]', 'localhost'].includes(u.hostname)
  } catch {
    return false
  }
}

function finishLogin(
  state: MockState,
  req: MockRequest,
  parsed: ParsedAuthorizeRequest,
  verifier: string,
): MockResponse {
  const { client, params } = parsed
  const now = state.clock.nowMs()
  const fail = (e: ReturnType<typeof oauthError>): AuthorizeError =>
    new AuthorizeError(e, params.redirectUri, params.state)
  const found = state.flows.verifier(verifier, 'login')
  if (!found || found.flow.params.clientId !== params.clientId) {
    throw fail(
      oauthError(
        'access_denied',
        'The login verifier has already been used, has not been granted, or is invalid.',
      ),
    )
  }
  const { flow, outcome } = found
  if (flow.loginUsed) throw fail(oauthError('access_denied', 'The login verifier has already been used.'))
  if (now > flow.requestedAt + state.options.ttl.loginConsentRequest * 1000) {
    throw fail(oauthError('request_unauthorized', 'The login request has expired, please try again.'))
  }
  const csrfName = csrfCookieName('login', client.client.client_id)
  if (req.cookies.get(csrfName) !== flow.loginCsrf) {
    throw fail(
      oauthError(
        'request_forbidden',
        'The CSRF value from the token does not match the CSRF value from the data store.',
      ),
    )
  }
  flow.loginUsed = true
  const cookies = [serializeCookie(csrfName, '', { maxAge: 0, secure: secure(state) })]
  if (outcome.type === 'reject') {
    return redirectResponse(fail(rejectionError(outcome.rejection)).location(state.urls.error), cookies)
  }
  if (outcome.type !== 'accept-login') throw fail(oauthError('access_denied'))
  const login = outcome.login

  let authTime = outcome.acceptedAt
  if (flow.loginSkip) {
    const existing = state.sessions.login(flow.loginSessionId)
    if (existing) {
      authTime = existing.authTime
      if (login.extendSessionLifespan && login.rememberFor > 0) {
        existing.expiresAt = now + login.rememberFor * 1000
        cookies.push(
          serializeCookie(SESSION_COOKIE, existing.id, { maxAge: login.rememberFor, secure: secure(state) }),
        )
      }
    }
  } else {
    state.sessions.putLogin({
      id: flow.loginSessionId,
      subject: login.subject,
      authTime,
      remembered: login.remember,
      expiresAt: login.remember && login.rememberFor > 0 ? now + login.rememberFor * 1000 : undefined,
      identityProviderSessionId: login.identityProviderSessionId,
    })
    if (login.remember) {
      cookies.push(
        serializeCookie(SESSION_COOKIE, flow.loginSessionId, {
          maxAge: login.rememberFor > 0 ? login.rememberFor : undefined,
          secure: secure(state),
        }),
      )
    } else if (req.cookies.has(SESSION_COOKIE)) {
      cookies.push(serializeCookie(SESSION_COOKIE, '', { maxAge: 0, secure: secure(state) }))
    }
  }
  flow.login = { ...login, authTime }

  const remembered =
    !params.prompt.includes('consent') && consentSkipAllowed(client, params.redirectUri)
      ? state.sessions.rememberedConsent(
          login.subject,
          client.client.client_id,
          params.scopes,
          params.audience,
          now,
        )
      : undefined
  if (params.prompt.includes('none') && !remembered) {
    throw new AuthorizeError(
      oauthError('consent_required', "Prompt 'none' was requested, but no previous consent was found."),
      params.redirectUri,
      params.state,
    )
  }
  state.flows.startConsent(flow, remembered !== undefined, now)
  cookies.push(
    serializeCookie(csrfCookieName('consent', client.client.client_id), flow.consentCsrf!, {
      maxAge: state.options.ttl.loginConsentRequest,
      secure: secure(state),
    }),
  )
  return redirectResponse(
    withQuery(state.urls.consent, { consent_challenge: flow.consentChallenge! }),
    cookies,
  )
}

function finishConsent(
  state: MockState,
  req: MockRequest,
  parsed: ParsedAuthorizeRequest,
  verifier: string,
): MockResponse {
  const { client, params } = parsed
  const now = state.clock.nowMs()
  const fail = (e: ReturnType<typeof oauthError>): AuthorizeError =>
    new AuthorizeError(e, params.redirectUri, params.state)
  const invalid = 'The consent verifier has already been used, has not been granted, or is invalid.'
  const found = state.flows.verifier(verifier, 'consent')
  if (!found || found.flow.params.clientId !== params.clientId)
    throw fail(oauthError('access_denied', invalid))
  const { flow, outcome } = found
  if (flow.consentUsed || !flow.login) throw fail(oauthError('access_denied', invalid))
  if (now > (flow.consentRequestedAt ?? 0) + state.options.ttl.loginConsentRequest * 1000) {
    throw fail(oauthError('request_unauthorized', 'The consent request has expired, please try again.'))
  }
  const csrfName = csrfCookieName('consent', client.client.client_id)
  if (req.cookies.get(csrfName) !== flow.consentCsrf) {
    throw fail(
      oauthError(
        'request_forbidden',
        'The CSRF value from the token does not match the CSRF value from the data store.',
      ),
    )
  }
  flow.consentUsed = true
  const cookies = [serializeCookie(csrfName, '', { maxAge: 0, secure: secure(state) })]
  if (outcome.type === 'reject') {
    return redirectResponse(fail(rejectionError(outcome.rejection)).location(state.urls.error), cookies)
  }
  if (outcome.type !== 'accept-consent') throw fail(oauthError('access_denied', invalid))
  const consent = outcome.consent
  const login = flow.login

  const allowed = clientScopes(client.client)
  for (const s of consent.grantScope) {
    if (!wildcardScopeMatch(allowed, s)) {
      throw fail(oauthError('invalid_scope', `The OAuth 2.0 Client is not allowed to request scope '${s}'.`))
    }
  }
  const badAudience = firstDisallowedAudience(client.client.audience ?? [], consent.grantAudience)
  if (badAudience !== undefined) {
    throw fail(
      oauthError(
        'invalid_request',
        `Requested audience '${badAudience}' has not been whitelisted by the OAuth 2.0 Client.`,
      ),
    )
  }

  let consentRequestId = flow.consentRequestId!
  if (flow.consentSkip) {
    const remembered = state.sessions.rememberedConsent(
      login.subject,
      client.client.client_id,
      params.scopes,
      params.audience,
      now,
    )
    if (remembered) consentRequestId = remembered.consentRequestId
  } else {
    state.sessions.addConsent({
      consentRequestId,
      subject: login.subject,
      clientId: client.client.client_id,
      loginSessionId: flow.loginSessionId,
      grantScope: [...consent.grantScope],
      grantAudience: [...consent.grantAudience],
      remember: consent.remember,
      rememberFor: consent.rememberFor,
      handledAt: outcome.acceptedAt,
      session: { access_token: consent.accessTokenSession, id_token: consent.idTokenSession },
      context: consent.context,
      consentRequest: consentRequestView(state, flow),
    })
  }

  const grant = state.tokens.createGrant({
    clientId: client.client.client_id,
    subject: login.subject,
    obfuscatedSubject: obfuscateSubject(
      client.client,
      login.subject,
      login.forceSubjectIdentifier,
      state.pairwiseSalt,
    ),
    scopes: [...consent.grantScope],
    audience: [...consent.grantAudience],
    ext: structuredClone(consent.accessTokenSession),
    idTokenClaims: structuredClone(consent.idTokenSession),
    authTime: Math.floor(login.authTime / 1000),
    requestedAt: Math.floor(flow.requestedAt / 1000),
    acr: login.acr,
    amr: login.amr,
    sid: flow.loginSessionId,
    nonce: params.nonce,
    consentRequestId,
    strategy: clientStrategy(state, client),
  })
  const code = state.tokens.issueCode(grant, {
    redirectUri: params.redirectUriGiven ? params.redirectUri : undefined,
    codeChallenge: params.codeChallenge,
    codeChallengeMethod: params.codeChallengeMethod,
  })
  const location = withQuery(params.redirectUri, {
    code,
    scope: consent.grantScope.join(' '),
    state: params.state,
  })
  return redirectResponse(location, cookies)
}

/** The access token strategy for a client: its `access_token_strategy`, else the server's. */
export function clientStrategy(state: MockState, client: StoredClient): 'opaque' | 'jwt' {
  const s = client.client.access_token_strategy
  return s === 'jwt' || s === 'opaque' ? s : state.options.accessTokenStrategy
}

/** Hydra's `oAuth2ConsentRequest` for a flow at its consent step. */
export function consentRequestView(state: MockState, flow: Flow): Record<string, unknown> {
  const client = state.clients.get(flow.params.clientId)
  const login = flow.login
  const view: Record<string, unknown> = {
    challenge: flow.consentChallenge,
    consent_request_id: flow.consentRequestId,
    requested_scope: [...flow.params.scopes],
    requested_access_token_audience: [...flow.params.audience],
    skip: flow.consentSkip ?? false,
    subject: login?.subject ?? '',
    oidc_context: oidcContext(flow),
    client: client ? structuredClone(client.client) : { client_id: flow.params.clientId },
    request_url: flow.requestUrl,
    login_challenge: flow.loginChallenge,
    login_session_id: flow.loginSessionId,
    acr: login?.acr ?? '',
    amr: login?.amr ? [...login.amr] : [],
  }
  if (login?.context !== undefined) view.context = structuredClone(login.context)
  return view
}

/** Hydra's `oidc_context` (only the fields that were present in the request). */
export function oidcContext(flow: Flow): Record<string, unknown> {
  const p = flow.params
  const ctx: Record<string, unknown> = {}
  if (p.acrValues.length > 0) ctx.acr_values = [...p.acrValues]
  if (p.display) ctx.display = p.display
  if (p.idTokenHintClaims) ctx.id_token_hint_claims = structuredClone(p.idTokenHintClaims)
  if (p.loginHint) ctx.login_hint = p.loginHint
  if (p.uiLocales.length > 0) ctx.ui_locales = [...p.uiLocales]
  return ctx
}
