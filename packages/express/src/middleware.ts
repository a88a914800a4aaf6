import type { RequestLike } from '@hydrakit/core'
import { createGuardRunner, refusalResponse, type ErrorMode, type Guard } from '@hydrakit/core/adapter'
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import { readAuth, writeAuth } from './auth-slot.js'

const runGuard = createGuardRunner<Request>({
  // An Express request already is a RequestLike (method, url, headers, rawHeaders, socket, body): no
  // copy per request. Its `url` is relative to a router's mount path, but the query string, the only
  // part token extraction reads, is the same as `originalUrl`'s.
  describe: (req) => req as RequestLike,
  read: readAuth,
  write: writeAuth,
})

/** Writes a refusal (status, `WWW-Authenticate`, JSON), or hands the error to `next(err)`. */
export function sendError(err: unknown, res: Response, next: NextFunction, mode: ErrorMode): void {
  const out = mode === 'forward' || res.headersSent ? undefined : refusalResponse(err)
  if (out === undefined) {
    next(err)
    return
  }
  res.statusCode = out.status
  for (const name in out.headers) res.setHeader(name, out.headers[name]!)
  res.end(out.body)
}

/** Turns a framework-free guard into Express middleware (Express 4 and 5). */
export function toMiddleware(guard: Guard, mode: ErrorMode): RequestHandler {
  return function hydrakitGuard(req: Request, res: Response, next: NextFunction): void {
    let waiting: Promise<void> | undefined
    try {
      waiting = runGuard(guard, req)
    } catch (err) {
      sendError(err, res, next, mode)
      return
    }
    if (waiting === undefined) next()
    else
      waiting.then(
        () => next(),
        (err: unknown) => sendError(err, res, next, mode),
      )
  }
}
