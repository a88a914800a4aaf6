import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express4 from 'express4'
import express5 from 'express'
import Koa2 from 'koa2'
import Koa3 from 'koa'
import {
  getAuth as expressAuth,
  hydra as expressHydra,
  type HydraOptions as ExpressOptions,
} from '@hydrakit/express'
import { getAuth as koaAuth, hydra as koaHydra, type HydraOptions as KoaOptions } from '@hydrakit/koa'
import fastify5, { type FastifyInstance } from 'fastify'
import fastify4 from 'fastify4'
import { getAuth as fastifyAuth, hydrakit, type HydraOptions as FastifyOptions } from '@hydrakit/fastify'
import { Hono } from 'hono'
import { getRequestListener } from '@hono/node-server'
import { hydra as webHydra, type AuthInfo } from '@hydrakit/web'
import { honoAuth, protectedResourceMetadata, type HydrakitEnv } from '@hydrakit/web/hono'

export type Framework = 'express4' | 'express5' | 'koa2' | 'koa3' | 'fastify4' | 'fastify5' | 'hono'
export const FRAMEWORKS: Framework[] = [
  'express4',
  'express5',
  'koa2',
  'koa3',
  'fastify4',
  'fastify5',
  'hono',
]

/** A started app and a way to stop it. */
export interface RunningApp {
  url: string
  close(): Promise<void>
}

/** Options every adapter accepts (the adapter-specific `errors` mode is left out on purpose). */
export type SharedOptions = ExpressOptions & KoaOptions & FastifyOptions

/**
 * The same protected API in every framework:
 * GET /public, /me (authenticate), /feed (optional), /read, /write (read+write), /any (admin|write),
 * /photos/{exact,wild,hier} (photos.read by strategy), /tenant (claim tenant=acme),
 * OPTIONS /read answered by a CORS responder after the guard.
 */
export async function startApp(framework: Framework, options: SharedOptions): Promise<RunningApp> {
  let closeApp = (): Promise<void> => Promise.resolve()
  let server: Server
  if (framework.startsWith('express')) server = expressServer(framework, options)
  else if (framework.startsWith('koa')) server = koaServer(framework, options)
  else if (framework === 'hono') [server, closeApp] = honoServer(options)
  else [server, closeApp] = await fastifyServer(framework, options)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
      await closeApp()
    },
  }
}

const profile = (a: AuthInfo | undefined): Record<string, unknown> => ({
  subject: a?.subject,
  scopes: a?.scopes,
  source: a?.source,
  anonymous: a === undefined,
})

async function fastifyServer(
  framework: Framework,
  options: SharedOptions,
): Promise<[Server, () => Promise<void>]> {
  const app: FastifyInstance =
    framework === 'fastify4' ? (fastify4() as unknown as FastifyInstance) : fastify5()
  // A form-body parser, standing in for @fastify/formbody.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)))
  })
  await app.register(hydrakit, options)
  const auth = app.hydrakit
  const me = (req: Parameters<typeof fastifyAuth>[0]): Record<string, unknown> => profile(fastifyAuth(req))
  app.get('/public', () => ({ ok: true }))
  app.get('/me', { preHandler: auth.authenticate() }, me)
  app.get('/feed', { preHandler: auth.authenticate({ optional: true }) }, me)
  app.options('/read', { preHandler: auth.requireScope('read') }, (_req, reply) =>
    reply.code(204).header('access-control-allow-origin', '*').send(),
  )
  app.get('/read', { onRequest: auth.requireScope('read') }, me)
  app.post('/read', { preHandler: auth.requireScope('read') }, me)
  app.get('/write', { preHandler: auth.requireScopes(['read', 'write']) }, me)
  app.get('/any', { preHandler: auth.requireAnyScope(['admin', 'write']) }, me)
  app.get('/photos/exact', { preHandler: auth.requireScope('photos.read') }, me)
  app.get('/photos/wild', { preHandler: auth.requireScope('photos.read', { scopeStrategy: 'wildcard' }) }, me)
  app.get(
    '/photos/hier',
    { preHandler: auth.requireScope('photos.read', { scopeStrategy: 'hierarchic' }) },
    me,
  )
  app.get('/tenant', { preHandler: auth.requireClaims({ tenant: 'acme' }) }, me)
  await app.ready()
  return [app.server, () => app.close()]
}

function honoServer(options: SharedOptions): [Server, () => Promise<void>] {
  const auth = webHydra(options)
  const app = new Hono<HydrakitEnv>()
  if (options.protectedResource !== undefined) app.use(protectedResourceMetadata(auth))
  const me = honoAuth
  const json = (c: { json: (v: unknown) => Response; var: { auth: AuthInfo | undefined } }): Response =>
    c.json(profile(c.var.auth))
  app.get('/public', (c) => c.json({ ok: true }))
  app.get('/me', me(auth), json)
  app.get('/feed', me(auth, { optional: true }), json)
  app.options('/read', me(auth, { scope: 'read' }), (c) => {
    c.header('access-control-allow-origin', '*')
    return c.body(null, 204)
  })
  app.on(['GET', 'POST'], '/read', me(auth, { scope: 'read' }), json)
  app.get('/write', me(auth, { scope: ['read', 'write'] }), json)
  app.get('/any', me(auth, { anyScope: ['admin', 'write'] }), json)
  app.get('/photos/exact', me(auth, { scope: 'photos.read' }), json)
  app.get('/photos/wild', me(auth, { scope: 'photos.read', scopeStrategy: 'wildcard' }), json)
  app.get('/photos/hier', me(auth, { scope: 'photos.read', scopeStrategy: 'hierarchic' }), json)
  app.get('/tenant', me(auth, { claims: { tenant: 'acme' } }), json)
  const listener = getRequestListener(app.fetch)
  return [
    createServer((req, res) => {
      void listener(req, res)
    }),
    () => auth.close(),
  ]
}

function expressServer(framework: Framework, options: SharedOptions): Server {
  const app = framework === 'express4' ? (express4() as unknown as express5.Express) : express5()
  const auth = expressHydra(options)
  const me = (req: express5.Request, res: express5.Response): void => {
    const a = expressAuth(req)
    res.json({ subject: a?.subject, scopes: a?.scopes, source: a?.source, anonymous: a === undefined })
  }
  if (options.protectedResource !== undefined) app.use(auth.protectedResourceMetadata())
  app.use(express5.urlencoded({ extended: false }))
  app.get('/public', (_req, res) => {
    res.json({ ok: true })
  })
  app.get('/me', auth.authenticate(), me)
  app.get('/feed', auth.authenticate({ optional: true }), me)
  app.options('/read', auth.requireScope('read'), (_req, res) => {
    res.status(204).set('access-control-allow-origin', '*').end()
  })
  app.get('/read', auth.requireScope('read'), me)
  app.post('/read', auth.requireScope('read'), me)
  app.get('/write', auth.requireScopes(['read', 'write']), me)
  app.get('/any', auth.requireAnyScope(['admin', 'write']), me)
  app.get('/photos/exact', auth.requireScope('photos.read'), me)
  app.get('/photos/wild', auth.requireScope('photos.read', { scopeStrategy: 'wildcard' }), me)
  app.get('/photos/hier', auth.requireScope('photos.read', { scopeStrategy: 'hierarchic' }), me)
  app.get('/tenant', auth.requireClaims({ tenant: 'acme' }), me)
  return createServer(app)
}

function koaServer(framework: Framework, options: SharedOptions): Server {
  const app = framework === 'koa2' ? (new Koa2() as unknown as Koa3) : new Koa3()
  app.silent = true
  const auth = koaHydra(options)
  type Route = { method: string; path: string; guard?: Koa3.Middleware }
  const routes: Route[] = [
    { method: 'GET', path: '/public' },
    { method: 'GET', path: '/me', guard: auth.authenticate() },
    { method: 'GET', path: '/feed', guard: auth.authenticate({ optional: true }) },
    { method: 'OPTIONS', path: '/read', guard: auth.requireScope('read') },
    { method: 'GET', path: '/read', guard: auth.requireScope('read') },
    { method: 'POST', path: '/read', guard: auth.requireScope('read') },
    { method: 'GET', path: '/write', guard: auth.requireScopes(['read', 'write']) },
    { method: 'GET', path: '/any', guard: auth.requireAnyScope(['admin', 'write']) },
    { method: 'GET', path: '/photos/exact', guard: auth.requireScope('photos.read') },
    {
      method: 'GET',
      path: '/photos/wild',
      guard: auth.requireScope('photos.read', { scopeStrategy: 'wildcard' }),
    },
    {
      method: 'GET',
      path: '/photos/hier',
      guard: auth.requireScope('photos.read', { scopeStrategy: 'hierarchic' }),
    },
    { method: 'GET', path: '/tenant', guard: auth.requireClaims({ tenant: 'acme' }) },
  ]
  if (options.protectedResource !== undefined) app.use(auth.protectedResourceMetadata())
  // A tiny form-body parser, standing in for koa-bodyparser.
  app.use(async (ctx, next) => {
    if (ctx.is('application/x-www-form-urlencoded')) {
      let raw = ''
      for await (const chunk of ctx.req) raw += String(chunk)
      ;(ctx.request as { body?: unknown }).body = Object.fromEntries(new URLSearchParams(raw))
    }
    await next()
  })
  app.use(async (ctx, next) => {
    const route = routes.find((r) => r.method === ctx.method && r.path === ctx.path)
    if (route === undefined) return next()
    const respond = (): void => {
      if (ctx.method === 'OPTIONS') {
        ctx.status = 204
        ctx.set('access-control-allow-origin', '*')
        return
      }
      if (route.path === '/public') {
        ctx.body = { ok: true }
        return
      }
      const a = koaAuth(ctx)
      ctx.body = { subject: a?.subject, scopes: a?.scopes, source: a?.source, anonymous: a === undefined }
    }
    if (route.guard === undefined) return respond()
    await route.guard(ctx, () => {
      respond()
      return Promise.resolve()
    })
  })
  const handle = app.callback()
  return createServer((req, res) => {
    void handle(req, res)
  })
}
