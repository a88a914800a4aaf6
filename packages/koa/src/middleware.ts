import { HydrakitError, type AuthInfo } from '@hydrakit/core'
import { createGuardRunner, toErrorResponse, type ErrorResponse, type Guard } from '@hydrakit/core/adapter'
import type { Context, Middleware, Next } from 'koa'

/** What guards remember per request, private to this package; absent = not authenticated yet. */
const kAuth = Symbol('hydrakit.auth')

type State = { [kAuth]?: AuthInfo | null; auth?: AuthInfo }

export function readAuth(ctx: Context): AuthInfo | null | undefined {
  return (ctx.state as State)[kAuth]
}

const runGuard = createGuardRunner<Context>({
  describe: (ctx) => ({
    method: ctx.req.method ?? 'GET',
    url: ctx.originalUrl,
    headers: ctx.req.headers,
    rawHeaders: ctx.req.rawHeaders,
    socket: ctx.req.socket,
    body: (ctx.request as { body?: unknown }).body,
  }),
  read: readAuth,
  write: (ctx, auth) => {
    const s = ctx.state as State
    s[kAuth] = auth
    if (auth !== null) s.auth = auth
  },
})

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
    let waiting: Promise<void> | undefined
    try {
      waiting = runGuard(guard, ctx)
    } catch (err) {
      return fail(ctx, err)
    }
    if (waiting === undefined) return next()
    return waiting.then(next, (err: unknown) => fail(ctx, err))
  }
}
