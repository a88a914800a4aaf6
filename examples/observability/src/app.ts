// A small Express API protected by hydrakit (token introspection against Hydra), observable:
// Prometheus metrics on /metrics, optional OpenTelemetry spans, optional debug log, and an optional
// shared Redis cache so that several instances introspect each token once.
import type { RequestListener, Server } from 'node:http'
import {
  combineHooks,
  createDebugLogger,
  createOpenTelemetryHooks,
  createPrometheusHooks,
  type DebugLogFunction,
  type OtelTracerLike,
} from '@hydrakit/core/observability'
import { createIntrospectionVerifier, type IntrospectionVerifier } from '@hydrakit/core'
import {
  createRedisCacheStore,
  createRedisInvalidationBus,
  createTieredCacheStore,
  type TieredCacheStore,
} from '@hydrakit/core/cache'
import { getAuth, hydra, type errorHandler } from '@hydrakit/express'
import express from 'express'
import type { Redis } from 'ioredis'
import * as prom from 'prom-client'

// Express's request/response types, reached through @hydrakit/express's own typings.
type Req = Parameters<ReturnType<typeof errorHandler>>[1]
type Res = Parameters<ReturnType<typeof errorHandler>>[2]

/** Options of {@link createObservabilityApp}. */
export interface ObservabilityAppOptions {
  /** Hydra's admin API, e.g. `http://hydra:4445`. */
  adminUrl: string
  /**
   * The audience tokens must carry (Hydra puts the audiences a client asked for into `aud`), or
   * `false` to accept any audience. Required.
   */
  audience: string | readonly string[] | false
  /** Where metrics are registered and scraped from. Default: a new registry for this app. */
  registry?: prom.Registry | undefined
  /** A Redis connection for the shared cache (L1 per process + Redis + pub/sub invalidation). Default: memory only. */
  redis?: Redis | undefined
  /**
   * The secret (at least 32 bytes, the same on every instance) that signs cache values and
   * invalidation messages in Redis, so that whoever can write to Redis cannot make a token accepted.
   * Required when `redis` is set.
   */
  cacheSecret?: string | undefined
  /** Per-process cache lifetime in ms when `redis` is set. Default `5000`. */
  l1TtlMs?: number | undefined
  /** An OpenTelemetry tracer for spans of Hydra calls. Default: no tracing. */
  tracer?: OtelTracerLike | undefined
  /** Explains refused tokens in the server log: `true` (console.warn) or your log function. Default off. */
  debug?: boolean | DebugLogFunction | undefined
}

/** The app and what it owns. */
export interface ObservabilityApp {
  /** The Express app (a Node request listener): `http.createServer(app)` or `app.listen(port)`. */
  app: RequestListener & {
    listen(port: number, host?: string, callback?: () => void): Server
  }
  registry: prom.Registry
  verifier: IntrospectionVerifier
  /** The tiered cache, when `redis` was given. */
  store: TieredCacheStore | undefined
  /** Closes the verifier and the cache's pub/sub connection (not `redis` itself, which is yours). */
  close(): Promise<void>
}

export function createObservabilityApp(options: ObservabilityAppOptions): ObservabilityApp {
  const registry = options.registry ?? new prom.Registry()
  const store =
    options.redis === undefined
      ? undefined
      : createTieredCacheStore({
          l2: createRedisCacheStore(options.redis, { integrityKey: options.cacheSecret, timeoutMs: 100 }),
          l1: { ttlMs: options.l1TtlMs ?? 5000 },
          invalidation: createRedisInvalidationBus(options.redis, {
            channel: 'orders-api:invalidate',
            integrityKey: options.cacheSecret,
          }),
        })
  const debug =
    options.debug === true
      ? createDebugLogger()
      : options.debug
        ? createDebugLogger(options.debug)
        : undefined

  const hooks = combineHooks(
    createPrometheusHooks(prom, { registry }),
    options.tracer === undefined ? undefined : createOpenTelemetryHooks(options.tracer),
    debug,
  )
  const verifier = createIntrospectionVerifier({
    adminUrl: options.adminUrl,
    audience: options.audience,
    cache: store === undefined ? {} : { store, keyPrefix: 'orders-api:introspection:' },
    hooks,
  })
  // The hooks go to hydra() too: its guards report refused requests (a missing token, a missing scope).
  const auth = hydra({ verifier, hooks, scopeStrategy: 'wildcard' })

  const app = express()
  app.get('/healthz', (_req: Req, res: Res) => res.json({ ok: true }))
  app.get('/metrics', (_req: Req, res: Res) => {
    registry.metrics().then(
      (text) => res.type(registry.contentType).send(text),
      () => res.status(500).end(),
    )
  })
  app.get('/orders', auth.requireScope('orders:read'), (req: Req, res: Res) => {
    const who = getAuth(req)
    res.json({ subject: who?.subject ?? null, orders: [{ id: 1, item: 'coffee' }] })
  })
  // After the client logged out (and Hydra revoked the token), drop it from every instance's cache.
  app.post('/logout', auth.authenticate(), (req: Req, res: Res) => {
    const token = getAuth(req)?.token
    if (token === undefined) {
      res.status(401).json({ error: 'invalid_token' })
      return
    }
    verifier.revoke(token).then(
      (result) => res.status(200).json({ revoked: true, ...result }),
      () => res.status(500).json({ revoked: false }),
    )
  })

  return {
    app,
    registry,
    verifier,
    store,
    async close() {
      await verifier.close()
      await store?.close()
    },
  }
}
