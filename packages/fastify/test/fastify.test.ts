import fastify5, { type FastifyInstance } from 'fastify'
import fastify4 from 'fastify4'
import request from 'supertest'
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest'
import { HydrakitError, type AuthInfo } from '@hydrakit/core'
import {
  getAuth,
  hydra,
  hydrakit,
  hydrakitErrorHandler,
  loginConsentRoutes,
  requireScope,
  type HydraAuth,
} from '../src/index.js'
import { tableVerifier } from '../../../test/support/table-verifier.js'
import {
  HydraBrowser,
  challengeIn,
  flowOptions,
  startEnv,
  startLogin,
  type Env,
} from '../../core/test/flows/helpers/harness.js'

const frameworks: Array<[string, () => FastifyInstance]> = [
  ['Fastify 4', () => fastify4() as unknown as FastifyInstance],
  ['Fastify 5', () => fastify5()],
]

async function ready(app: FastifyInstance): Promise<FastifyInstance['server']> {
  await app.ready()
  return app.server
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

describe.each(frameworks)('%s plugin', (_name, makeApp) => {
  it('verifies once per request across onRequest and preHandler hooks, and sets request.auth', async () => {
    const verifier = tableVerifier()
    const app = makeApp()
    await app.register(hydrakit, { verifier })
    const auth = app.hydrakit
    app.get(
      '/x',
      {
        onRequest: auth.authenticate(),
        preHandler: [auth.requireScope('read'), auth.requireAnyScope(['nope', 'write'])],
      },
      (req) => {
        expectTypeOf(req.auth).toEqualTypeOf<AuthInfo | undefined>()
        return { sub: req.auth?.subject, same: req.auth === getAuth(req) }
      },
    )
    const r = await request(await ready(app))
      .get('/x')
      .set(bearer('scopes-read.write'))
    expect(r.status).toBe(200)
    expect(r.body).toEqual({ sub: 'alice', same: true })
    expect(verifier.calls).toBe(1)
    await app.close()
  })

  it('writes refusals itself by default: status, challenge, JSON, and stops the route', async () => {
    const app = makeApp()
    await app.register(hydrakit, { verifier: tableVerifier() })
    let reached = 0
    app.get('/x', { preHandler: app.hydrakit.requireScope('admin') }, () => {
      reached++
      return { ok: true }
    })
    const server = await ready(app)
    const missing = await request(server).get('/x')
    expect(missing.status).toBe(401)
    expect(missing.headers['www-authenticate']).toBe('Bearer realm="api"')
    expect(missing.body).toEqual({ error: 'unauthorized', error_description: 'no bearer token' })
    const scope = await request(server).get('/x').set(bearer('scopes-read'))
    expect(scope.status).toBe(403)
    expect(scope.headers['www-authenticate']).toMatch(/error="insufficient_scope".*scope="admin"/)
    const down = await request(server).get('/x').set(bearer('down'))
    expect(down.status).toBe(503)
    expect(down.headers['www-authenticate']).toBeUndefined()
    expect(reached).toBe(0)
    await app.close()
  })

  it("errors: 'forward' hands the typed error to the app's error handler", async () => {
    const app = makeApp()
    await app.register(hydrakit, { verifier: tableVerifier(), errors: 'forward' })
    const seen: unknown[] = []
    app.setErrorHandler((err, _req, reply) => {
      seen.push(err)
      return reply.code(499).send({ mine: true })
    })
    app.get('/x', { preHandler: app.hydrakit.authenticate() }, () => ({ ok: true }))
    const r = await request(await ready(app))
      .get('/x')
      .set(bearer('bad'))
    expect(r.status).toBe(499)
    expect(seen[0]).toBeInstanceOf(HydrakitError)
    await app.close()
  })

  it("errors: 'forward' with Fastify's default handler keeps status and WWW-Authenticate; hydrakitErrorHandler renders JSON", async () => {
    const plain = makeApp()
    await plain.register(hydrakit, { verifier: tableVerifier(), errors: 'forward' })
    plain.get('/x', { preHandler: plain.hydrakit.authenticate() }, () => ({ ok: true }))
    const r = await request(await ready(plain))
      .get('/x')
      .set(bearer('bad'))
    expect(r.status).toBe(401)
    expect(r.headers['www-authenticate']).toMatch(/^Bearer realm="api", error="invalid_token"/)
    await plain.close()

    const rendered = makeApp()
    await rendered.register(hydrakit, { verifier: tableVerifier(), errors: 'forward' })
    rendered.setErrorHandler(hydrakitErrorHandler())
    rendered.get('/x', { preHandler: rendered.hydrakit.authenticate() }, () => ({ ok: true }))
    const j = await request(await ready(rendered))
      .get('/x')
      .set(bearer('bad'))
    expect(j.status).toBe(401)
    expect(j.body).toEqual({ error: 'invalid_token', error_description: 'bad signature' })
    await rendered.close()
  })

  it('an unexpected verifier failure is a 500 from the error handler, never a 401', async () => {
    const app = makeApp()
    await app.register(hydrakit, {
      verifier: { realm: 'api', verify: () => Promise.reject(new Error('bug')) },
    })
    app.get('/x', { preHandler: app.hydrakit.authenticate() }, () => ({ ok: true }))
    const r = await request(await ready(app))
      .get('/x')
      .set(bearer('t'))
    expect(r.status).toBe(500)
    expect(r.headers['www-authenticate']).toBeUndefined()
    await app.close()
  })

  it('is encapsulation-aware: the decoration lives in the scope that registered it', async () => {
    const app = makeApp()
    let inner: HydraAuth | undefined
    await app.register(async (scope) => {
      await scope.register(hydrakit, { verifier: tableVerifier() })
      inner = scope.hydrakit
      scope.get('/inner', { preHandler: scope.hydrakit.authenticate() }, (req) => ({
        sub: req.auth?.subject,
      }))
    })
    app.get('/outer', () => ({ ok: true }))
    const server = await ready(app)
    expect(inner).toBeDefined()
    expect(app.hasDecorator('hydrakit')).toBe(false)
    expect((await request(server).get('/inner').set(bearer('scopes-read'))).body).toEqual({ sub: 'alice' })
    expect((await request(server).get('/inner')).status).toBe(401)
    expect((await request(server).get('/outer')).status).toBe(200)
    await app.close()
  })

  it('closes the verifier on onClose', async () => {
    let closed = 0
    const verifier = { ...tableVerifier(), close: () => Promise.resolve(void closed++) }
    const app = makeApp()
    await app.register(hydrakit, { verifier })
    await app.ready()
    await app.close()
    expect(closed).toBe(1)
  })

  it('serves the RFC 9728 document and adds resource_metadata to challenges', async () => {
    const app = makeApp()
    await app.register(hydrakit, {
      verifier: tableVerifier(),
      protectedResource: { resource: 'https://api.example', authorizationServers: ['https://hydra.example'] },
    })
    app.get('/x', { preHandler: app.hydrakit.authenticate() }, () => ({ ok: true }))
    const server = await ready(app)
    const doc = await request(server).get('/.well-known/oauth-protected-resource')
    expect(doc.status).toBe(200)
    expect(doc.headers['cache-control']).toBe('public, max-age=3600')
    expect(doc.body).toMatchObject({ resource: 'https://api.example' })
    expect((await request(server).head('/.well-known/oauth-protected-resource')).status).toBe(200)
    const r = await request(server).get('/x')
    expect(r.headers['www-authenticate']).toBe(
      'Bearer realm="api", resource_metadata="https://api.example/.well-known/oauth-protected-resource"',
    )
    await app.close()
  })

  it('refuses bad options at registration with a TypeError naming them', async () => {
    const app = makeApp()
    await expect(
      app.register(hydrakit, { verifier: tableVerifier(), errors: 'loud' as never }),
    ).rejects.toThrow(/errors must be/)
    expect(() => hydra({ verifier: {} as never })).toThrow(/verifier must be/)
    const twice = makeApp()
    await twice.register(hydrakit, { verifier: tableVerifier() })
    await expect(twice.register(hydrakit, { verifier: tableVerifier() })).rejects.toThrow(/hydrakit/)
  })

  it('standalone hooks work without the plugin; a scope hook without a verifier fails closed', async () => {
    const app = makeApp()
    app.get('/x', { preHandler: requireScope('read') }, () => ({ ok: true }))
    app.get('/y', { preHandler: requireScope('read', { verifier: tableVerifier() }) }, () => ({ ok: true }))
    const server = await ready(app)
    expect((await request(server).get('/x').set(bearer('scopes-read'))).status).toBe(401)
    expect((await request(server).get('/y').set(bearer('scopes-read'))).status).toBe(200)
    await app.close()
  })
})

describe.each(frameworks)('%s loginConsentRoutes', (_name, makeApp) => {
  let env: Env
  beforeAll(async () => {
    env = await startEnv()
  })
  afterAll(async () => {
    await env.close()
  })

  it('runs the login flow under a prefix, reading the form itself; 405 for PUT', async () => {
    const app = makeApp()
    await app.register(loginConsentRoutes(flowOptions(env)), { prefix: '/auth' })
    const agent = request.agent(await ready(app))
    const browser = new HydraBrowser()
    const challenge = await startLogin(env, browser)
    const page = await agent.get(`/auth/login?login_challenge=${challenge}`)
    expect(page.status).toBe(200)
    expect(page.headers['x-frame-options']).toBe('DENY')
    expect(page.headers['set-cookie']?.[0]).toMatch(/^hydrakit_csrf=/)
    const csrf = /name="csrf_token" value="([^"]+)"/.exec(page.text)![1]!
    const login = await agent
      .post('/auth/login')
      .type('form')
      .send({ challenge, csrf_token: csrf, username: 'alice', password: 'wonderland' })
    expect(login.status).toBe(303)
    expect(challengeIn(await browser.follow(login.headers.location!), 'consent')).toBeTruthy()
    const put = await agent.put('/auth/consent').send('x')
    expect(put.status).toBe(405)
    expect((await agent.get('/login')).status).toBe(404)
    await app.close()
  })

  it('refuses a POST without the CSRF token with a 403 page', async () => {
    const app = makeApp()
    await app.register(loginConsentRoutes(flowOptions(env)), { prefix: '/auth' })
    const agent = request.agent(await ready(app))
    const challenge = await startLogin(env, new HydraBrowser())
    await agent.get(`/auth/login?login_challenge=${challenge}`)
    const res = await agent.post('/auth/login').type('form').send({ challenge, username: 'alice' })
    expect(res.status).toBe(403)
    await app.close()
  })
})
