import Koa2 from 'koa2'
import Koa3 from 'koa'
import request from 'supertest'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { HydrakitError, type AuthInfo } from '@hydrakit/core'
import { authenticate, errorHandler, getAuth, hydra, requireScope, type AuthState } from '../src/index.js'
import { tableVerifier } from '../../../test/support/table-verifier.js'

const frameworks: Array<[string, () => Koa3]> = [
  ['Koa 2', () => new Koa2()],
  ['Koa 3', () => new Koa3()],
]

const serve = (app: Koa3) => app.callback()

describe.each(frameworks)('%s adapter plumbing', (_name, makeApp) => {
  it('verifies once per request even with several guards, and sets ctx.state.auth', async () => {
    const verifier = tableVerifier()
    const auth = hydra({ verifier })
    const app = makeApp()
    app.use(auth.authenticate())
    app.use(auth.requireScope('read'))
    app.use(auth.requireAnyScope(['nope', 'write']))
    app.use((ctx) => {
      ctx.body = { sub: getAuth(ctx)?.subject, same: (ctx.state as AuthState).auth === getAuth(ctx) }
    })
    const r = await request(serve(app)).get('/x').set('authorization', 'Bearer scopes-read.write')
    expect(r.status).toBe(200)
    expect(r.body).toEqual({ sub: 'alice', same: true })
    expect(verifier.calls).toBe(1)
  })

  it('with no error middleware, errors render as status + WWW-Authenticate + JSON', async () => {
    const app = makeApp()
    app.silent = true
    app.use(hydra({ verifier: tableVerifier() }).requireScope('admin'))
    app.use((ctx) => {
      ctx.body = 'ok'
    })
    const r = await request(serve(app)).get('/x').set('authorization', 'Bearer scopes-read')
    expect(r.status).toBe(403)
    expect(r.headers['www-authenticate']).toContain('error="insufficient_scope"')
    expect(r.headers['content-type']).toMatch(/^application\/json/)
    expect(r.body).toEqual({
      error: 'insufficient_scope',
      error_description: 'the token lacks a required scope',
    })
    const none = await request(serve(app)).get('/x')
    expect(none.status).toBe(401)
    expect(none.headers['www-authenticate']).toBe('Bearer realm="api"')
  })

  it('upstream error middleware sees the typed error', async () => {
    const app = makeApp()
    const seen: unknown[] = []
    app.use(async (ctx, next) => {
      try {
        await next()
      } catch (err) {
        seen.push(err)
        ctx.status = 418
        ctx.body = { mine: true }
      }
    })
    app.use(hydra({ verifier: tableVerifier() }).authenticate())
    const r = await request(serve(app)).get('/x').set('authorization', 'Bearer bad')
    expect(r.status).toBe(418)
    expect(r.body).toEqual({ mine: true })
    expect(seen[0]).toBeInstanceOf(HydrakitError)
  })

  it('errorHandler() renders hydrakit errors and rethrows others', async () => {
    const app = makeApp()
    app.silent = true
    app.use(errorHandler())
    app.use(authenticate(tableVerifier()))
    app.use(() => {
      throw new Error('boom')
    })
    const down = await request(serve(app)).get('/x').set('authorization', 'Bearer down')
    expect(down.status).toBe(503)
    expect(down.body).toEqual({ error: 'temporarily_unavailable', error_description: 'upstream down' })
    const boom = await request(serve(app)).get('/x').set('authorization', 'Bearer scopes-a')
    expect(boom.status).toBe(500)
    expect(boom.text).toBe('Internal Server Error')
  })

  it('optional authentication: anonymous passes, invalid is refused', async () => {
    const app = makeApp()
    app.silent = true
    app.use(hydra({ verifier: tableVerifier() }).authenticate({ optional: true }))
    app.use((ctx) => {
      ctx.body = { anonymous: getAuth(ctx) === undefined }
    })
    expect((await request(serve(app)).get('/x')).body).toEqual({ anonymous: true })
    expect((await request(serve(app)).get('/x').set('authorization', 'Bearer bad')).status).toBe(401)
  })

  it('standalone requireScope without a verifier fails closed', async () => {
    const app = makeApp()
    app.silent = true
    app.use(requireScope('read'))
    expect((await request(serve(app)).get('/x').set('authorization', 'Bearer scopes-read')).status).toBe(401)
  })
})

describe('types', () => {
  it('getAuth is generic; AuthState types ctx.state', () => {
    expectTypeOf(getAuth<{ plan: string }>).returns.toEqualTypeOf<AuthInfo<{ plan: string }> | undefined>()
    expectTypeOf(getAuth<{ plan: string }>)
      .parameter(0)
      .toEqualTypeOf<Koa3.Context>()
    expectTypeOf<AuthState['auth']>().toEqualTypeOf<AuthInfo>()
  })
})
