// @hydrakit/web/hono: the Web adapter's checks as Hono middleware.
import type { AuthInfo } from '@hydrakit/core'
import type { RequestLike } from '@hydrakit/core/adapter'
import type { MiddlewareHandler } from 'hono'
import { check, compileRequirements, describeRequest, type Requirements, type WebAuth } from './web.js'

/** The variables hydrakit's Hono middleware sets: `c.var.auth` (`undefined` when anonymous). */
export interface HydrakitVariables {
  /** The verified token of this request, or `undefined` for an anonymous one let through by `optional`. */
  auth: AuthInfo | undefined
}

/** Hono's environment type for routes behind {@link honoAuth}: `new Hono<HydrakitEnv>()`. */
export interface HydrakitEnv {
  Variables: HydrakitVariables
}

const FORM = /^application\/x-www-form-urlencoded\b/i

/** The parts of Node's `IncomingMessage` read here. */
interface NodeRequest {
  method?: string | undefined
  url?: string | undefined
  headers: Record<string, string | string[] | undefined>
  rawHeaders: string[]
  socket?: object | undefined
}

/** `c.env.incoming` under @hono/node-server (its `HttpBindings`), when it looks like Node's request. */
function nodeRequestOf(env: unknown): NodeRequest | undefined {
  if (env === null || typeof env !== 'object') return undefined
  const incoming = (env as { incoming?: unknown }).incoming
  if (incoming === null || typeof incoming !== 'object') return undefined
  const r = incoming as Partial<NodeRequest>
  if (r.headers === null || typeof r.headers !== 'object' || !Array.isArray(r.rawHeaders)) return undefined
  return r as NodeRequest
}

function describeNodeRequest(r: NodeRequest): RequestLike {
  return {
    method: r.method ?? 'GET',
    url: r.url,
    headers: r.headers,
    rawHeaders: r.rawHeaders,
    socket: r.socket,
  }
}

/**
 * Hono middleware that applies `requirements` (checked now) and sets `c.var.auth`; a refused
 * request gets its error response (400/401/403 with `WWW-Authenticate`, 503 on an outage).
 * Several of them on one request verify the token once.
 *
 * ```ts
 * const app = new Hono<HydrakitEnv>()
 * app.get('/me', honoAuth(auth, { scope: 'read' }), (c) => c.json({ sub: c.var.auth?.subject }))
 * ```
 */
export function honoAuth(auth: WebAuth, requirements?: Requirements): MiddlewareHandler<HydrakitEnv> {
  const guards = compileRequirements(auth.guards, requirements)
  const readBody = auth.guards.bearerMethods.includes('body')
  return async (c, next) => {
    let result: AuthInfo | null | Response | Promise<AuthInfo | null | Response>
    const incoming = readBody ? undefined : nodeRequestOf(c.env)
    if (incoming !== undefined) {
      // Under @hono/node-server: read the Node request itself (HttpBindings' `incoming`), so the
      // Web Request is never built for the check, and a cached token settles without a promise.
      result = check({ request: incoming, like: describeNodeRequest(incoming) }, guards)
    } else {
      const request = c.req.raw
      let body: unknown
      if (
        readBody &&
        request.method !== 'GET' &&
        request.method !== 'HEAD' &&
        FORM.test(c.req.header('content-type') ?? '')
      ) {
        body = await c.req.parseBody()
      }
      result = check({ request, like: await describeRequest(request, false, body) }, guards)
    }
    if (result instanceof Promise) result = await result
    if (result instanceof Response) return result
    c.set('auth', result ?? undefined)
    await next()
    return undefined
  }
}

/**
 * Hono middleware serving the RFC 9728 protected-resource metadata document; passes every other
 * request on. Requires `protectedResource`. `app.use(protectedResourceMetadata(auth))`.
 */
export function protectedResourceMetadata(auth: WebAuth): MiddlewareHandler {
  if (auth.guards.resourceMetadata === undefined) {
    throw new TypeError('protectedResourceMetadata() needs the protectedResource option')
  }
  return async (c, next) => {
    const out = auth.protectedResourceMetadata(c.req.raw)
    if (out !== undefined) return out
    await next()
    return undefined
  }
}
