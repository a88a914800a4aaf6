import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMockHydra } from '../../src/index.js'
import type { MockHydra } from '../../src/index.js'
import { admin, pkcePair, TestBrowser } from '../helpers/browser.js'
import { authUrl, CONSENT, exchange, LOGIN, LOGOUT, query, runFlow, webClient } from '../helpers/flow.js'

let hydra: MockHydra
let client: ReturnType<typeof webClient>
const BYE = 'http://127.0.0.1:5555/bye'

beforeAll(async () => {
  hydra = await createMockHydra({ loginUrl: LOGIN, consentUrl: CONSENT, logoutUrl: LOGOUT })
  client = webClient(hydra)
})
afterAll(() => hydra.close())

/** A browser with a remembered session and the ID token of its login. */
async function loggedIn(subject = 'alice'): Promise<{ browser: TestBrowser; idToken: string; sid: string }> {
  const browser = new TestBrowser()
  const flow = await runFlow(hydra, browser, client.client_id, {
    scope: 'openid',
    login: { subject, remember: true, remember_for: 3600 },
  })
  const tokens = (await exchange(hydra, client, flow.code!, flow.verifier)).body
  return { browser, idToken: tokens.id_token, sid: flow.loginRequest.session_id }
}

function logoutUrl(params: Record<string, string>): string {
  return `${hydra.publicUrl}/oauth2/sessions/logout?${new URLSearchParams(params).toString()}`
}

describe('RP-initiated logout', () => {
  it('logout app → accept → session cleared → back to post_logout_redirect_uri with state', async () => {
    const { browser, idToken, sid } = await loggedIn()
    const toApp = await browser.redirect(
      logoutUrl({ id_token_hint: idToken, post_logout_redirect_uri: BYE, state: 'logout-state' }),
    )
    expect(toApp.startsWith(`${LOGOUT}?logout_challenge=`)).toBe(true)
    const challenge = query(toApp).get('logout_challenge')!

    const req = await admin(
      hydra.adminUrl,
      'GET',
      `/admin/oauth2/auth/requests/logout?logout_challenge=${challenge}`,
    )
    expect(req.status).toBe(200)
    expect(req.body).toMatchObject({
      challenge,
      subject: 'alice',
      sid,
      rp_initiated: true,
      client: { client_id: client.client_id },
    })
    expect(req.body.request_url).toContain('/oauth2/sessions/logout?')
    expect(Date.parse(req.body.expires_at)).toBeGreaterThan(Date.parse(req.body.requested_at))

    const accepted = await admin(
      hydra.adminUrl,
      'PUT',
      `/admin/oauth2/auth/requests/logout/accept?logout_challenge=${challenge}`,
    )
    expect(accepted.status).toBe(200)
    expect(accepted.body.redirect_to).toMatch(
      new RegExp(`^${hydra.publicUrl}/oauth2/sessions/logout\\?logout_verifier=`),
    )

    const done = await browser.redirect(accepted.body.redirect_to)
    expect(done).toBe(`${BYE}?state=logout-state`)
    expect(browser.cookies(hydra.publicUrl).has('ory_hydra_session_dev')).toBe(false)

    // 410 once handled, with the original request URL.
    const again = await admin(
      hydra.adminUrl,
      'GET',
      `/admin/oauth2/auth/requests/logout?logout_challenge=${challenge}`,
    )
    expect(again.status).toBe(410)
    expect(again.body).toEqual({ redirect_to: req.body.request_url })
    // The verifier works once.
    const replay = await browser.redirect(accepted.body.redirect_to)
    expect(replay.startsWith(`${hydra.publicUrl}/oauth2/fallbacks/error`)).toBe(true)
  })

  it('a logout the browser started without id_token_hint has no client: the field is left out', async () => {
    const { browser } = await loggedIn('dora')
    const toApp = await browser.redirect(logoutUrl({}))
    const challenge = query(toApp).get('logout_challenge')!
    const res = await admin(
      hydra.adminUrl,
      'GET',
      `/admin/oauth2/auth/requests/logout?logout_challenge=${challenge}`,
    )
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ subject: 'dora', rp_initiated: false })
    // Hydra's spec types `client` as an object; null is not allowed.
    expect('client' in res.body).toBe(false)
  })

  it('the session is gone: the next login is not skipped, even with the old cookie', async () => {
    const { browser, idToken } = await loggedIn('bob')
    const cookie = browser.cookies(hydra.publicUrl).get('ory_hydra_session_dev')!
    const toApp = await browser.redirect(logoutUrl({ id_token_hint: idToken }))
    const challenge = query(toApp).get('logout_challenge')!
    const accepted = await admin(
      hydra.adminUrl,
      'PUT',
      `/admin/oauth2/auth/requests/logout/accept?challenge=${challenge}`,
    )
    const done = await browser.redirect(accepted.body.redirect_to)
    expect(done).toBe(`${hydra.publicUrl}/oauth2/fallbacks/logout/callback`)
    browser.cookies(hydra.publicUrl).set('ory_hydra_session_dev', cookie)
    const toLogin = await browser.redirect(
      authUrl(hydra, client.client_id, { challenge: pkcePair().challenge }),
    )
    const login = await admin(
      hydra.adminUrl,
      'GET',
      `/admin/oauth2/auth/requests/login?challenge=${query(toLogin).get('login_challenge')}`,
    )
    expect(login.body.skip).toBe(false)
  })

  it('reject answers 204, keeps the session and deletes the request', async () => {
    const { browser, idToken } = await loggedIn('carol')
    const challenge = query(await browser.redirect(logoutUrl({ id_token_hint: idToken }))).get(
      'logout_challenge',
    )!
    const rejected = await admin(
      hydra.adminUrl,
      'PUT',
      `/admin/oauth2/auth/requests/logout/reject?logout_challenge=${challenge}`,
    )
    expect(rejected.status).toBe(204)
    const gone = await admin(
      hydra.adminUrl,
      'GET',
      `/admin/oauth2/auth/requests/logout?logout_challenge=${challenge}`,
    )
    expect(gone.status).toBe(404)
    const toLogin = await browser.redirect(
      authUrl(hydra, client.client_id, { challenge: pkcePair().challenge }),
    )
    const login = await admin(
      hydra.adminUrl,
      'GET',
      `/admin/oauth2/auth/requests/login?challenge=${query(toLogin).get('login_challenge')}`,
    )
    expect(login.body).toMatchObject({ skip: true, subject: 'carol' })
  })

  it('refuses an unregistered post_logout_redirect_uri and one without id_token_hint', async () => {
    const { browser, idToken } = await loggedIn()
    const evil = await browser.redirect(
      logoutUrl({ id_token_hint: idToken, post_logout_redirect_uri: 'https://evil.example/' }),
    )
    expect(evil.startsWith(`${hydra.publicUrl}/oauth2/fallbacks/error`)).toBe(true)
    expect(query(evil).get('error')).toBe('invalid_request')
    const noHint = await browser.redirect(logoutUrl({ post_logout_redirect_uri: BYE }))
    expect(query(noHint).get('error')).toBe('invalid_request')
    const forged = await browser.redirect(logoutUrl({ id_token_hint: `${idToken.slice(0, -4)}AAAA` }))
    expect(query(forged).get('error')).toBe('invalid_request')
  })

  it('without a session there is nothing to end: straight to the post-logout URI', async () => {
    const { idToken } = await loggedIn()
    const location = await new TestBrowser().redirect(
      logoutUrl({ id_token_hint: idToken, post_logout_redirect_uri: BYE, state: 'st-12345678' }),
    )
    expect(location).toBe(`${BYE}?state=st-12345678`)
  })

  it('a logout verifier expires with ttl.loginConsentRequest', async () => {
    const { browser, idToken } = await loggedIn()
    const challenge = query(await browser.redirect(logoutUrl({ id_token_hint: idToken }))).get(
      'logout_challenge',
    )!
    const accepted = await admin(
      hydra.adminUrl,
      'PUT',
      `/admin/oauth2/auth/requests/logout/accept?logout_challenge=${challenge}`,
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
