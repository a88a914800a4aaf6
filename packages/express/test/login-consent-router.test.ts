import express4 from 'express4'
import express5 from 'express'
import request from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loginConsentRouter, type LoginConsentRouterOptions } from '../src/index.js'
import {
  HydraBrowser,
  REDIRECT_URI,
  challengeIn,
  flowOptions,
  startEnv,
  startLogin,
  type Env,
} from '../../core/test/flows/helpers/harness.js'

type Factory = () => express5.Express
const frameworks: Array<[string, Factory]> = [
  ['Express 4', () => express4()],
  ['Express 5', () => express5()],
]

let env: Env
beforeAll(async () => {
  env = await startEnv()
})
afterAll(async () => {
  await env.close()
})

function csrfToken(html: string): string {
  const m = /name="csrf_token" value="([^"]+)"/.exec(html)
  if (m === null) throw new Error('no csrf token in page')
  return m[1]!
}

describe.each(frameworks)('%s loginConsentRouter', (_name, makeApp) => {
  function app(extra: Partial<LoginConsentRouterOptions> = {}, setup?: (a: express5.Express) => void) {
    const a = makeApp()
    setup?.(a)
    a.use('/auth', loginConsentRouter(flowOptions(env, extra)))
    a.use((_req, res) => {
      res.status(418).send('fell through')
    })
    return a
  }

  it('runs login and consent: pages with security headers, form POSTs, redirects to Hydra', async () => {
    const agent = request.agent(app())
    const browser = new HydraBrowser()
    const challenge = await startLogin(env, browser, { scope: 'openid read write' })

    const page = await agent.get(`/auth/login?login_challenge=${challenge}`)
    expect(page.status).toBe(200)
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(page.headers['x-frame-options']).toBe('DENY')
    expect(page.headers['cache-control']).toBe('no-store')
    expect(page.headers['referrer-policy']).toBe('no-referrer')
    expect(page.headers['content-security-policy']).toMatch(/^default-src 'none'; style-src 'nonce-/)
    expect(page.headers['set-cookie']?.[0]).toMatch(/^hydrakit_csrf=.*HttpOnly; SameSite=Lax$/)
    expect(page.text).toContain('<label for="username">')

    const login = await agent
      .post(`/auth/login?login_challenge=${challenge}`)
      .type('form')
      .send({ challenge, csrf_token: csrfToken(page.text), username: 'alice', password: 'wonderland' })
    expect(login.status).toBe(303)
    expect(new URL(login.headers.location!).origin).toBe(env.hydra.publicUrl)

    const consentChallenge = challengeIn(await browser.follow(login.headers.location!), 'consent')
    const consentPage = await agent.get(`/auth/consent?consent_challenge=${consentChallenge}`)
    expect(consentPage.status).toBe(200)
    expect(consentPage.text).toContain('name="grant_scope" value="write" checked')
    const form = new URLSearchParams({ challenge: consentChallenge, csrf_token: csrfToken(consentPage.text) })
    form.append('grant_scope', 'openid')
    form.append('grant_scope', 'read')
    const consent = await agent
      .post('/auth/consent')
      .set('content-type', 'application/x-www-form-urlencoded')
      .send(form.toString())
    expect(consent.status).toBe(303)
    const callback = await browser.follow(consent.headers.location!)
    expect(callback.startsWith(REDIRECT_URI)).toBe(true)
    expect(new URL(callback).searchParams.get('scope')).toBe('openid read')
  })

  it('works behind body parsers the app mounted first (urlencoded extended, json)', async () => {
    const agent = request.agent(
      app({}, (a) => {
        a.use(express5.json())
        a.use(express5.urlencoded({ extended: true }))
      }),
    )
    const browser = new HydraBrowser()
    const challenge = await startLogin(env, browser)
    const page = await agent.get(`/auth/login?login_challenge=${challenge}`)
    const login = await agent
      .post('/auth/login')
      .type('form')
      .send({ challenge, csrf_token: csrfToken(page.text), username: 'alice', password: 'wonderland' })
    expect(login.status).toBe(303)
    expect(challengeIn(await browser.follow(login.headers.location!), 'consent')).toBeTruthy()
  })

  it('refuses a POST without the CSRF token with a 403 page', async () => {
    const agent = request.agent(app())
    const challenge = await startLogin(env, new HydraBrowser())
    await agent.get(`/auth/login?login_challenge=${challenge}`)
    const res = await agent
      .post('/auth/login')
      .type('form')
      .send({ challenge, username: 'alice', password: 'wonderland' })
    expect(res.status).toBe(403)
    expect(res.text).toContain('Form expired')
    expect(res.headers.location).toBeUndefined()
  })

  it('413 for a body over 16 KiB, 405 for PUT, 400 for a missing challenge', async () => {
    const a = app()
    const big = await request(a)
      .post('/auth/login')
      .type('form')
      .send(`challenge=x&pad=${'a'.repeat(17 * 1024)}`)
    expect(big.status).toBe(413)
    const put = await request(a).put('/auth/consent').send('x')
    expect(put.status).toBe(405)
    expect(put.headers.allow).toBe('GET, POST')
    const missing = await request(a).get('/auth/logout')
    expect(missing.status).toBe(400)
  })

  it('calls next() for paths it does not serve', async () => {
    const a = app()
    expect((await request(a).get('/auth/other')).status).toBe(418)
    expect((await request(a).get('/auth/login/extra')).status).toBe(418)
    expect((await request(a).get('/login')).status).toBe(418)
  })

  it('marks the cookie Secure (__Host-) when Express sees https (trust proxy)', async () => {
    const a = app({}, (x) => x.set('trust proxy', true))
    const challenge = await startLogin(env, new HydraBrowser())
    const res = await request(a)
      .get(`/auth/login?login_challenge=${challenge}`)
      .set('x-forwarded-proto', 'https')
    expect(res.headers['set-cookie']?.[0]).toMatch(/^__Host-hydrakit_csrf=.*; Secure; SameSite=Lax$/)
  })

  it("passes an error thrown by the app's authenticate hook to Express error handling", async () => {
    const a = makeApp()
    a.use(
      '/auth',
      loginConsentRouter(
        flowOptions(env, {
          authenticate: () => {
            throw new Error('user store down')
          },
        }),
      ),
    )
    a.use((err: Error, _req: express5.Request, res: express5.Response, _next: express5.NextFunction) => {
      res.status(500).send(`handled: ${err.message}`)
    })
    const agent = request.agent(a)
    const challenge = await startLogin(env, new HydraBrowser())
    const page = await agent.get(`/auth/login?login_challenge=${challenge}`)
    const res = await agent
      .post('/auth/login')
      .type('form')
      .send({ challenge, csrf_token: csrfToken(page.text), username: 'alice', password: 'x' })
    expect(res.status).toBe(500)
    expect(res.text).toBe('handled: user store down')
  })

  it('checks options when mounted', () => {
    expect(() => loginConsentRouter(flowOptions(env, { csrfSecret: 'short' }))).toThrow(/csrfSecret/)
  })
})
