// One benchmark server per process: `GET /api` answers a small JSON body, behind the scenario's
// auth middleware (or none, for the framework ceilings). Started by run.mjs with
//   BENCH_SERVER='{"scenario":"…","issuer":"http://…","adminUrl":"http://…"}' node server.mjs
// It reports its port over IPC and answers { type: 'cpu' } with its own CPU time and RSS, so the
// harness can compute server CPU per request without counting the load generator, and to
// { type: 'track', on } by starting (or stopping and reporting) server-side latency recording.
import { createPublicKey, verify as cryptoVerify } from 'node:crypto'
import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import { AUDIENCE } from './tokens.mjs'

const require = createRequire(import.meta.url)
const config = JSON.parse(process.env.BENCH_SERVER ?? '{}')
/** @type {string} */
const scenario = config.scenario
/** @type {string} */
const issuer = config.issuer
/** @type {string} */
const adminUrl = config.adminUrl
const jwksUri = `${issuer}/.well-known/jwks.json`
const ALGORITHMS = ['RS256', 'ES256']

/**
 * Every scenario: a factory returning a node:http request listener.
 * @type {Record<string, () => Promise<import('node:http').RequestListener>>}
 */
export const SCENARIOS = {
  'bare-node': async () => (req, res) => {
    if (req.url === '/api') {
      const body = JSON.stringify({ ok: true, sub: null })
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length })
      res.end(body)
    } else {
      res.writeHead(404).end()
    }
  },
  'bare-express4': async () => express(require('express4'), undefined),
  'bare-express5': async () => express((await import('express')).default, undefined),
  'bare-koa': async () => koa(undefined),
  'bare-fastify': async () => fastify(undefined),
  'bare-hono': async () => hono(undefined),
  // The floor for distinct tokens: one RS256 signature check on a cached KeyObject, nothing else
  // (no header, claims, audience or expiry checks). No library can verify a JWT for less.
  'floor-node-rs256': async () => {
    const { keys } = await (await fetch(jwksUri)).json()
    const jwk = keys.find((/** @type {any} */ k) => k.kty === 'RSA')
    const key = createPublicKey({ key: jwk, format: 'jwk' })
    const ok = JSON.stringify({ ok: true, sub: null })
    const refused = JSON.stringify({ error: 'invalid_token' })
    return (req, res) => {
      const header = req.headers.authorization
      let valid = false
      if (header !== undefined && header.startsWith('Bearer ')) {
        const last = header.lastIndexOf('.')
        if (last > 7) {
          try {
            valid = cryptoVerify(
              'sha256',
              Buffer.from(header.slice(7, last), 'latin1'),
              key,
              Buffer.from(header.slice(last + 1), 'base64url'),
            )
          } catch {
            valid = false
          }
        }
      }
      const body = valid ? ok : refused
      res.writeHead(valid ? 200 : 401, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': body.length,
      })
      res.end(body)
    }
  },
  // One middleware that does nothing but pass the request on, per framework: what adding any
  // middleware costs there (hydrakit's hot path is measured against it). No auth at all.
  'layer-express4': async () =>
    express(
      require('express4'),
      (/** @type {any} */ _req, /** @type {any} */ _res, /** @type {() => void} */ next) => next(),
    ),
  'layer-koa': async () => koa((/** @type {any} */ _ctx, /** @type {() => Promise<void>} */ next) => next()),
  'layer-fastify': async () =>
    fastify(
      async () => (/** @type {any} */ _req, /** @type {any} */ _reply, /** @type {() => void} */ done) =>
        done(),
    ),
  'layer-hono': async () => hono((/** @type {any} */ _c, /** @type {() => Promise<void>} */ next) => next()),
  // The reference for introspection misses: Express 4 and a middleware that POSTs every token to
  // the introspection endpoint with undici.request and parses the answer. No cache, no coalescing,
  // no bounds, no checks beyond `active`.
  'naive-express-introspection': async () => {
    const { request } = createRequire(require.resolve('@hydrakit/core'))('undici')
    const endpoint = `${adminUrl}/admin/oauth2/introspect`
    const headers = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }
    /** @type {import('express').RequestHandler} */
    const mw = (req, res, next) => {
      const header = req.headers.authorization
      if (header === undefined || !header.startsWith('Bearer ')) {
        res.status(401).json({ error: 'invalid_token' })
        return
      }
      request(endpoint, { method: 'POST', headers, body: `token=${encodeURIComponent(header.slice(7))}` })
        .then(async (r) => {
          const data = /** @type {any} */ (await r.body.json())
          if (r.statusCode !== 200 || data?.active !== true) {
            res.status(401).json({ error: 'invalid_token' })
            return
          }
          ;/** @type {any} */ (req).introspected = data
          next()
        })
        .catch(() => res.status(503).json({ error: 'temporarily_unavailable' }))
    }
    return express(require('express4'), mw, (req) => req.introspected?.sub)
  },
  // For the harness's own test: claims to authenticate but accepts anything. The gates must fail it.
  'control-accept-all': async () => express(require('express4'), (_req, _res, next) => next()),

  'peer-oauth2-jwt-bearer': async () => {
    const { auth } = require('express-oauth2-jwt-bearer')
    return express(require('express4'), auth({ issuerBaseURL: issuer, audience: AUDIENCE }), (req) => {
      return req.auth?.payload?.sub
    })
  },
  'peer-express-jwt': async () => {
    const { expressjwt } = require('express-jwt')
    const { expressJwtSecret } = require('jwks-rsa')
    const mw = expressjwt({
      secret: expressJwtSecret({ jwksUri, cache: true, rateLimit: true, jwksRequestsPerMinute: 10 }),
      audience: AUDIENCE,
      issuer,
      algorithms: ALGORITHMS,
    })
    return express(require('express4'), mw, (req) => req.auth?.sub)
  },
  'peer-koa-jwt': async () => {
    const jwt = require('koa-jwt')
    const { koaJwtSecret } = require('jwks-rsa')
    const mw = jwt({
      secret: koaJwtSecret({ jwksUri, cache: true, rateLimit: true, jwksRequestsPerMinute: 10 }),
      audience: AUDIENCE,
      issuer,
      algorithms: ALGORITHMS,
    })
    return koa(mw, (ctx) => ctx.state.user?.sub)
  },

  'hydrakit-express-jwt': async () => hydrakitExpress(require('express4'), { mode: 'jwt' }),
  'hydrakit-express5-jwt': async () => hydrakitExpress((await import('express')).default, { mode: 'jwt' }),
  'hydrakit-koa-jwt': async () => hydrakitKoa({ mode: 'jwt' }),
  'hydrakit-express-introspection': async () =>
    hydrakitExpress(require('express4'), { mode: 'introspection' }),
  'hydrakit-koa-introspection': async () => hydrakitKoa({ mode: 'introspection' }),
  'hydrakit-express-hybrid': async () => hydrakitExpress(require('express4'), { mode: 'hybrid' }),
  'hydrakit-koa-hybrid': async () => hydrakitKoa({ mode: 'hybrid' }),
  'hydrakit-fastify-jwt': async () => {
    // As the package's README sets it up: the plugin (which declares request.auth), then its hooks.
    const { hydrakit } = await import('@hydrakit/fastify')
    return fastify(
      async (/** @type {any} */ app) => {
        await app.register(hydrakit, hydrakitConfig({ mode: 'jwt' }))
        remember(app.hydrakit.verifier)
        return app.hydrakit.authenticate()
      },
      (request) => request.auth?.subject,
    )
  },
  'hydrakit-hono-jwt': async () => {
    const { hydra } = await import('@hydrakit/web')
    const { honoAuth } = await import('@hydrakit/web/hono')
    const auth = hydra(hydrakitConfig({ mode: 'jwt' }))
    remember(auth.verifier)
    return hono(honoAuth(auth), (c) => c.var.auth?.subject)
  },
}

// The verifiers of this server, so that the harness can empty their result caches (see main()).
/** @type {any[]} */
const verifiers = []
/** @param {any} verifier */
function remember(verifier) {
  verifiers.push(verifier)
}

/** @param {{ mode: 'jwt' | 'introspection' | 'hybrid' }} options */
function hydrakitConfig(options) {
  return { ...options, issuer, audience: AUDIENCE, adminUrl }
}

/** @param {any} expressModule @param {{ mode: 'jwt' | 'introspection' | 'hybrid' }} options */
async function hydrakitExpress(expressModule, options) {
  const { hydra } = await import('@hydrakit/express')
  const auth = hydra(hydrakitConfig(options))
  remember(auth.verifier)
  return express(expressModule, auth.authenticate(), (req) => req.auth?.subject)
}

/** @param {{ mode: 'jwt' | 'introspection' | 'hybrid' }} options */
async function hydrakitKoa(options) {
  const { hydra } = await import('@hydrakit/koa')
  const auth = hydra(hydrakitConfig(options))
  remember(auth.verifier)
  return koa(auth.authenticate(), (ctx) => ctx.state.auth?.subject)
}

/**
 * An Express app: `GET /api` behind `middleware`, and an error handler that renders any error with
 * a status (the peers' 401s) as a small JSON body with its headers.
 * @param {any} expressModule
 * @param {any} middleware
 * @param {(req: any) => unknown} [subject]
 */
function express(expressModule, middleware, subject) {
  const app = expressModule()
  app.disable('x-powered-by')
  app.disable('etag')
  const handler = (/** @type {any} */ req, /** @type {any} */ res) => {
    res.json({ ok: true, sub: subject === undefined ? null : (subject(req) ?? null) })
  }
  if (middleware === undefined) app.get('/api', handler)
  else app.get('/api', middleware, handler)
  app.use(
    (/** @type {any} */ err, /** @type {any} */ _req, /** @type {any} */ res, /** @type {any} */ _next) => {
      const status = Number(err?.status ?? err?.statusCode ?? 500)
      if (err?.headers && typeof err.headers === 'object') res.set(err.headers)
      res.status(status).json({ error: String(err?.code ?? err?.name ?? 'error') })
    },
  )
  return app
}

/**
 * A Koa app: `GET /api` behind `middleware`.
 * @param {any} middleware
 * @param {(ctx: any) => unknown} [subject]
 */
function koa(middleware, subject) {
  const Koa = require('koa')
  const app = new Koa()
  app.silent = true
  if (middleware !== undefined) app.use(middleware)
  app.use((/** @type {any} */ ctx) => {
    if (ctx.path === '/api') {
      ctx.body = { ok: true, sub: subject === undefined ? null : (subject(ctx) ?? null) }
    }
  })
  return app.callback()
}

/**
 * A Fastify 5 app: `GET /api` behind the preHandler `setup(app)` gives, as a node:http listener
 * (Fastify hands its handler to the server factory; the harness owns the server).
 * @param {((app: any) => Promise<any>) | undefined} setup
 * @param {(request: any) => unknown} [subject]
 */
async function fastify(setup, subject) {
  const Fastify = (await import('fastify')).default
  /** @type {import('node:http').RequestListener | undefined} */
  let listener
  const app = Fastify({
    serverFactory: (handler) => {
      listener = handler
      return createServer()
    },
  })
  const handler = async (/** @type {any} */ request) => ({
    ok: true,
    sub: subject === undefined ? null : (subject(request) ?? null),
  })
  const hook = setup === undefined ? undefined : await setup(app)
  if (hook === undefined) app.get('/api', handler)
  else app.get('/api', { preHandler: hook }, handler)
  await app.ready()
  return /** @type {import('node:http').RequestListener} */ (listener)
}

/**
 * A Hono app on @hono/node-server: `GET /api` behind `middleware`.
 * @param {any} middleware
 * @param {(c: any) => unknown} [subject]
 */
async function hono(middleware, subject) {
  const { Hono } = await import('hono')
  const { getRequestListener } = await import('@hono/node-server')
  const app = new Hono()
  const handler = (/** @type {any} */ c) =>
    c.json({ ok: true, sub: subject === undefined ? null : (subject(c) ?? null) })
  if (middleware === undefined) app.get('/api', handler)
  else app.get('/api', middleware, handler)
  return getRequestListener(app.fetch)
}

async function main() {
  const factory = SCENARIOS[scenario]
  if (factory === undefined) throw new Error(`unknown scenario ${scenario}`)
  const listener = await factory()
  // Server-side latency (request to 'finish'), recorded only while the harness asks for it.
  let tracking = false
  /** @type {number[]} */
  let latencies = []
  const server = createServer((req, res) => {
    if (tracking) {
      const started = performance.now()
      res.once('finish', () => latencies.push(performance.now() - started))
    }
    listener(req, res)
  })
  server.keepAliveTimeout = 60_000
  server.listen(0, '127.0.0.1', () => {
    const address = /** @type {import('node:net').AddressInfo} */ (server.address())
    process.send?.({ type: 'ready', port: address.port })
  })
  process.on('message', (/** @type {any} */ msg) => {
    if (msg?.type === 'track') {
      tracking = msg.on === true
      const sorted = latencies.sort((a, b) => a - b)
      /** @param {number} p */
      const pct = (p) =>
        sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
      process.send?.({ type: 'track', count: sorted.length, p50: pct(50), p99: pct(99) })
      latencies = []
    }
    if (msg?.type === 'clear') {
      // Before a distinct-token run: results cached from an earlier run of the same pool would
      // turn a run meant to measure full verifications into cache hits.
      for (const v of verifiers) v.clearResultCache?.()
      process.send?.({ type: 'clear', verifiers: verifiers.length })
    }
    if (msg?.type === 'cpu') {
      const { user, system } = process.cpuUsage()
      process.send?.({ type: 'cpu', cpuMicros: user + system, rss: process.memoryUsage.rss() })
    }
  })
  process.on('disconnect', () => process.exit(0))
}

if (process.env.BENCH_SERVER !== undefined) {
  main().catch((err) => {
    console.error(err)
    process.exit(1)
  })
}
