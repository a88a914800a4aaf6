import { createHash } from 'node:crypto'
import { decodeJwt } from 'jose'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  createLoginConsentHandler,
  type ClaimsInput,
  type LoginConsentHandler,
} from '../../src/flows/index.js'
import {
  AppBrowser,
  HydraBrowser,
  REDIRECT_URI,
  challengeIn,
  exchangeCode,
  flowOptions,
  locationOf,
  loginThrough,
  pageOf,
  pkce,
  startEnv,
  type AuthorizeParams,
  type Env,
} from './helpers/harness.js'
import { consentRequest, startRecordingHydra } from './helpers/recording-hydra.js'

let env: Env
beforeAll(async () => {
  env = await startEnv()
})
afterAll(async () => {
  await env.close()
})
afterEach(async () => {
  env.hydra.resetCalls()
  // Remembered consents of one test must not skip the page in the next.
  await env.admin.revokeOAuth2ConsentSessions({ subject: 'user-alice', all: true })
})

/** Runs login through the handler and returns the consent page (or the redirect when skipped). */
async function toConsent(handler: LoginConsentHandler, p: AuthorizeParams & { remember?: boolean } = {}) {
  const app = new AppBrowser(handler)
  const browser = new HydraBrowser()
  const { verifier } = pkce()
  const location = await loginThrough(env, app, browser, { codeVerifier: verifier, ...p })
  const challenge = challengeIn(location, 'consent')
  return { app, browser, verifier, challenge, result: await app.get('consent', challenge) }
}

function tokenOf(result: Awaited<ReturnType<typeof toConsent>>['result']): string {
  const page = pageOf(result)
  if (page.data.page !== 'consent') throw new Error('consent page expected')
  return page.data.csrfToken
}

describe('consent GET', () => {
  it('renders every requested scope and audience ticked, with the client and the subject', async () => {
    const handler = createLoginConsentHandler(
      flowOptions(env, { consent: { scopeDescriptions: { read: 'Read your items' } } }),
    )
    const { result } = await toConsent(handler, {
      scope: 'openid read write',
      audience: 'https://api.example.com',
    })
    const page = pageOf(result)
    expect(page.status).toBe(200)
    if (page.data.page !== 'consent') throw new Error('consent page expected')
    expect(page.data.subject).toBe('user-alice')
    expect(page.data.client).toMatchObject({ name: 'Test App', clientUri: 'https://client.example.com/' })
    expect(page.data.scopes).toEqual([
      { value: 'openid', label: 'openid', checked: true },
      { value: 'read', label: 'Read your items', checked: true },
      { value: 'write', label: 'write', checked: true },
    ])
    expect(page.data.audiences).toEqual([
      { value: 'https://api.example.com', label: 'https://api.example.com', checked: true },
    ])
    const html = (await handler.respond(result)).body
    expect(html).toContain('name="grant_scope" value="write" checked')
    // The scope's own name sits next to its description; a scope without one shows its name.
    expect(html).toContain('<label for="scope-1">Read your items <code>read</code></label>')
    expect(html).toContain('<label for="scope-2"><code>write</code></label>')
  })
})

describe('consent POST', () => {
  it('grants only the scopes the user ticked (the token says so)', async () => {
    const handler = createLoginConsentHandler(flowOptions(env))
    const { app, browser, verifier, challenge, result } = await toConsent(handler, {
      scope: 'openid read write',
    })
    const granted = await app.post('consent', {
      challenge,
      csrf_token: tokenOf(result),
      grant_scope: ['openid', 'read'],
    })
    expect(granted.type === 'redirect' && granted.status).toBe(303)
    const callback = await browser.follow(locationOf(granted))
    expect(callback.startsWith(REDIRECT_URI)).toBe(true)
    const tokens = await exchangeCode(env, callback, verifier)
    expect(tokens.scope?.split(' ').sort()).toEqual(['openid', 'read'])
    const info = await env.admin.introspectOAuth2Token(tokens.access_token)
    expect(info.scope?.split(' ').sort()).toEqual(['openid', 'read'])
  })

  it('a forged form cannot grant scopes or audiences that were not requested', async () => {
    const handler = createLoginConsentHandler(flowOptions(env))
    const { app, browser, verifier, challenge, result } = await toConsent(handler, {
      scope: 'openid read',
      audience: 'https://api.example.com',
    })
    const granted = await app.post('consent', {
      challenge,
      csrf_token: tokenOf(result),
      // 'write' and 'admin' are allowed for the client but were not requested; the second audience too.
      grant_scope: ['openid', 'read', 'write', 'admin', 'read'],
      grant_audience: ['https://api.example.com', 'https://other.example.com'],
    })
    const tokens = await exchangeCode(env, await browser.follow(locationOf(granted)), verifier)
    const info = await env.admin.introspectOAuth2Token(tokens.access_token)
    expect(info.scope?.split(' ').sort()).toEqual(['openid', 'read'])
    expect(info.aud).toEqual(['https://api.example.com'])
  })

  it('deny rejects with access_denied; the client gets the error', async () => {
    const handler = createLoginConsentHandler(flowOptions(env))
    const { app, browser, challenge, result } = await toConsent(handler)
    const denied = await app.post('consent', { challenge, csrf_token: tokenOf(result), action: 'deny' })
    const callback = await browser.follow(locationOf(denied))
    expect(new URL(callback).searchParams.get('error')).toBe('access_denied')
    expect(env.hydra.calls.acceptOAuth2ConsentRequest).toBe(0)
  })

  it('refuses a POST with a missing or foreign CSRF token (403) without touching Hydra', async () => {
    const handler = createLoginConsentHandler(flowOptions(env))
    const { app, challenge, result } = await toConsent(handler)
    env.hydra.resetCalls()
    expect(pageOf(await app.post('consent', { challenge, grant_scope: 'openid' })).status).toBe(403)
    const stranger = new AppBrowser(handler)
    const page = pageOf(
      await stranger.post('consent', { challenge, csrf_token: tokenOf(result), grant_scope: 'openid' }),
    )
    expect(page.status).toBe(403)
    expect(page.data).toMatchObject({ error: 'csrf' })
    expect(env.hydra.calls.getOAuth2ConsentRequest + env.hydra.calls.acceptOAuth2ConsentRequest).toBe(0)
  })

  it('claims hook: email in the ID token only when email was granted; access token claims in ext', async () => {
    const claims = vi.fn(({ grantedScopes }: ClaimsInput) => ({
      idToken: grantedScopes.includes('email') ? { email: 'alice@example.com' } : {},
      accessToken: { role: 'reader' },
    }))
    const handler = createLoginConsentHandler(flowOptions(env, { claims }))
    for (const withEmail of [true, false]) {
      const { app, browser, verifier, challenge, result } = await toConsent(handler, {
        scope: 'openid email read',
      })
      const grant = withEmail ? ['openid', 'email'] : ['openid']
      const granted = await app.post('consent', {
        challenge,
        csrf_token: tokenOf(result),
        grant_scope: grant,
      })
      const tokens = await exchangeCode(env, await browser.follow(locationOf(granted)), verifier)
      const idToken = decodeJwt(tokens.id_token!)
      if (withEmail) expect(idToken.email).toBe('alice@example.com')
      else expect(idToken.email).toBeUndefined()
      const info = await env.admin.introspectOAuth2Token(tokens.access_token)
      expect(info.ext).toEqual({ role: 'reader' })
    }
    expect(claims).toHaveBeenCalledTimes(2)
    expect(claims.mock.calls[0]![0]).toMatchObject({
      subject: 'user-alice',
      grantedScopes: ['openid', 'email'],
    })
    expect(claims.mock.calls[1]![0].grantedScopes).toEqual(['openid'])
  })
})

describe('consent skip and remember', () => {
  it('a remembered consent is skipped (accepted at once with what was requested)', async () => {
    const handler = createLoginConsentHandler(flowOptions(env))
    const first = await toConsent(handler, { remember: true, scope: 'openid read' })
    const granted = await first.app.post('consent', {
      challenge: first.challenge,
      csrf_token: tokenOf(first.result),
      grant_scope: ['openid', 'read'],
      remember: '1',
    })
    await first.browser.follow(locationOf(granted))
    // Same browser (Hydra session cookie) and same app cookies: login and consent are both skipped.
    const { verifier } = pkce()
    const app = first.app
    const challenge = challengeIn(
      await first.browser.follow(
        locationOf(
          await app.get(
            'login',
            challengeIn(
              await first.browser.follow(authorizeUrl({ scope: 'openid read', codeVerifier: verifier })),
              'login',
            ),
          ),
        ),
      ),
      'consent',
    )
    const skipped = await app.get('consent', challenge)
    expect(skipped.type === 'redirect' && skipped.status).toBe(302)
    const tokens = await exchangeCode(env, await first.browser.follow(locationOf(skipped)), verifier)
    expect(tokens.scope?.split(' ').sort()).toEqual(['openid', 'read'])
  })

  it('without "remember" the consent page is shown again', async () => {
    const handler = createLoginConsentHandler(flowOptions(env))
    const first = await toConsent(handler, { remember: true, scope: 'openid read' })
    const granted = await first.app.post('consent', {
      challenge: first.challenge,
      csrf_token: tokenOf(first.result),
      grant_scope: ['openid', 'read'],
    })
    await first.browser.follow(locationOf(granted))
    const loginChallenge = challengeIn(
      await first.browser.follow(authorizeUrl({ scope: 'openid read' })),
      'login',
    )
    const toConsentUrl = await first.browser.follow(locationOf(await first.app.get('login', loginChallenge)))
    expect(pageOf(await first.app.get('consent', challengeIn(toConsentUrl, 'consent'))).data.page).toBe(
      'consent',
    )
  })

  it('first-party clients (skip_consent) skip the page only when the app opts in', async () => {
    const firstParty = env.hydra.createClient({
      client_name: 'First Party',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      scope: 'openid read',
      redirect_uris: [REDIRECT_URI],
      skip_consent: true,
    })
    for (const skipFirstParty of [false, true]) {
      const handler = createLoginConsentHandler(flowOptions(env, { consent: { skipFirstParty } }))
      const { result } = await toConsent(handler, { clientId: firstParty.client_id, scope: 'openid read' })
      expect(result.type).toBe(skipFirstParty ? 'redirect' : 'render')
    }
  })

  it('sends remember/remember_for and session to Hydra; skip grants what was requested', async () => {
    const rec = await startRecordingHydra()
    try {
      const handler = rec.handler({
        consent: { rememberFor: 0 },
        claims: ({ grantedScopes }) => ({ idToken: { scopes: grantedScopes.length } }),
      })
      const app = new AppBrowser(handler)
      const token = (pageOf(await app.get('consent', 'ch1')).data as { csrfToken: string }).csrfToken
      rec.server.requests.length = 0
      await app.post('consent', {
        challenge: 'ch1',
        csrf_token: token,
        grant_scope: ['email'],
        remember: '1',
      })
      await app.post('consent', { challenge: 'ch1', csrf_token: token, grant_scope: [] })
      rec.server.queue({ body: consentRequest({ skip: true }) })
      await app.get('consent', 'ch1')
      const bodies = rec.puts().map((p) => p.body)
      expect(bodies).toEqual([
        {
          grant_scope: ['email'],
          grant_access_token_audience: [],
          remember: true,
          remember_for: 0,
          session: { id_token: { scopes: 1 } },
        },
        {
          grant_scope: [],
          grant_access_token_audience: [],
          remember: false,
          session: { id_token: { scopes: 0 } },
        },
        {
          grant_scope: ['openid', 'email', 'read'],
          grant_access_token_audience: ['https://api.example.com'],
          session: { id_token: { scopes: 3 } },
        },
      ])
    } finally {
      await rec.close()
    }
  })
})

function authorizeUrl(p: AuthorizeParams): string {
  const u = new URL(`${env.hydra.publicUrl}/oauth2/auth`)
  u.searchParams.set('response_type', 'code')
  u.searchParams.set('client_id', env.client.client_id)
  u.searchParams.set('redirect_uri', REDIRECT_URI)
  u.searchParams.set('scope', p.scope ?? 'openid')
  u.searchParams.set('state', 'state-123456789')
  const verifier = p.codeVerifier ?? pkce().verifier
  u.searchParams.set('code_challenge', pkceChallenge(verifier))
  u.searchParams.set('code_challenge_method', 'S256')
  return u.href
}

function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url')
}
