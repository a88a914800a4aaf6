import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMockHydra } from '../../src/index.js'
import type { MockHydra } from '../../src/index.js'
import { admin, pkcePair, postForm, TestBrowser } from '../helpers/browser.js'
import { authUrl, CONSENT, exchange, LOGIN, query, REDIRECT, runFlow, webClient } from '../helpers/flow.js'

let hydra: MockHydra
let client: ReturnType<typeof webClient>

beforeAll(async () => {
  hydra = await createMockHydra({ loginUrl: LOGIN, consentUrl: CONSENT })
  client = webClient(hydra)
})
afterAll(() => hydra.close())

const loginPath = (c: string) => `/admin/oauth2/auth/requests/login?login_challenge=${c}`
const consentPath = (c: string) => `/admin/oauth2/auth/requests/consent?consent_challenge=${c}`

describe('authorization code flow with PKCE', () => {
  it('goes login → consent → client and the code buys tokens', async () => {
    const browser = new TestBrowser()
    const { verifier, challenge } = pkcePair()
    const toLogin = await browser.redirect(
      authUrl(hydra, client.client_id, { challenge, scope: 'openid offline read', nonce: 'nonce-abcdefgh' }),
    )
    expect(toLogin.startsWith(`${LOGIN}?login_challenge=`)).toBe(true)
    const loginChallenge = query(toLogin).get('login_challenge')!

    const login = await admin(hydra.adminUrl, 'GET', loginPath(loginChallenge))
    expect(login.status).toBe(200)
    expect(login.body).toMatchObject({
      challenge: loginChallenge,
      skip: false,
      subject: '',
      requested_scope: ['openid', 'offline', 'read'],
      requested_access_token_audience: [],
      client: { client_id: client.client_id },
    })
    expect(login.body.client.client_secret).toBeUndefined()
    expect(login.body.request_url).toMatch(new RegExp(`^${hydra.publicUrl}/oauth2/auth\\?`))
    expect(typeof login.body.session_id).toBe('string')

    const accepted = await admin(
      hydra.adminUrl,
      'PUT',
      loginPath(loginChallenge).replace('login?', 'login/accept?'),
      {
        subject: 'alice',
        acr: '1',
        amr: ['pwd'],
        context: { theme: 'dark' },
      },
    )
    expect(accepted.status).toBe(200)
    expect(accepted.body.redirect_to).toContain('login_verifier=')

    const toConsent = await browser.redirect(accepted.body.redirect_to)
    expect(toConsent.startsWith(`${CONSENT}?consent_challenge=`)).toBe(true)
    const consentChallenge = query(toConsent).get('consent_challenge')!
    const consent = await admin(hydra.adminUrl, 'GET', consentPath(consentChallenge))
    expect(consent.status).toBe(200)
    expect(consent.body).toMatchObject({
      challenge: consentChallenge,
      skip: false,
      subject: 'alice',
      acr: '1',
      amr: ['pwd'],
      context: { theme: 'dark' },
      login_challenge: loginChallenge,
      login_session_id: login.body.session_id,
      requested_scope: ['openid', 'offline', 'read'],
    })
    expect(typeof consent.body.consent_request_id).toBe('string')

    const acceptedConsent = await admin(
      hydra.adminUrl,
      'PUT',
      consentPath(consentChallenge).replace('consent?', 'consent/accept?'),
      {
        grant_scope: ['openid', 'offline', 'read'],
        session: { access_token: { tenant: 'acme' }, id_token: { email: 'alice@example.com' } },
      },
    )
    expect(acceptedConsent.status).toBe(200)
    const back = await browser.redirect(acceptedConsent.body.redirect_to)
    expect(back.startsWith(`${REDIRECT}?`)).toBe(true)
    const q = query(back)
    expect(q.get('state')).toBe('state-12345678')
    expect(q.get('scope')).toBe('openid offline read')
    expect(q.get('code')).toMatch(/^ory_ac_/)

    const tokens = await exchange(hydra, client, q.get('code')!, verifier)
    expect(tokens.status).toBe(200)
    expect(tokens.headers.get('cache-control')).toBe('no-store')
    expect(tokens.body).toMatchObject({
      token_type: 'bearer',
      scope: 'openid offline read',
      expires_in: 3600,
    })
    expect(tokens.body.access_token).toMatch(/^ory_at_/)
    expect(tokens.body.refresh_token).toMatch(/^ory_rt_/)
    expect(tokens.body.id_token.split('.')).toHaveLength(3)

    const info = await postForm(`${hydra.adminUrl}/admin/oauth2/introspect`, {
      token: tokens.body.access_token,
    })
    expect(info.body).toMatchObject({
      active: true,
      sub: 'alice',
      ext: { tenant: 'acme' },
      scope: 'openid offline read',
    })
  })

  it('grants only what the consent app granted (scopes and audience)', async () => {
    const browser = new TestBrowser()
    const flow = await runFlow(hydra, browser, client.client_id, {
      scope: 'openid read write',
      audience: 'https://api.example.com/orders',
      consent: () => ({
        grant_scope: ['read'],
        grant_access_token_audience: ['https://api.example.com/orders'],
      }),
    })
    expect(flow.consentRequest.requested_access_token_audience).toEqual(['https://api.example.com/orders'])
    expect(query(flow.location).get('scope')).toBe('read')
    const tokens = await exchange(hydra, client, flow.code!, flow.verifier)
    expect(tokens.body.scope).toBe('read')
    expect(tokens.body.id_token).toBeUndefined()
    expect(tokens.body.refresh_token).toBeUndefined()
    const info = await postForm(`${hydra.adminUrl}/admin/oauth2/introspect`, {
      token: tokens.body.access_token,
    })
    expect(info.body.aud).toEqual(['https://api.example.com/orders'])
  })

  it('refuses a consent that grants scopes the client may not have', async () => {
    const flow = await runFlow(hydra, new TestBrowser(), client.client_id, {
      consent: () => ({ grant_scope: ['admin'] }),
    })
    const q = query(flow.location)
    expect(flow.location.startsWith(REDIRECT)).toBe(true)
    expect(q.get('code')).toBeNull()
    expect(q.get('error')).toBe('invalid_scope')
  })
})

describe('remembered login and consent', () => {
  it('skips login for a remembered session (same subject, same session id)', async () => {
    const browser = new TestBrowser()
    const first = await runFlow(hydra, browser, client.client_id, {
      login: { subject: 'bob', remember: true, remember_for: 3600 },
    })
    expect(first.code).not.toBeNull()
    expect([...browser.cookies(hydra.publicUrl).keys()]).toContain('ory_hydra_session_dev')

    const toLogin = await browser.redirect(
      authUrl(hydra, client.client_id, { challenge: pkcePair().challenge }),
    )
    const login = await admin(hydra.adminUrl, 'GET', loginPath(query(toLogin).get('login_challenge')!))
    expect(login.body).toMatchObject({
      skip: true,
      subject: 'bob',
      session_id: first.loginRequest.session_id,
    })
  })

  it('does not skip without remember, with prompt=login, or after max_age', async () => {
    const browser = new TestBrowser()
    await runFlow(hydra, browser, client.client_id, { login: { subject: 'carol' } })
    let toLogin = await browser.redirect(
      authUrl(hydra, client.client_id, { challenge: pkcePair().challenge }),
    )
    let login = await admin(hydra.adminUrl, 'GET', loginPath(query(toLogin).get('login_challenge')!))
    expect(login.body).toMatchObject({ skip: false, subject: '' })

    await runFlow(hydra, browser, client.client_id, { login: { subject: 'carol', remember: true } })
    toLogin = await browser.redirect(
      authUrl(hydra, client.client_id, { challenge: pkcePair().challenge, prompt: 'login' }),
    )
    login = await admin(hydra.adminUrl, 'GET', loginPath(query(toLogin).get('login_challenge')!))
    expect(login.body.skip).toBe(false)

    hydra.advanceTime(120)
    try {
      toLogin = await browser.redirect(
        authUrl(hydra, client.client_id, { challenge: pkcePair().challenge, extra: { max_age: '60' } }),
      )
      login = await admin(hydra.adminUrl, 'GET', loginPath(query(toLogin).get('login_challenge')!))
      expect(login.body.skip).toBe(false)
    } finally {
      hydra.resetTime()
    }
  })

  it('a skipped login accepted with another subject is sent back with prompt=login', async () => {
    const browser = new TestBrowser()
    await runFlow(hydra, browser, client.client_id, { login: { subject: 'dave', remember: true } })
    const toLogin = await browser.redirect(
      authUrl(hydra, client.client_id, { challenge: pkcePair().challenge }),
    )
    const c = query(toLogin).get('login_challenge')!
    const res = await admin(
      hydra.adminUrl,
      'PUT',
      `/admin/oauth2/auth/requests/login/accept?login_challenge=${c}`,
      {
        subject: 'mallory',
      },
    )
    expect(res.status).toBe(200)
    expect(query(res.body.redirect_to).get('prompt')).toBe('login')
    expect(res.body.redirect_to).not.toContain('login_verifier')
  })

  it('prompt=none without a session goes back to the client with login_required', async () => {
    const location = await new TestBrowser().redirect(
      authUrl(hydra, client.client_id, { challenge: pkcePair().challenge, prompt: 'none' }),
    )
    expect(location.startsWith(REDIRECT)).toBe(true)
    expect(query(location).get('error')).toBe('login_required')
    expect(query(location).get('state')).toBe('state-12345678')
  })

  it('skips consent when a remembered consent covers the request, not when more is asked', async () => {
    const browser = new TestBrowser()
    await runFlow(hydra, browser, client.client_id, {
      scope: 'openid read',
      login: { subject: 'erin', remember: true },
      consent: (r) => ({ grant_scope: r.requested_scope, remember: true, remember_for: 0 }),
    })
    const again = await runFlow(hydra, browser, client.client_id, {
      scope: 'read',
      login: { subject: 'erin' },
    })
    expect(again.loginRequest.skip).toBe(true)
    expect(again.consentRequest.skip).toBe(true)
    expect(again.code).not.toBeNull()

    const more = await runFlow(hydra, browser, client.client_id, {
      scope: 'read write',
      login: { subject: 'erin' },
    })
    expect(more.consentRequest.skip).toBe(false)
    const forced = await runFlow(hydra, browser, client.client_id, {
      scope: 'read',
      prompt: 'consent',
      login: { subject: 'erin' },
    })
    expect(forced.consentRequest.skip).toBe(false)
  })

  it('prompt=none with a session but no remembered consent gives consent_required', async () => {
    const browser = new TestBrowser()
    await runFlow(hydra, browser, client.client_id, { login: { subject: 'frank', remember: true } })
    const toLogin = await browser.redirect(
      authUrl(hydra, client.client_id, { challenge: pkcePair().challenge, prompt: 'none' }),
    )
    const c = query(toLogin).get('login_challenge')!
    const accepted = await admin(
      hydra.adminUrl,
      'PUT',
      `/admin/oauth2/auth/requests/login/accept?login_challenge=${c}`,
      {
        subject: 'frank',
      },
    )
    const location = await browser.redirect(accepted.body.redirect_to)
    expect(location.startsWith(REDIRECT)).toBe(true)
    expect(query(location).get('error')).toBe('consent_required')
  })
})

describe('reject paths', () => {
  it('a rejected login goes back to the client with the given error', async () => {
    const browser = new TestBrowser()
    const toLogin = await browser.redirect(
      authUrl(hydra, client.client_id, { challenge: pkcePair().challenge }),
    )
    const c = query(toLogin).get('login_challenge')!
    const rejected = await admin(
      hydra.adminUrl,
      'PUT',
      `/admin/oauth2/auth/requests/login/reject?login_challenge=${c}`,
      {
        error: 'access_denied',
        error_description: 'The user cancelled.',
        error_hint: 'Try again later.',
      },
    )
    expect(rejected.status).toBe(200)
    const location = await browser.redirect(rejected.body.redirect_to)
    const q = query(location)
    expect(location.startsWith(REDIRECT)).toBe(true)
    expect(q.get('error')).toBe('access_denied')
    expect(q.get('error_description')).toBe('The user cancelled. Try again later.')
    expect(q.get('state')).toBe('state-12345678')
    expect(q.get('code')).toBeNull()
  })

  it('a rejected consent defaults to request_denied', async () => {
    const browser = new TestBrowser()
    const toLogin = await browser.redirect(
      authUrl(hydra, client.client_id, { challenge: pkcePair().challenge }),
    )
    const c = query(toLogin).get('login_challenge')!
    const accepted = await admin(
      hydra.adminUrl,
      'PUT',
      `/admin/oauth2/auth/requests/login/accept?login_challenge=${c}`,
      {
        subject: 'gina',
      },
    )
    const toConsent = await browser.redirect(accepted.body.redirect_to)
    const cc = query(toConsent).get('consent_challenge')!
    const rejected = await admin(
      hydra.adminUrl,
      'PUT',
      `/admin/oauth2/auth/requests/consent/reject?consent_challenge=${cc}`,
      {},
    )
    const location = await browser.redirect(rejected.body.redirect_to)
    expect(query(location).get('error')).toBe('request_denied')
    expect(query(location).get('code')).toBeNull()
  })
})

describe('guards', () => {
  it('a verifier works once: replaying an accepted challenge is refused at /oauth2/auth', async () => {
    const browser = new TestBrowser()
    const flow = await runFlow(hydra, browser, client.client_id)
    expect(flow.code).not.toBeNull()
    // v26 semantics: the challenge still decodes and can be accepted again...
    const again = await admin(
      hydra.adminUrl,
      'PUT',
      `/admin/oauth2/auth/requests/login/accept?login_challenge=${flow.loginChallenge}`,
      { subject: 'alice' },
    )
    expect(again.status).toBe(200)
    // ...but the new verifier is refused.
    const location = await browser.redirect(again.body.redirect_to)
    expect(query(location).get('error')).toBe('access_denied')
    expect(query(location).get('error_description')).toContain('The login verifier has already been used.')
  })

  it('a verifier only works in the browser that started the flow (CSRF cookie)', async () => {
    const victim = new TestBrowser()
    const toLogin = await victim.redirect(
      authUrl(hydra, client.client_id, { challenge: pkcePair().challenge }),
    )
    const c = query(toLogin).get('login_challenge')!
    const accepted = await admin(
      hydra.adminUrl,
      'PUT',
      `/admin/oauth2/auth/requests/login/accept?login_challenge=${c}`,
      {
        subject: 'alice',
      },
    )
    const attacker = new TestBrowser()
    const location = await attacker.redirect(accepted.body.redirect_to)
    expect(query(location).get('error')).toBe('request_forbidden')
    expect(query(location).get('consent_challenge')).toBeNull()
  })

  it('redirect_uri must match exactly; mismatches go to the error page, never to the given URI', async () => {
    const browser = new TestBrowser()
    for (const bad of [
      `${REDIRECT}/`,
      `${REDIRECT}x`,
      'http://127.0.0.1:5555/other',
      'https://evil.example/callback',
    ]) {
      const location = await browser.redirect(
        authUrl(hydra, client.client_id, { challenge: pkcePair().challenge, extra: { redirect_uri: bad } }),
      )
      expect(location.startsWith(`${hydra.publicUrl}/oauth2/fallbacks/error?`)).toBe(true)
      expect(query(location).get('error')).toBe('invalid_request')
    }
    const page = await browser.request(
      `${hydra.publicUrl}/oauth2/fallbacks/error?error=x&error_description=%3Cscript%3E`,
    )
    const html = await page.text()
    expect(html).toContain('NOT FOR PRODUCTION')
    expect(html).toContain('&lt;script&gt;')
    expect(html).not.toContain('<script>')
  })

  it('loopback IP redirect URIs may change the port (RFC 8252), localhost may not', async () => {
    const native = hydra.createClient({
      token_endpoint_auth_method: 'none',
      redirect_uris: ['http://127.0.0.1/cb', 'http://localhost/cb'],
    })
    const ok = await new TestBrowser().redirect(
      authUrl(hydra, native.client_id, {
        challenge: pkcePair().challenge,
        scope: 'openid',
        extra: { redirect_uri: 'http://127.0.0.1:61234/cb' },
      }),
    )
    expect(ok.startsWith(LOGIN)).toBe(true)
    const bad = await new TestBrowser().redirect(
      authUrl(hydra, native.client_id, {
        challenge: pkcePair().challenge,
        scope: 'openid',
        extra: { redirect_uri: 'http://localhost:61234/cb' },
      }),
    )
    expect(query(bad).get('error')).toBe('invalid_request')
  })

  it('an unknown client goes to the error page with invalid_client', async () => {
    const location = await new TestBrowser().redirect(authUrl(hydra, 'no-such-client'))
    expect(location.startsWith(`${hydra.publicUrl}/oauth2/fallbacks/error`)).toBe(true)
    expect(query(location).get('error')).toBe('invalid_client')
  })

  it.each([
    ['a short state', { state: 'short' }, 'invalid_state'],
    ['a scope the client may not request', { scope: 'admin' }, 'invalid_scope'],
    ['an audience the client may not request', { audience: 'https://evil.example' }, 'invalid_request'],
    ['a short nonce', { nonce: 'abc' }, 'insufficient_entropy'],
    ['prompt=none with login', { prompt: 'none login' }, 'invalid_request'],
    ['response_type=token', { extra: { response_type: 'token' } }, 'unsupported_response_type'],
    [
      'code_challenge_method=plain',
      { extra: { code_challenge: 'x'.repeat(43), code_challenge_method: 'plain' } },
      'invalid_request',
    ],
  ])('refuses %s, back at the client', async (_name, opts, error) => {
    const location = await new TestBrowser().redirect(
      authUrl(hydra, client.client_id, { challenge: pkcePair().challenge, ...opts }),
    )
    expect(location.startsWith(REDIRECT)).toBe(true)
    expect(query(location).get('error')).toBe(error)
  })

  it('accepts wildcard scopes registered as photos.*', async () => {
    const location = await new TestBrowser().redirect(
      authUrl(hydra, client.client_id, { challenge: pkcePair().challenge, scope: 'photos.read' }),
    )
    expect(location.startsWith(LOGIN)).toBe(true)
  })

  it('public clients must use PKCE', async () => {
    const spa = hydra.createClient({ token_endpoint_auth_method: 'none', redirect_uris: [REDIRECT] })
    const location = await new TestBrowser().redirect(authUrl(hydra, spa.client_id, { scope: 'openid' }))
    expect(query(location).get('error')).toBe('invalid_request')
    expect(query(location).get('error_description')).toContain('code_challenge')
  })

  it('a public client completes the flow and redeems the code with client_id only', async () => {
    const spa = hydra.createClient({
      token_endpoint_auth_method: 'none',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
    })
    expect(spa.client_secret).toBeUndefined()
    const flow = await runFlow(hydra, new TestBrowser(), spa.client_id, { scope: 'openid offline' })
    const res = await postForm(`${hydra.publicUrl}/oauth2/token`, {
      grant_type: 'authorization_code',
      code: flow.code!,
      redirect_uri: REDIRECT,
      client_id: spa.client_id,
      code_verifier: flow.verifier,
    })
    expect(res.status).toBe(200)
    expect(res.body.refresh_token).toMatch(/^ory_rt_/)
  })

  it('login and consent challenges stop working after ttl.loginConsentRequest', async () => {
    const browser = new TestBrowser()
    const toLogin = await browser.redirect(
      authUrl(hydra, client.client_id, { challenge: pkcePair().challenge }),
    )
    const c = query(toLogin).get('login_challenge')!
    const accepted = await admin(
      hydra.adminUrl,
      'PUT',
      `/admin/oauth2/auth/requests/login/accept?login_challenge=${c}`,
      {
        subject: 'alice',
      },
    )
    hydra.advanceTime(1801)
    try {
      const location = await browser.redirect(accepted.body.redirect_to)
      expect(query(location).get('error')).toBe('request_unauthorized')
    } finally {
      hydra.resetTime()
    }
  })
})
