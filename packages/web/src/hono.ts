// @hydrakit/web/hono: the Web adapter's checks as Hono middleware.
import type { AuthInfo } from '@hydrakit/core'
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
    const result = await check({ request, like: await describeRequest(request, false, body) }, guards)
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
