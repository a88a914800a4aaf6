import express4 from 'express4'
import express5 from 'express'
import request from 'supertest'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { HydrakitError, type AuthInfo } from '@hydrakit/core'
import {
  authenticate,
  errorHandler,
  getAuth,
  hydra,
  requireScope,
  type AuthenticatedRequest,
} from '../src/index.js'
import { tableVerifier } from '../../../test/support/table-verifier.js'

type Factory = () => express5.Express
const frameworks: Array<[string, Factory]> = [
  ['Express 4', () => express4()],
  ['Express 5', () => express5()],
]

describe.each(frameworks)('%s adapter plumbing', (_name, makeApp) => {
  it('verifies once per request even with several guards, and exposes req.auth', async () => {
    const verifier = tableVerifier()
    const auth = hydra({ verifier })
    const app = makeApp()
    app.use(auth.authenticate())
    app.get(
      '/x',
      auth.requireScope('read'),
      auth.requireScopes(['read', 'write']),
      auth.requireAnyScope(['nope', 'write']),
      (req, res) => {
        res.json({ sub: getAuth(req)?.subject, same: (req as AuthenticatedRequest).auth === getAuth(req) })
      },
    )
    const r = await request(app).get('/x').set('authorization', 'Bearer scopes-read.write')
    expect(r.status).toBe(200)
    expect(r.body).toEqual({ sub: 'alice', same: true })
    expect(verifier.calls).toBe(1)
  })

  it('req.auth lives on the app, not on Express globally, and other code may still assign it', async () => {
    const app = makeApp()
    app.use(hydra({ verifier: tableVerifier() }).authenticate())
    app.get('/x', (req, res) => {
      const seen = (req as AuthenticatedRequest).auth.subject
      ;(req as { auth?: unknown }).auth = { replaced: true }
      res.json({ seen, now: (req as { auth?: unknown }).auth })
    })
    const r = await request(app).get('/x').set('authorization', 'Bearer scopes-read')
    expect(r.body).toEqual({ seen: 'alice', now: { replaced: true } })
    expect(Object.hasOwn(express5.request, 'auth')).toBe(false)
    expect(Object.hasOwn(express4.request, 'auth')).toBe(false)
  })

  it('behind a mounted router: a query token still counts as a second method, and query tokens work', async () => {
    const router = express5.Router()
    router.get('/x', hydra({ verifier: tableVerifier() }).authenticate(), (req, res) => {
      res.json({ sub: getAuth(req)?.subject, url: req.url })
    })
    const viaQuery = express5.Router()
    viaQuery.get(
      '/x',
      hydra({ verifier: tableVerifier(), token: { query: true } }).authenticate(),
      (req, res) => {
        res.json({ sub: getAuth(req)?.subject })
      },
    )
    const app = makeApp()
    app.use('/mounted/deeper', router)
    app.use('/q', viaQuery)
    const ok = await request(app).get('/mounted/deeper/x?a=1').set('authorization', 'Bearer scopes-read')
    expect(ok.body).toEqual({ sub: 'alice', url: '/x?a=1' })
    const twice = await request(app)
      .get('/mounted/deeper/x?access_token=scopes-read')
      .set('authorization', 'Bearer scopes-read')
    expect(twice.status).toBe(400)
    expect(twice.body.error_description).toBe('token sent by more than one method')
    expect((await request(app).get('/q/x?access_token=scopes-read')).body).toEqual({ sub: 'alice' })
  })

  it('token.getToken receives the request itself', async () => {
    const seen: unknown[] = []
    const app = makeApp()
    app.get(
      '/x',
      hydra({
        verifier: tableVerifier(),
        token: {
          header: false,
          getToken: (req) => {
            seen.push(req)
            return (req.headers['x-token'] as string | undefined) ?? undefined
          },
        },
      }).authenticate(),
      (req, res) => res.json({ sub: getAuth(req)?.subject, same: seen[0] === req }),
    )
    const r = await request(app).get('/x').set('x-token', 'scopes-read')
    expect(r.body).toEqual({ sub: 'alice', same: true })
  })

  it('a scope guard alone authenticates first', async () => {
    const verifier = tableVerifier()
    const app = makeApp()
    app.use(hydra({ verifier }).requireScope('read'))
    app.get('/x', (req, res) => res.json(getAuth(req)?.scopes))
    expect((await request(app).get('/x').set('authorization', 'Bearer scopes-read')).body).toEqual(['read'])
    const denied = await request(app).get('/x').set('authorization', 'Bearer scopes-write')
    expect(denied.status).toBe(403)
    expect(denied.headers['www-authenticate']).toContain('scope="read"')
    expect(denied.headers['content-type']).toMatch(/^application\/json/)
    expect(denied.body).toEqual({
      error: 'insufficient_scope',
      error_description: 'the token lacks a required scope',
    })
  })

  it("errors: 'forward' hands the typed error to the app's own handler", async () => {
    const app = makeApp()
    const seen: unknown[] = []
    app.use(hydra({ verifier: tableVerifier(), errors: 'forward' }).authenticate())
    app.get('/x', (_req, res) => res.send('ok'))
    app.use((err: unknown, _req: express5.Request, res: express5.Response, _next: express5.NextFunction) => {
      seen.push(err)
      res.status(418).json({ mine: true })
    })
    const r = await request(app).get('/x').set('authorization', 'Bearer bad')
    expect(r.status).toBe(418)
    expect(seen[0]).toBeInstanceOf(HydrakitError)
    expect((seen[0] as HydrakitError).code).toBe('ERR_HYDRAKIT_INVALID_TOKEN')
  })

  it('errorHandler() renders forwarded errors and passes others on', async () => {
    const app = makeApp()
    app.use(hydra({ verifier: tableVerifier(), errors: 'forward' }).authenticate())
    app.get('/x', (_req, res) => res.send('ok'))
    app.use(errorHandler())
    const r = await request(app).get('/x').set('authorization', 'Bearer down')
    expect(r.status).toBe(503)
    expect(r.body).toEqual({ error: 'temporarily_unavailable', error_description: 'upstream down' })
    expect(r.headers['www-authenticate']).toBeUndefined()
  })

  it('errors thrown by the verifier that are not hydrakit errors reach next(err), never an unhandled rejection', async () => {
    const app = makeApp()
    const seen: unknown[] = []
    app.use(authenticate({ realm: 'api', verify: () => Promise.reject(new Error('bug')) }))
    app.use((err: Error, _req: express5.Request, res: express5.Response, _next: express5.NextFunction) => {
      seen.push(err)
      res.status(500).send('handled')
    })
    const r = await request(app).get('/x').set('authorization', 'Bearer t')
    expect(r.status).toBe(500)
    expect((seen[0] as Error).message).toBe('bug')
  })

  it('standalone requireScope without a verifier refuses unauthenticated requests (fail closed)', async () => {
    const app = makeApp()
    app.get('/x', requireScope('read'), (_req, res) => res.send('ok'))
    const r = await request(app).get('/x').set('authorization', 'Bearer scopes-read')
    expect(r.status).toBe(401)
    const app2 = makeApp()
    const verifier = tableVerifier()
    app2.get('/x', authenticate(verifier), requireScope('read'), (_req, res) => res.send('ok'))
    expect((await request(app2).get('/x').set('authorization', 'Bearer scopes-read')).status).toBe(200)
    expect(verifier.calls).toBe(1)
  })

  it('the realm of the verifier is used in challenges', async () => {
    const app = makeApp()
    app.use(authenticate(tableVerifier('orders')))
    const r = await request(app).get('/x')
    expect(r.status).toBe(401)
    expect(r.headers['www-authenticate']).toBe('Bearer realm="orders"')
    expect(r.headers['cache-control']).toBe('no-store')
  })

  it('validates options at construction', () => {
    expect(() => hydra({ verifier: tableVerifier(), errors: 'throw' as never })).toThrow(/errors/)
    expect(() => hydra({ verifier: {} as never })).toThrow(/verifier/)
    expect(() => hydra({ verifier: tableVerifier() }).requireScope('')).toThrow(/requireScope/)
    expect(() => hydra({ verifier: tableVerifier(), token: { maxTokenLength: -1 } })).toThrow(
      /token\.maxTokenLength/,
    )
  })
})

describe('types', () => {
  it('getAuth is generic over ext; req.auth is typed only for AuthenticatedRequest', () => {
    const req = {} as express5.Request
    expectTypeOf(getAuth<{ tenant: string }>(req)).toEqualTypeOf<AuthInfo<{ tenant: string }> | undefined>()
    expectTypeOf<AuthenticatedRequest['auth']>().toEqualTypeOf<AuthInfo>()
    // No global pollution: a plain Request has no `auth` unless '@hydrakit/express/global' is imported.
    expectTypeOf<'auth' extends keyof express5.Request ? true : false>().toEqualTypeOf<false>()
  })
})
