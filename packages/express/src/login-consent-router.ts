import {
  createLoginConsentHandler,
  type FlowHttpResponse,
  type LoginConsentHandler,
  type LoginConsentOptions,
} from '@hydrakit/core/flows'
import type { NextFunction, Request, RequestHandler, Response } from 'express'

/**
 * Options of {@link loginConsentRouter}: exactly core's `LoginConsentOptions` (Hydra admin client,
 * Hydra's public URL, CSRF secret, `authenticate`, optional `claims`, page, cookie and flow
 * options). See `packages/core/docs/login-consent.md`.
 */
export type LoginConsentRouterOptions = LoginConsentOptions

/** The middleware returned by {@link loginConsentRouter}, with the framework-free handler it wraps. */
export type LoginConsentRouter = RequestHandler & {
  /** The core handler (flows, `respond`), e.g. to call a flow from your own route. */
  readonly flows: LoginConsentHandler
}

/**
 * Hydra's login, consent and logout provider as Express middleware (Express 4 and 5). Mount it
 * where Hydra's `urls.login`, `urls.consent` and `urls.logout` point: it serves `GET`/`POST`
 * `/login`, `/consent` and `/logout` below the mount path and calls `next()` for anything else.
 * It reads form bodies itself (no body parser needed; one mounted before it is fine). Options are
 * checked now: a bad one throws a TypeError naming it. Errors thrown by your hooks go to `next(err)`.
 *
 * @example
 * ```ts
 * app.use('/auth', loginConsentRouter({
 *   admin: createHydraAdminClient({ adminUrl: process.env.HYDRA_ADMIN_URL! }),
 *   hydraPublicUrl: process.env.HYDRA_PUBLIC_URL!,
 *   csrfSecret: process.env.CSRF_SECRET!,
 *   authenticate: async ({ username, password }) => (await users.check(username, password)) ? { subject: username } : null,
 * }))
 * ```
 */
export function loginConsentRouter(options: LoginConsentRouterOptions): LoginConsentRouter {
  const flows = createLoginConsentHandler(options)
  const middleware = function hydrakitLoginConsent(req: Request, res: Response, next: NextFunction): void {
    const route = flows.route(req.path)
    if (route === undefined) {
      next()
      return
    }
    flows
      .handle(route, {
        method: req.method,
        url: req.originalUrl,
        headers: req.headers,
        secure: req.secure,
        stream: req,
        parsedBody: (req as { body?: unknown }).body,
      })
      .then((out) => write(res, out))
      .catch(next)
  }
  return Object.assign(middleware, { flows })
}

function write(res: Response, out: FlowHttpResponse): void {
  if (res.headersSent) return
  res.statusCode = out.status
  for (const [name, value] of Object.entries(out.headers)) {
    if (name === 'set-cookie') res.append('Set-Cookie', value)
    else res.setHeader(name, value)
  }
  res.end(out.body)
}
