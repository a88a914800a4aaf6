import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createHydraAdminClient } from '../../src/hydra/index.js'
import { createLoginConsentHandler, type FlowErrorEvent } from '../../src/flows/index.js'
import { refusedUrl, startRecordingServer } from '../hydra/helpers/recording-server.js'
import {
  AppBrowser,
  HydraBrowser,
  SECRET,
  challengeIn,
  flowOptions,
  locationOf,
  loginThrough,
  pageOf,
  startEnv,
  startLogin,
  type Env,
} from './helpers/harness.js'
import {
  CLIENT,
  HYDRA_PUBLIC,
  consentRequest,
  loginRequest,
  startRecordingHydra,
  type RecordingHydra,
} from './helpers/recording-hydra.js'

describe('Hydra answers against the mock', () => {
  let env: Env
  beforeAll(async () => {
    env = await startEnv({ ttl: { loginConsentRequest: 60 } })
  })
  afterAll(async () => {
    await env.close()
  })
  afterEach(() => {
    env.hydra.resetTime()
  })

  it('unknown challenge (404) → a "not found" page for login, consent and logout', async () => {
    const app = new AppBrowser(createLoginConsentHandler(flowOptions(env)))
    for (const flow of ['login', 'consent', 'logout'] as const) {
      const page = pageOf(await app.get(flow, 'does-not-exist'))
      expect(page.status).toBe(404)
      expect(page.data).toMatchObject({ page: 'error', error: 'unknown_challenge' })
    }
  })

  it('expired challenge (401) → an "expired" page, on GET and on POST', async () => {
    const app = new AppBrowser(createLoginConsentHandler(flowOptions(env)))
    const challenge = await startLogin(env, new HydraBrowser())
    const page = pageOf(await app.get('login', challenge))
    if (page.data.page !== 'login') throw new Error('login page expected')
    env.hydra.advanceTime(61)
    const expired = pageOf(await app.get('login', challenge))
    expect(expired.status).toBe(401)
    expect(expired.data).toMatchObject({ error: 'expired_challenge', title: 'Request expired' })
    const posted = pageOf(
      await app.post('login', {
        challenge,
        csrf_token: page.data.csrfToken,
        username: 'alice',
        password: 'wonderland',
      }),
    )
    expect(posted.status).toBe(401)
  })

  it('expired consent challenge (401) → the consent wording', async () => {
    const app = new AppBrowser(createLoginConsentHandler(flowOptions(env)))
    const toConsent = await loginThrough(env, app, new HydraBrowser())
    env.hydra.advanceTime(61)
    const page = pageOf(await app.get('consent', challengeIn(toConsent, 'consent')))
    expect(page.status).toBe(401)
    if (page.data.page === 'error') expect(page.data.message).toContain('authorization request')
  })
})

describe('a used challenge (410) is followed to its redirect_to', () => {
  it('login and consent on DB-backed Hydra (handledChallenges: gone)', async () => {
    const env = await startEnv({ handledChallenges: 'gone' })
    try {
      const app = new AppBrowser(createLoginConsentHandler(flowOptions(env)))
      const browser = new HydraBrowser()
      const challenge = await startLogin(env, browser)
      const page = pageOf(await app.get('login', challenge))
      if (page.data.page !== 'login') throw new Error('login page expected')
      const accepted = await app.post('login', {
        challenge,
        csrf_token: page.data.csrfToken,
        username: 'alice',
        password: 'wonderland',
      })
      const toConsent = await browser.follow(locationOf(accepted))
      expect(toConsent).toContain('consent_challenge')
      const consentChallenge = challengeIn(toConsent, 'consent')
      const consentPage = pageOf(await app.get('consent', consentChallenge))
      if (consentPage.data.page !== 'consent') throw new Error('consent page expected')
      const granted = await app.post('consent', {
        challenge: consentChallenge,
        csrf_token: consentPage.data.csrfToken,
        grant_scope: ['openid'],
      })
      expect(await browser.follow(locationOf(granted))).toContain('code=')
      const consentAgain = await app.get('consent', consentChallenge)
      expect(new URL(locationOf(consentAgain)).origin).toBe(env.hydra.publicUrl)
      const again = await app.get('login', challenge)
      expect(again.type).toBe('redirect')
      if (again.type !== 'redirect') return
      expect(again.status).toBe(302)
      expect(new URL(again.location).origin).toBe(env.hydra.publicUrl)
      expect(new URL(again.location).pathname).toBe('/oauth2/auth')
    } finally {
      await env.close()
    }
  })

  it('logout (DB-backed in every Hydra version)', async () => {
    const env = await startEnv()
    try {
      const app = new AppBrowser(createLoginConsentHandler(flowOptions(env)))
      const browser = new HydraBrowser()
      const toConsent = await loginThrough(env, app, browser, { remember: true })
      expect(toConsent).toContain('consent_challenge')
      const toLogout = await browser.follow(`${env.hydra.publicUrl}/oauth2/sessions/logout`)
      const challenge = challengeIn(toLogout, 'logout')
      const page = pageOf(await app.get('logout', challenge))
      if (page.data.page !== 'logout') throw new Error('logout page expected')
      const accepted = await app.post('logout', { challenge, csrf_token: page.data.csrfToken })
      await browser.follow(locationOf(accepted))
      const again = await app.get('logout', challenge)
      expect(again.type).toBe('redirect')
      expect(new URL(locationOf(again)).origin).toBe(env.hydra.publicUrl)
    } finally {
      await env.close()
    }
  })
})

describe('Hydra down, slow or odd', () => {
  let rec: RecordingHydra
  beforeAll(async () => {
    rec = await startRecordingHydra()
  })
  afterAll(async () => {
    await rec.close()
  })
  afterEach(() => {
    rec.server.reset()
    rec.server.setDefault((r) => {
      if (r.method === 'GET') return { body: r.path.includes('consent') ? consentRequest() : loginRequest() }
      return { body: { redirect_to: `${HYDRA_PUBLIC}/oauth2/auth?login_verifier=v` } }
    })
  })

  it('connection refused → 503 page with Retry-After, not a crash', async () => {
    const admin = createHydraAdminClient({ adminUrl: await refusedUrl(), retries: 0 })
    const onError = vi.fn((_e: FlowErrorEvent) => undefined)
    const handler = createLoginConsentHandler({
      admin,
      hydraPublicUrl: HYDRA_PUBLIC,
      csrfSecret: SECRET,
      authenticate: () => null,
      onError,
    })
    const app = new AppBrowser(handler)
    for (const flow of ['login', 'consent', 'logout'] as const) {
      const page = pageOf(await app.get(flow, 'ch1'))
      expect(page.status).toBe(503)
      expect(page.data).toMatchObject({ error: 'hydra_unavailable' })
      expect(page.headers).toEqual({ 'retry-after': '5' })
    }
    expect(onError).toHaveBeenCalledTimes(3)
    expect(onError.mock.calls[0]![0]).toMatchObject({ flow: 'login', code: 'hydra_unavailable' })
    await admin.close()
  })

  it('a hanging Hydra → 503 after timeoutMs', async () => {
    rec.server.setDefault({ hang: true })
    const app = new AppBrowser(rec.handler({ timeoutMs: 200 }))
    const page = pageOf(await app.get('login', 'ch1'))
    expect(page.status).toBe(503)
  })

  it('5xx → 503, 400 → 502, 409 → "already completed"; Hydra text never shown', async () => {
    const app = new AppBrowser(rec.handler())
    const handler = rec.handler()
    const body = { error: 'x', error_description: 'INTERNAL-DETAIL-xyz' }
    rec.server.queue({ status: 500, body })
    const p500 = pageOf(await app.get('login', 'ch1'))
    expect(p500.status).toBe(503)
    rec.server.queue({ status: 400, body })
    const p400 = pageOf(await app.get('login', 'ch1'))
    expect(p400.status).toBe(502)
    expect(p400.data).toMatchObject({ error: 'hydra_error' })
    expect((await handler.respond(p400)).body).not.toContain('INTERNAL-DETAIL')
    rec.server.queue({ status: 409, body: { error: 'Conflict', error_description: 'already used' } })
    const p409 = pageOf(await app.get('consent', 'ch1'))
    expect(p409.status).toBe(409)
    expect(p409.data).toMatchObject({ error: 'used_challenge' })
  })

  it('401 on accept (expired while the user typed) offers to restart at the client', async () => {
    const handler = rec.handler()
    const app = new AppBrowser(handler)
    const token = (pageOf(await app.get('login', 'ch1')).data as { csrfToken: string }).csrfToken
    rec.server.queue(
      { body: loginRequest() },
      { status: 401, body: { error: 'request_unauthorized', error_description: 'expired' } },
    )
    const page = pageOf(
      await app.post('login', { challenge: 'ch1', csrf_token: token, username: 'u', password: 'p' }),
    )
    expect(page.status).toBe(401)
    expect(page.data).toMatchObject({ restartUrl: CLIENT.client_uri, restartLabel: CLIENT.client_name })
    const html = (await handler.respond(page)).body
    expect(html).toContain(`href="${CLIENT.client_uri}"`)
  })

  it('a 410 on accept follows its redirect_to', async () => {
    const app = new AppBrowser(rec.handler())
    const token = (pageOf(await app.get('login', 'ch1')).data as { csrfToken: string }).csrfToken
    rec.server.queue(
      { body: loginRequest() },
      { status: 410, body: { redirect_to: `${HYDRA_PUBLIC}/oauth2/auth?again=1` } },
    )
    const result = await app.post('login', {
      challenge: 'ch1',
      csrf_token: token,
      username: 'u',
      password: 'p',
    })
    expect(locationOf(result)).toBe(`${HYDRA_PUBLIC}/oauth2/auth?again=1`)
  })
})

describe('redirect guard', () => {
  let rec: RecordingHydra
  beforeAll(async () => {
    rec = await startRecordingHydra()
  })
  afterAll(async () => {
    await rec.close()
  })

  it('refuses a redirect_to outside Hydra public origin (accept, 410, skip)', async () => {
    const handler = rec.handler()
    const app = new AppBrowser(handler)
    const evil = 'https://evil.example/steal'
    const token = (pageOf(await app.get('login', 'ch1')).data as { csrfToken: string }).csrfToken

    rec.server.queue({ body: loginRequest() }, { body: { redirect_to: evil } })
    const accepted = await app.post('login', {
      challenge: 'ch1',
      csrf_token: token,
      username: 'u',
      password: 'p',
    })
    const page = pageOf(accepted)
    expect(page.status).toBe(502)
    expect(page.data).toMatchObject({ error: 'unsafe_redirect' })
    const res = await handler.respond(accepted)
    expect(res.headers.location).toBeUndefined()
    expect(res.body).not.toContain('evil.example')

    rec.server.queue({ status: 410, body: { redirect_to: evil } })
    expect(pageOf(await app.get('login', 'ch1')).data).toMatchObject({ error: 'unsafe_redirect' })

    rec.server.queue({ body: loginRequest({ skip: true, subject: 'u' }) }, { body: { redirect_to: evil } })
    expect(pageOf(await app.get('login', 'ch1')).data).toMatchObject({ error: 'unsafe_redirect' })

    // Look-alikes of the allowed origin are refused too.
    for (const url of [
      'http://hydra.test.evil.example/',
      'http://hydra.test:8080/',
      'https://hydra.test/',
      'http://user:pw@hydra.test/',
    ]) {
      rec.server.queue({ body: loginRequest() }, { body: { redirect_to: url } })
      const r = await app.post('login', { challenge: 'ch1', csrf_token: token, username: 'u', password: 'p' })
      expect(r.type).toBe('render')
    }
  })

  it('follows a redirect_to on an allowed extra origin', async () => {
    const app = new AppBrowser(rec.handler({ allowedRedirectOrigins: ['https://auth.example.com'] }))
    rec.server.queue(
      { body: loginRequest({ skip: true, subject: 'u' }) },
      {
        body: { redirect_to: 'https://auth.example.com/oauth2/auth?login_verifier=v' },
      },
    )
    expect(locationOf(await app.get('login', 'ch1'))).toBe(
      'https://auth.example.com/oauth2/auth?login_verifier=v',
    )
  })

  it('never redirects to a URL from the query string or the form', async () => {
    const app = new AppBrowser(rec.handler())
    const token = (pageOf(await app.get('login', 'ch1')).data as { csrfToken: string }).csrfToken
    const result = await app.handler.login(
      app.request(
        'POST',
        { login_challenge: 'ch1', redirect_to: 'https://evil.example/', return_to: 'https://evil.example/' },
        {
          challenge: 'ch1',
          csrf_token: token,
          username: 'u',
          password: 'p',
          redirect_to: 'https://evil.example/',
          next: 'https://evil.example/',
        },
      ),
    )
    expect(new URL(locationOf(result)).origin).toBe(HYDRA_PUBLIC)
  })
})

describe('the recording server really checks what it must', () => {
  it('a recorded accept to the Hydra origin is followed (control for the guard tests)', async () => {
    const server = await startRecordingServer()
    const admin = createHydraAdminClient({ adminUrl: server.url, retries: 0 })
    try {
      server.setDefault((r) =>
        r.method === 'GET'
          ? { body: loginRequest({ skip: true, subject: 'u' }) }
          : { body: { redirect_to: `${HYDRA_PUBLIC}/ok` } },
      )
      const handler = createLoginConsentHandler({
        admin,
        hydraPublicUrl: HYDRA_PUBLIC,
        csrfSecret: SECRET,
        authenticate: () => null,
      })
      expect(locationOf(await new AppBrowser(handler).get('login', 'ch1'))).toBe(`${HYDRA_PUBLIC}/ok`)
    } finally {
      await admin.close()
      await server.close()
    }
  })
})
