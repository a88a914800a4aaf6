import { HydrakitError, type AuthInfo, type RequestLike } from '@hydrakit/core'
import {
  isCorsPreflight,
  toErrorResponse,
  type AuthState,
  type ErrorResponse,
  type Guard,
} from '@hydrakit/core/adapter'
import type { Context, Middleware, Next } from 'koa'

/** Per-request authentication state, private to this package. `undefined` = not authenticated yet. */
const kState = Symbol('hydrakit.auth')

type State = { [kState]?: AuthState; auth?: AuthInfo }

export function readState(ctx: Context): AuthState | undefined {
  return (ctx.state as State)[kState]
}

function writeState(ctx: Context, state: AuthState): void {
  const s = ctx.state as State
  s[kState] = state
  if (state !== null) s.auth = state
}

/** Replaces every response header with the error's own (as Koa's onerror does); returns the response to write. */
function resetHeaders(res: Context['res'], err: HydrakitError): ErrorResponse {
  const out = toErrorResponse(err)
  for (const name of res.getHeaderNames()) res.removeHeader(name)
  for (const name in out.headers) res.setHeader(name, out.headers[name]!)
  return out
}

/** Writes a hydrakit error: status, its headers, JSON body. Returns false when the response already started. */
export function renderError(ctx: Context, err: HydrakitError): boolean {
  if (ctx.headerSent || !ctx.writable) return false
  const out = resetHeaders(ctx.res, err)
  ctx.status = out.status
  ctx.body = out.body
  return true
}

/**
 * Koa's last-resort error renderer for this context only: hydrakit errors become JSON (like
 * `errorHandler()` would), everything else goes to Koa's own `onerror`. Installed just before a
 * guard throws, so middleware upstream still catches the typed error, and an app without an error
 * handler still answers with status, `WWW-Authenticate` and `{ error, error_description }`.
 */
function onerror(this: Context, err: unknown): void {
  if (!(err instanceof HydrakitError) || this.headerSent || !this.writable) {
    // Koa's own (or the app's app.context) onerror, found on the prototype this property shadows.
    const proto = Object.getPrototypeOf(this) as { onerror: (this: Context, e: unknown) => void }
    proto.onerror.call(this, err)
    return
  }
  this.app.emit('error', err, this)
  const res = this.res
  const out = resetHeaders(res, err)
  res.statusCode = out.status
  res.setHeader('content-length', Buffer.byteLength(out.body))
  res.end(out.body)
}

function fail(ctx: Context, err: unknown): Promise<never> {
  if (err instanceof HydrakitError) ctx.onerror = onerror
  return Promise.reject(err instanceof Error ? err : new Error(String(err)))
}

/** Turns a framework-free guard into Koa middleware (Koa 2 and 3). */
export function toMiddleware(guard: Guard): Middleware {
  return function hydrakitGuard(ctx: Context, next: Next): Promise<unknown> {
    const req = ctx.req
    if (isCorsPreflight(req as unknown as RequestLike)) return next()
    const known = readState(ctx)
    if (known !== undefined) {
      try {
        guard.check(known)
      } catch (err) {
        return fail(ctx, err)
      }
      return next()
    }
    const like: RequestLike = {
      method: req.method ?? 'GET',
      url: ctx.originalUrl,
      headers: req.headers,
      rawHeaders: req.rawHeaders,
      body: (ctx.request as { body?: unknown }).body,
    }
    let state: AuthState | Promise<AuthState>
    try {
      state = guard.start(like)
    } catch (err) {
      return fail(ctx, err)
    }
    if (state instanceof Promise) {
      return state.then(
        (settled: AuthState) => {
          writeState(ctx, settled)
          return next()
        },
        (err: unknown) => fail(ctx, err),
      )
    }
    // Answered from the verifier's cache: no promise of our own, no extra tick.
    writeState(ctx, state)
    return next()
  }
}
