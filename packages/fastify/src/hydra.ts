import type { AuthInfo } from '@hydrakit/core'
import {
  authOrUndefined,
  checkErrorMode,
  createGuardRunner,
  createHydraAuth,
  createStandaloneGuards,
  metadataResponse,
  refusalResponse,
  type ErrorMode,
  type Guard,
  type GuardSettings,
  type HydraAuthBase,
  type HydraAuthOptions,
  type StandaloneGuardOptions,
  type StandaloneGuards,
} from '@hydrakit/core/adapter'
import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify'

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified token, set by hydrakit's `authenticate()` and scope/claim hooks. */
    auth?: AuthInfo | undefined
  }
}

/**
 * A hydrakit guard as a Fastify hook: use it as `preHandler` (needed when the token may come from
 * a form body) or `onRequest`, e.g. `{ preHandler: auth.requireScope('read') }`. Fastify 4 and 5.
 */
export type HydrakitHook = (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => void

/** Settings shared by every hook of one configuration. */
export interface HookSettings extends GuardSettings {
  /**
   * What to do with a refusal (400/401/403/503): `'respond'` (default) writes it with
   * `reply.code().headers().send()` (status, `WWW-Authenticate`, `{ error, error_description }`);
   * `'forward'` hands the typed error to Fastify's error handler (`setErrorHandler`); Fastify's
   * default one keeps its status and `WWW-Authenticate`. Other errors always go to the error handler.
   */
  errors?: ErrorMode | undefined
}

/** Options of {@link hydra} and of the {@link hydrakit} plugin: a verifier configuration plus {@link HookSettings}. */
export type HydraOptions = HookSettings & HydraAuthOptions

/** One configured instance: every hook it makes shares the verifier, its caches and settings. */
export interface HydraAuth extends HydraAuthBase<HydrakitHook> {
  /**
   * A plugin serving the RFC 9728 protected-resource metadata document (GET, and HEAD through
   * Fastify's head routes, on its well-known path). Requires `protectedResource`.
   */
  protectedResourceMetadata(): FastifyPluginCallback
}

// What guards remember per request: absent = not authenticated yet, null = anonymous (optional).
const remembered = new WeakMap<FastifyRequest, AuthInfo | null>()

const runGuard = createGuardRunner<FastifyRequest>({
  describe: (request) => ({
    method: request.method,
    url: request.url,
    headers: request.headers,
    rawHeaders: request.raw.rawHeaders,
    socket: request.raw.socket,
    body: request.body,
  }),
  read: (request) => remembered.get(request),
  write: (request, auth) => {
    remembered.set(request, auth)
    if (auth !== null) request.auth = auth
  },
})

function refuse(err: unknown, reply: FastifyReply, done: (err?: Error) => void, mode: ErrorMode): void {
  const out = mode === 'forward' || reply.sent ? undefined : refusalResponse(err)
  if (out === undefined) done(err instanceof Error ? err : new Error(String(err)))
  else void reply.code(out.status).headers(out.headers).send(out.body)
}

/** Turns a framework-free guard into a Fastify hook. */
export function toHook(guard: Guard, mode: ErrorMode): HydrakitHook {
  return function hydrakitGuard(request, reply, done) {
    let waiting: Promise<void> | undefined
    try {
      waiting = runGuard(guard, request)
    } catch (err) {
      refuse(err, reply, done, mode)
      return
    }
    if (waiting === undefined) done()
    else
      waiting.then(
        () => done(),
        (err: unknown) => refuse(err, reply, done, mode),
      )
  }
}

// What hydra() reads itself, plus the options Fastify's register() puts next to the plugin's own.
const FASTIFY_OPTIONS = ['errors', 'prefix', 'logLevel', 'logSerializers']

/**
 * Configures hydrakit for Fastify without registering anything; register {@link hydrakit} instead
 * to get `fastify.hydrakit`, the metadata route and `close()` on `onClose`.
 *
 * ```ts
 * const auth = hydra({ mode: 'jwt', issuer: 'https://hydra.example', audience: 'api' })
 * app.get('/me', { preHandler: auth.requireScope('read') }, (request) => request.auth)
 * app.addHook('onClose', () => auth.close())
 * ```
 */
export function hydra(options: HydraOptions): HydraAuth {
  const mode = checkErrorMode((options as HookSettings | null)?.errors)
  const base = createHydraAuth(options, (guard) => toHook(guard, mode), FASTIFY_OPTIONS)
  return {
    ...base,
    protectedResourceMetadata: () => {
      const meta = base.guards.resourceMetadata
      if (meta === undefined)
        throw new TypeError('protectedResourceMetadata() needs the protectedResource option')
      return (instance, _opts, done) => {
        instance.get(meta.path, (request, reply) => {
          const out = metadataResponse(meta, request.method, meta.path)!
          return reply.headers(out.headers).send(meta.body)
        })
        done()
      }
    },
  }
}

/** Options of the standalone hooks. */
export interface StandaloneOptions extends HookSettings, StandaloneGuardOptions {}

type Standalone = StandaloneGuards<HydrakitHook, StandaloneOptions>
const standalone: Standalone = createStandaloneGuards<HydrakitHook, StandaloneOptions>((guard, o) =>
  toHook(guard, checkErrorMode(o?.errors)),
)

/** Standalone `authenticate`: verifies the bearer token with `verifier` and sets `request.auth`. */
export const authenticate: Standalone['authenticate'] = standalone.authenticate
/** Standalone: requires `scope` (authenticating first with `options.verifier` if no earlier hook did). */
export const requireScope: Standalone['requireScope'] = standalone.requireScope
/** Standalone: requires every one of `scopes`. */
export const requireScopes: Standalone['requireScopes'] = standalone.requireScopes
/** Standalone: requires at least one of `scopes`. */
export const requireAnyScope: Standalone['requireAnyScope'] = standalone.requireAnyScope
/** Standalone: requires claims to match. */
export const requireClaims: Standalone['requireClaims'] = standalone.requireClaims

/** The verified token of this request, or `undefined` (anonymous, or not authenticated). */
export function getAuth<Ext extends Record<string, unknown> = Record<string, unknown>>(
  request: FastifyRequest,
): AuthInfo<Ext> | undefined {
  return authOrUndefined<Ext>(remembered.get(request))
}

/**
 * Error handler for `errors: 'forward'` apps that want hydrakit's own rendering: writes refusals
 * as `respond` mode would and passes anything else to `fallback` (default: rethrow, so Fastify's
 * default handling applies). Use with `app.setErrorHandler(hydrakitErrorHandler())`.
 */
export function hydrakitErrorHandler(
  fallback?: (error: unknown, request: FastifyRequest, reply: FastifyReply) => unknown,
): (error: unknown, request: FastifyRequest, reply: FastifyReply) => unknown {
  return (error, request, reply) => {
    const out = refusalResponse(error)
    if (out !== undefined) return reply.code(out.status).headers(out.headers).send(out.body)
    if (fallback !== undefined) return fallback(error, request, reply)
    throw error
  }
}
