import {
  createLoginConsentHandler,
  type FlowRoute,
  type LoginConsentHandler,
  type LoginConsentOptions,
} from '@hydrakit/core/flows'
import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify'

/** Options of {@link loginConsentRoutes}: exactly core's `LoginConsentOptions`. Mount with Fastify's `prefix`. */
export type LoginConsentRoutesOptions = LoginConsentOptions

/** The plugin returned by {@link loginConsentRoutes}, with the framework-free handler it wraps. */
export type LoginConsentRoutes = FastifyPluginCallback & {
  /** The core handler (flows, `respond`), e.g. to call a flow from your own route. */
  readonly flows: LoginConsentHandler
}

const ROUTES: readonly FlowRoute[] = ['login', 'consent', 'logout']

/**
 * Hydra's login, consent and logout provider as a Fastify plugin (Fastify 4 and 5): `GET`/`POST`
 * `/login`, `/consent` and `/logout`, below the `prefix` you register it with. Other methods get
 * the flow's 405 page. It reads form bodies itself (no @fastify/formbody needed; one registered
 * before it is fine). Options are checked now: a bad one throws a TypeError naming it. Errors
 * thrown by your hooks go to Fastify's error handler.
 *
 * ```ts
 * await app.register(loginConsentRoutes({
 *   admin: createHydraAdminClient({ adminUrl: process.env.HYDRA_ADMIN_URL! }),
 *   hydraPublicUrl: process.env.HYDRA_PUBLIC_URL!,
 *   csrfSecret: process.env.CSRF_SECRET!,
 *   authenticate: async ({ username, password }) => (await users.check(username, password)) ? { subject: username } : null,
 * }), { prefix: '/auth' })
 * ```
 */
export function loginConsentRoutes(options: LoginConsentRoutesOptions): LoginConsentRoutes {
  const flows = createLoginConsentHandler(options)
  const plugin: FastifyPluginCallback = (instance, _opts, done) => {
    // Leave bodies this scope has no parser for (urlencoded, unless the app added one) unread:
    // the flow reads them itself, with its own size limit and 413/415 pages.
    if (!instance.hasContentTypeParser('*')) {
      instance.addContentTypeParser('*', (_request, _payload, parsed) => parsed(null, undefined))
    }
    for (const route of ROUTES) {
      const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
        const out = await flows.handle(route, {
          method: request.method,
          url: request.url,
          headers: request.headers,
          secure: request.protocol === 'https',
          stream: request.raw,
          parsedBody: request.body,
        })
        return reply.code(out.status).headers(out.headers).send(out.body)
      }
      instance.all(`/${route}`, handler)
    }
    done()
  }
  return Object.assign(plugin, { flows })
}
