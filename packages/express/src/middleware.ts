import { isCorsPreflight, toErrorResponse, type AuthState, type Guard } from '@hydrakit/core/adapter'
import { isHydrakitError, type RequestLike } from '@hydrakit/core'
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import { readState, writeState } from './state.js'

/**
 * What the middleware does with a hydrakit error (400/401/403/503):
 * - `'respond'` (default): writes the status, `WWW-Authenticate` and a JSON body
 *   `{ error, error_description }` itself, so no error handler is needed;
 * - `'forward'`: calls `next(err)` with the typed error, for apps with their own error handler
 *   (mount `errorHandler()` to get the same rendering there).
 * Unexpected errors (a bug, a throwing hook) are always forwarded to `next(err)`.
 */
export type ErrorMode = 'respond' | 'forward'

export function checkErrorMode(value: unknown): ErrorMode {
  if (value === undefined) return 'respond'
  if (value !== 'respond' && value !== 'forward') throw new TypeError(`errors must be 'respond' or 'forward'`)
  return value
}

/** Writes a hydrakit error as JSON, or forwards it. */
export function sendError(err: unknown, res: Response, next: NextFunction, mode: ErrorMode): void {
  if (mode === 'forward' || !isHydrakitError(err) || res.headersSent) {
    next(err)
    return
  }
  const out = toErrorResponse(err)
  res.statusCode = out.status
  for (const name in out.headers) res.setHeader(name, out.headers[name]!)
  res.end(out.body)
}

/** Turns a framework-free guard into Express middleware (Express 4 and 5). */
export function toMiddleware(guard: Guard, mode: ErrorMode): RequestHandler {
  return function hydrakitGuard(req: Request, res: Response, next: NextFunction): void {
    if (isCorsPreflight(req)) {
      next()
      return
    }
    const known = readState(req)
    if (known !== undefined) {
      try {
        guard.check(known)
      } catch (err) {
        sendError(err, res, next, mode)
        return
      }
      next()
      return
    }
    const like: RequestLike = {
      method: req.method,
      url: req.originalUrl,
      headers: req.headers,
      rawHeaders: req.rawHeaders,
      body: req.body as unknown,
    }
    let state: AuthState | Promise<AuthState>
    try {
      state = guard.start(like)
    } catch (err) {
      sendError(err, res, next, mode)
      return
    }
    if (state instanceof Promise) {
      state.then(
        (settled: AuthState) => {
          writeState(req, settled)
          next()
        },
        (err: unknown) => sendError(err, res, next, mode),
      )
      return
    }
    // Answered from the verifier's cache: no promise, no extra tick.
    writeState(req, state)
    next()
  }
}
