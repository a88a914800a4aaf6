import {
  createLoginConsentHandler,
  type FlowHttpResponse,
  type LoginConsentHandler,
  type LoginConsentOptions,
} from '@hydrakit/core/flows'
import { checkPrefix, pathBelow } from '@hydrakit/core/adapter'
import type { Context, Middleware, Next } from 'koa'

/** Options of {@link loginConsentRouter}: core's `LoginConsentOptions` plus where to serve the routes. */
export interface LoginConsentRouterOptions extends LoginConsentOptions {
  /**
   * Path prefix of the routes, e.g. `'/auth'` serves `/auth/login`, `/auth/consent` and
   * `/auth/logout`. Must start with `/` and not end with one. Default `''` (`/login`, ...), also
   * right when the middleware is mounted with koa-mount.
   */
  prefix?: string | undefined
}

/** The middleware returned by {@link loginConsentRouter}, with the framework-free handler it wraps. */
export type LoginConsentRouter = Middleware & {
  /** The core handler (flows, `respond`). */
  readonly flows: LoginConsentHandler
}

/**
 * Hydra's login, consent and logout provider as Koa middleware (Koa 2 and 3; Koa has no router,
 * so it matches `<prefix>/login`, `/consent` and `/logout` itself and calls `next()` for anything
 * else). It reads form bodies itself (no body parser needed; one before it is fine). Options are
 * checked now: a bad one throws a TypeError naming it. Errors thrown by your hooks propagate.
 *
 * @example
 * ```ts
 * app.use(loginConsentRouter({ prefix: '/auth', admin, hydraPublicUrl, csrfSecret, authenticate }))
 * ```
 */
export function loginConsentRouter(options: LoginConsentRouterOptions): LoginConsentRouter {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object')
  const { prefix: rawPrefix, ...core } = options
  const prefix = checkPrefix(rawPrefix)
  const flows = createLoginConsentHandler(core)
  const middleware = async function hydrakitLoginConsent(ctx: Context, next: Next): Promise<void> {
    const below = pathBelow(prefix, ctx.path)
    const route = below === undefined ? undefined : flows.route(below)
    if (route === undefined) {
      await next()
      return
    }
    const out = await flows.handle(route, {
      method: ctx.method,
      url: ctx.originalUrl,
      headers: ctx.headers,
      secure: ctx.secure,
      stream: ctx.req,
      parsedBody: (ctx.request as { body?: unknown }).body,
    })
    write(ctx, out)
  }
  return Object.assign(middleware, { flows })
}

function write(ctx: Context, out: FlowHttpResponse): void {
  ctx.status = out.status
  for (const [name, value] of Object.entries(out.headers)) {
    if (name === 'set-cookie') ctx.append('Set-Cookie', value)
    else ctx.set(name, value)
  }
  ctx.body = out.body
}
