import fp from 'fastify-plugin'
import type { FastifyPluginCallback } from 'fastify'
import { hydra, type HydraAuth, type HydraOptions } from './hydra.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The hydrakit instance registered with the `hydrakit` plugin: hooks, verifier, `close()`. */
    hydrakit: HydraAuth
  }
}

/** Options of the {@link hydrakit} plugin: those of `hydra()`, or a ready instance as `{ auth }`. */
export type HydrakitPluginOptions = HydraOptions | { auth: HydraAuth }

const plugin: FastifyPluginCallback<HydrakitPluginOptions> = (fastify, options, done) => {
  try {
    const auth =
      'auth' in options && options.auth !== undefined ? options.auth : hydra(options as HydraOptions)
    fastify.decorate('hydrakit', auth)
    fastify.decorateRequest('auth', undefined)
    fastify.addHook('onClose', () => auth.close())
    if (auth.guards.resourceMetadata !== undefined) {
      // Registered without fastify-plugin, so this route stays inside the scope of its own.
      fastify.register(auth.protectedResourceMetadata())
    }
  } catch (err) {
    // A callback plugin that throws leaves the registration hanging: fail it instead (bad options,
    // or a second registration in the same scope).
    done(err as Error)
    return
  }
  done()
}

/**
 * The hydrakit plugin: `await fastify.register(hydrakit, options)` decorates the instance with
 * `fastify.hydrakit` (the hooks of one configuration), declares `request.auth`, closes the
 * verifier on `onClose`, and serves the RFC 9728 metadata document when `protectedResource` is
 * set. Wrapped with fastify-plugin, so the decoration is visible in the scope that registered it
 * (and its children), not only inside the plugin. Options are checked now: a bad one fails the
 * registration with a TypeError naming it.
 *
 * ```ts
 * await app.register(hydrakit, { mode: 'jwt', issuer: 'https://hydra.example', audience: 'api' })
 * app.get('/me', { preHandler: app.hydrakit.requireScope('read') }, (request) => request.auth)
 * ```
 */
export const hydrakit = fp(plugin, { name: '@hydrakit/fastify', fastify: '4.x || 5.x' })
