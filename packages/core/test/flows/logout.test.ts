import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLoginConsentHandler, type LoginConsentHandler } from '../../src/flows/index.js'
import {
  AppBrowser,
  HydraBrowser,
  challengeIn,
  exchangeCode,
  flowOptions,
  locationOf,
  loginThrough,
  pageOf,
  pkce,
  startEnv,
  startLogin,
  type Env,
} from './helpers/harness.js'
import { logoutRequest, startRecordingHydra } from './helpers/recording-hydra.js'

let env: Env
beforeAll(async () => {
  env = await startEnv()
})
afterAll(async () => {
  await env.close()
})

/** Signs in (remembered) through the handler, then starts a logout; returns the logout challenge. */
async function signedIn(handler: LoginConsentHandler, rpInitiated = false) {
  const app = new AppBrowser(handler)
  const browser = new HydraBrowser()
  const { verifier } = pkce()
  const toConsent = await loginThrough(env, app, browser, { remember: true, codeVerifier: verifier })
  const consentPage = pageOf(await app.get('consent', challengeIn(toConsent, 'consent')))
  if (consentPage.data.page !== 'consent') throw new Error('consent page expected')
  const granted = await app.post('consent', {
    challenge: consentPage.data.challenge,
    csrf_token: consentPage.data.csrfToken,
    grant_scope: ['openid', 'read'],
  })
  const tokens = await exchangeCode(env, await browser.follow(locationOf(granted)), verifier)
  const logoutUrl = new URL(`${env.hydra.publicUrl}/oauth2/sessions/logout`)
  if (rpInitiated) {
    logoutUrl.searchParams.set('id_token_hint', tokens.id_token!)
    logoutUrl.searchParams.set('post_logout_redirect_uri', 'http://127.0.0.1:5555/bye')
    logoutUrl.searchParams.set('state', 'logout-state-1')
  }
  const challenge = challengeIn(await browser.follow(logoutUrl.href), 'logout')
  return { app, browser, challenge }
}

describe('logout', () => {
  it('GET shows a confirmation; accept follows Hydra and ends the session', async () => {
    const handler = createLoginConsentHandler(flowOptions(env))
    const { app, browser, challenge } = await signedIn(handler)
    const result = await app.get('logout', challenge)
    const page = pageOf(result)
    expect(page.status).toBe(200)
    if (page.data.page !== 'logout') throw new Error('logout page expected')
    expect(page.data).toMatchObject({ subject: 'user-alice', allowReject: false })
    const html = (await handler.respond(result)).body
    expect(html).toContain('Yes, sign out')
    expect(html).not.toContain('No, stay signed in')

    const accepted = await app.post('logout', { challenge, csrf_token: page.data.csrfToken })
    expect(accepted.type === 'redirect' && accepted.status).toBe(303)
    const location = locationOf(accepted)
    expect(new URL(location).origin).toBe(env.hydra.publicUrl)
    expect(new URL(location).searchParams.get('logout_verifier')).toBeTruthy()
    await browser.follow(location)
    // Signed out: the next login shows the form again instead of being skipped.
    expect(pageOf(await app.get('login', await startLogin(env, browser))).data.page).toBe('login')
  })

  it('refuses a POST without the CSRF token (403) and does not sign out', async () => {
    const handler = createLoginConsentHandler(flowOptions(env))
    const { app, browser, challenge } = await signedIn(handler)
    await app.get('logout', challenge)
    env.hydra.resetCalls()
    const page = pageOf(await app.post('logout', { challenge }))
    expect(page.status).toBe(403)
    expect(env.hydra.calls.acceptOAuth2LogoutRequest).toBe(0)
    // Still signed in: login is skipped.
    expect((await app.get('login', await startLogin(env, browser))).type).toBe('redirect')
  })

  it('RP-initiated logout is accepted without a page only when the app opts in', async () => {
    const asking = createLoginConsentHandler(flowOptions(env))
    const a = await signedIn(asking, true)
    const shown = pageOf(await a.app.get('logout', a.challenge))
    if (shown.data.page !== 'logout') throw new Error('logout page expected')
    expect(shown.data.logoutRequest.rp_initiated).toBe(true)
    expect(shown.data.client?.name).toBe('Test App')

    const auto = createLoginConsentHandler(flowOptions(env, { logout: { autoAcceptRpInitiated: true } }))
    const b = await signedIn(auto, true)
    const result = await b.app.get('logout', b.challenge)
    expect(result.type === 'redirect' && result.status).toBe(302)
    const end = await b.browser.follow(locationOf(result))
    expect(end).toBe('http://127.0.0.1:5555/bye?state=logout-state-1')

    // Not RP-initiated: still asks, even with the option on.
    const c = await signedIn(auto, false)
    expect(pageOf(await c.app.get('logout', c.challenge)).data.page).toBe('logout')
  })

  it('"no" is refused unless allowed; when allowed it rejects and goes to the configured URL', async () => {
    const strict = createLoginConsentHandler(flowOptions(env))
    const a = await signedIn(strict)
    const pa = pageOf(await a.app.get('logout', a.challenge))
    if (pa.data.page !== 'logout') throw new Error('logout page expected')
    env.hydra.resetCalls()
    const refused = pageOf(
      await a.app.post('logout', { challenge: a.challenge, csrf_token: pa.data.csrfToken, action: 'deny' }),
    )
    expect(refused.status).toBe(400)
    expect(refused.data).toMatchObject({ error: 'reject_not_allowed' })
    expect(env.hydra.calls.rejectOAuth2LogoutRequest).toBe(0)

    const lenient = createLoginConsentHandler(
      flowOptions(env, { logout: { allowReject: true, rejectRedirectUrl: '/account' } }),
    )
    const b = await signedIn(lenient)
    const pb = pageOf(await b.app.get('logout', b.challenge))
    if (pb.data.page !== 'logout') throw new Error('logout page expected')
    expect((await lenient.respond(pb)).body).toContain('No, stay signed in')
    const rejected = await b.app.post('logout', {
      challenge: b.challenge,
      csrf_token: pb.data.csrfToken,
      action: 'deny',
    })
    expect(rejected).toMatchObject({ type: 'redirect', location: '/account', status: 303 })
    expect(env.hydra.calls.rejectOAuth2LogoutRequest).toBe(1)
    // Still signed in: the next login is skipped.
    expect((await b.app.get('login', await startLogin(env, b.browser))).type).toBe('redirect')
  })

  it('requires logout.rejectRedirectUrl when allowReject is on, and refuses a protocol-relative one', () => {
    expect(() => createLoginConsentHandler(flowOptions(env, { logout: { allowReject: true } }))).toThrow(
      /logout\.rejectRedirectUrl is required/,
    )
    for (const bad of ['//evil.example/', 'javascript:alert(1)', '/\\evil.example', 'ftp://x/']) {
      expect(() =>
        createLoginConsentHandler(
          flowOptions(env, { logout: { allowReject: true, rejectRedirectUrl: bad } }),
        ),
      ).toThrow(TypeError)
    }
  })

  it('sends accept and reject to the v2 logout endpoints (recorded)', async () => {
    const rec = await startRecordingHydra()
    try {
      const handler = rec.handler({
        logout: { allowReject: true, rejectRedirectUrl: 'https://app.example.com/' },
      })
      const app = new AppBrowser(handler)
      rec.server.queue({ body: logoutRequest({ client: null }) })
      const page = pageOf(await app.get('logout', 'ch1'))
      if (page.data.page !== 'logout') throw new Error('logout page expected')
      expect(page.data.client).toBeUndefined()
      await app.post('logout', { challenge: 'ch1', csrf_token: page.data.csrfToken })
      await app.post('logout', { challenge: 'ch1', csrf_token: page.data.csrfToken, action: 'deny' })
      expect(rec.puts()).toEqual([
        { path: '/admin/oauth2/auth/requests/logout/accept', body: undefined },
        { path: '/admin/oauth2/auth/requests/logout/reject', body: undefined },
      ])
    } finally {
      await rec.close()
    }
  })
})
