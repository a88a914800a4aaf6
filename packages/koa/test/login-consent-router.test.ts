import { createServer, type Server } from 'node:http'
import Koa2 from 'koa2'
import Koa3 from 'koa'
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

type Factory = () => Koa3
const frameworks: Array<[string, Factory]> = [
  ['Koa 2', () => new Koa2()],
  ['Koa 3', () => new Koa3()],
]

let env: Env
beforeAll(async () => {
  env = await startEnv()
})
afterAll(async () => {
  await env.close()
})

function serve(app: Koa3): Server {
  const handle = app.callback()
  return createServer((req, res) => {
    void handle(req, res)
  })
}

function csrfToken(html: string): string {
  const m = /name="csrf_token" value="([^"]+)"/.exec(html)
  if (m === null) throw new Error('no csrf token in page')
  return m[1]!
}

describe.each(frameworks)('%s loginConsentRouter', (_name, makeApp) => {
  function server(extra: Partial<LoginConsentRouterOptions> = {}, setup?: (a: Koa3) => void): Server {
    const a = makeApp()
    a.silent = true
    setup?.(a)
    a.use(loginConsentRouter({ prefix: '/auth', ...flowOptions(env), ...extra }))
    a.use((ctx) => {
      ctx.status = 418
      ctx.body = 'fell through'
    })
    return serve(a)
  }

  it('runs login and consent under the prefix: pages with security headers, form POSTs, redirects', async () => {
    const agent = request.agent(server())
    const browser = new HydraBrowser()
    const challenge = await startLogin(env, browser, { scope: 'openid read write' })

    const page = await agent.get(`/auth/login?login_challenge=${challenge}`)
    expect(page.status).toBe(200)
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(page.headers['x-frame-options']).toBe('DENY')
    expect(page.headers['cache-control']).toBe('no-store')
    expect(page.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/)
    expect(page.headers['set-cookie']?.[0]).toMatch(/^hydrakit_csrf=.*HttpOnly; SameSite=Lax$/)

    const login = await agent
      .post('/auth/login')
      .type('form')
      .send({ challenge, csrf_token: csrfToken(page.text), username: 'alice', password: 'wonderland' })
    expect(login.status).toBe(303)
    expect(login.text).toBe('')
    const consentChallenge = challengeIn(await browser.follow(login.headers.location!), 'consent')

    const consentPage = await agent.get(`/auth/consent?consent_challenge=${consentChallenge}`)
    expect(consentPage.status).toBe(200)
    const form = new URLSearchParams({ challenge: consentChallenge, csrf_token: csrfToken(consentPage.text) })
    form.append('grant_scope', 'openid')
    form.append('grant_scope', 'write')
    const consent = await agent
      .post('/auth/consent')
      .set('content-type', 'application/x-www-form-urlencoded')
      .send(form.toString())
    expect(consent.status).toBe(303)
    const callback = await browser.follow(consent.headers.location!)
    expect(callback.startsWith(REDIRECT_URI)).toBe(true)
    expect(new URL(callback).searchParams.get('scope')).toBe('openid write')
  })

  it('keeps cookies other middleware set on the same response', async () => {
    const s = server({}, (a) =>
      a.use(async (ctx, next) => {
        ctx.append('Set-Cookie', 'other=1; Path=/')
        await next()
      }),
    )
    const challenge = await startLogin(env, new HydraBrowser())
    const res = await request(s).get(`/auth/login?login_challenge=${challenge}`)
    expect(res.headers['set-cookie']).toHaveLength(2)
    expect(res.headers['set-cookie']?.[0]).toBe('other=1; Path=/')
  })

  it('refuses a POST without the CSRF token (403); 413 over 16 KiB; 405 for PUT', async () => {
    const s = server()
    const agent = request.agent(s)
    const challenge = await startLogin(env, new HydraBrowser())
    await agent.get(`/auth/login?login_challenge=${challenge}`)
    const csrf = await agent
      .post('/auth/login')
      .type('form')
      .send({ challenge, username: 'alice', password: 'x' })
    expect(csrf.status).toBe(403)
    const big = await request(s)
      .post('/auth/consent')
      .type('form')
      .send(`challenge=x&pad=${'a'.repeat(17 * 1024)}`)
    expect(big.status).toBe(413)
    const put = await request(s).put('/auth/logout').send('x')
    expect(put.status).toBe(405)
  })

  it('only serves <prefix>/login, /consent, /logout; everything else goes to next()', async () => {
    const s = server()
    for (const path of ['/login', '/authx/login', '/auth', '/auth/', '/auth/other', '/auth/login/x']) {
      expect((await request(s).get(path)).status).toBe(418)
    }
    expect((await request(s).get('/auth/consent/')).status).toBe(400)
  })

  it('serves at the root without a prefix', async () => {
    const a = makeApp()
    a.use(loginConsentRouter(flowOptions(env)))
    const res = await request(serve(a)).get('/logout')
    expect(res.status).toBe(400)
    expect(res.text).toContain('Incomplete link')
  })

  it('marks the cookie Secure when Koa sees https (app.proxy)', async () => {
    const s = server({}, (a) => {
      a.proxy = true
    })
    const challenge = await startLogin(env, new HydraBrowser())
    const res = await request(s)
      .get(`/auth/login?login_challenge=${challenge}`)
      .set('x-forwarded-proto', 'https')
    expect(res.headers['set-cookie']?.[0]).toMatch(/^__Host-hydrakit_csrf=.*; Secure; SameSite=Lax$/)
  })

  it('lets an error thrown by a hook propagate to Koa error handling', async () => {
    const s = server(
      {
        authenticate: () => {
          throw new Error('user store down')
        },
      },
      (a) =>
        a.use(async (ctx, next) => {
          try {
            await next()
          } catch (err) {
            ctx.status = 500
            ctx.body = `handled: ${(err as Error).message}`
          }
        }),
    )
    const agent = request.agent(s)
    const challenge = await startLogin(env, new HydraBrowser())
    const page = await agent.get(`/auth/login?login_challenge=${challenge}`)
    const res = await agent
      .post('/auth/login')
      .type('form')
      .send({ challenge, csrf_token: csrfToken(page.text), username: 'alice', password: 'x' })
    expect(res.status).toBe(500)
    expect(res.text).toBe('handled: user store down')
  })

  it('checks the prefix and the options when created', () => {
    for (const prefix of ['auth', '/auth/', '/a b', '/a?x']) {
      expect(() => loginConsentRouter({ ...flowOptions(env), prefix })).toThrow(/^prefix must be/)
    }
    expect(() => loginConsentRouter({ ...flowOptions(env), csrfSecret: '' })).toThrow(/csrfSecret/)
  })
})
