import {
  checkReady,
  createGuardBuilder,
  verifierFromHydraOptions,
  unauthenticatedVerifier,
  type AuthenticateOptions,
  type GuardSettings,
} from '@hydrakit/core/adapter'
import {
  HydrakitError,
  type AuthInfo,
  type ClaimRequirements,
  type ScopeCheckOptions,
  type TokenVerifier,
  type VerifierConfig,
} from '@hydrakit/core'
import type { Context, Middleware } from 'koa'
import { readState, renderError, toMiddleware } from './middleware.js'

/**
 * Options of {@link hydra}: either a ready verifier (`{ verifier }`) or a flat configuration
 * (`{ mode: 'jwt' | 'introspection' | 'hybrid', issuer, audience, adminUrl, ... }`, see `VerifierConfig`
 * in `@hydrakit/core`), plus the settings every middleware of the instance shares.
 */
export type HydraOptions = GuardSettings & (VerifierConfig | { verifier: TokenVerifier; mode?: undefined })

/** One configured instance: every middleware it makes shares the verifier, its caches and settings. */
export interface HydraAuth {
  readonly verifier: TokenVerifier
  /** Verifies the bearer token and sets `ctx.state.auth`. */
  authenticate(options?: AuthenticateOptions): Middleware
  /** Authenticates the request if nothing has yet (once per request), then requires `scope`. */
  requireScope(scope: string, options?: ScopeCheckOptions): Middleware
  /** Requires every one of `scopes`. */
  requireScopes(scopes: readonly string[], options?: ScopeCheckOptions): Middleware
  /** Requires at least one of `scopes`. */
  requireAnyScope(scopes: readonly string[], options?: ScopeCheckOptions): Middleware
  /** Requires claims to match (see `ClaimRequirements` in `@hydrakit/core`). */
  requireClaims(requirements: ClaimRequirements): Middleware
  /** Middleware that renders hydrakit errors thrown below it as JSON and rethrows anything else. */
  errorHandler(): Middleware
  /**
   * Serves the RFC 9728 protected-resource metadata document (GET/HEAD on its well-known path;
   * everything else passes through). Requires `protectedResource`.
   */
  protectedResourceMetadata(): Middleware
  /**
   * Readiness probe: fetches the key set and/or calls introspection once. Resolves when the
   * upstreams work; rejects with a `VerifierNotReadyError` saying exactly what is wrong (URL, cause,
   * likely fix). Await it at startup, or call it from a readiness endpoint.
   */
  ready(): Promise<void>
  /** Closes the verifier (timers, connection pools). */
  close(): Promise<void>
}

/**
 * Configures hydrakit for a Koa app.
 *
 * ```ts
 * const auth = hydra({ verifier: createJwtVerifier({ issuer: 'https://hydra.example', audience: 'api' }) })
 * app.use(auth.requireScope('read'))
 * app.use((ctx) => { ctx.body = ctx.state.auth })
 * ```
 *
 * Errors are thrown as typed `HydrakitError`s, so your own error middleware sees them; when nothing
 * catches them they are rendered as status + `WWW-Authenticate` + `{ error, error_description }`.
 */
export function hydra(options: HydraOptions): HydraAuth {
  if (options === null || typeof options !== 'object')
    throw new TypeError('hydra(options): options must be an object')
  const verifier = verifierFromHydraOptions(options, [])
  const b = createGuardBuilder(verifier, options)
  return {
    verifier,
    authenticate: (o) => toMiddleware(b.authenticate(o)),
    requireScope: (s, o) => toMiddleware(b.requireScope(s, o)),
    requireScopes: (s, o) => toMiddleware(b.requireScopes(s, o)),
    requireAnyScope: (s, o) => toMiddleware(b.requireAnyScope(s, o)),
    requireClaims: (r) => toMiddleware(b.requireClaims(r)),
    errorHandler,
    protectedResourceMetadata: () => {
      const meta = b.resourceMetadata
      if (meta === undefined)
        throw new TypeError('protectedResourceMetadata() needs the protectedResource option')
      return (ctx, next) => {
        if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || ctx.path !== meta.path) return next()
        ctx.set('cache-control', 'public, max-age=3600')
        ctx.set('access-control-allow-origin', '*')
        ctx.type = 'application/json'
        ctx.body = meta.body
        return Promise.resolve()
      }
    },
    ready: () => checkReady(verifier),
    close: async () => {
      await verifier.close?.()
    },
  }
}

/** Options of the standalone middleware. */
export interface StandaloneOptions extends GuardSettings, ScopeCheckOptions {
  /** Verifier used when no earlier middleware authenticated the request. Without one, such a request is refused with 401. */
  verifier?: TokenVerifier | undefined
}

function builder(o: StandaloneOptions | undefined): ReturnType<typeof createGuardBuilder> {
  return createGuardBuilder(o?.verifier ?? unauthenticatedVerifier, o ?? {})
}

/** Standalone `authenticate`: verifies the bearer token with `verifier` and sets `ctx.state.auth`. */
export function authenticate(
  verifier: TokenVerifier,
  options?: AuthenticateOptions & GuardSettings,
): Middleware {
  return toMiddleware(builder({ ...options, verifier }).authenticate(options))
}

/** Standalone: requires `scope` (authenticating first with `options.verifier` if no earlier middleware did). */
export function requireScope(scope: string, options?: StandaloneOptions): Middleware {
  return toMiddleware(builder(options).requireScope(scope, options))
}

/** Standalone: requires every one of `scopes`. */
export function requireScopes(scopes: readonly string[], options?: StandaloneOptions): Middleware {
  return toMiddleware(builder(options).requireScopes(scopes, options))
}

/** Standalone: requires at least one of `scopes`. */
export function requireAnyScope(scopes: readonly string[], options?: StandaloneOptions): Middleware {
  return toMiddleware(builder(options).requireAnyScope(scopes, options))
}

/** Standalone: requires claims to match. */
export function requireClaims(requirements: ClaimRequirements, options?: StandaloneOptions): Middleware {
  return toMiddleware(builder(options).requireClaims(requirements))
}

const renderErrors: Middleware = async (ctx, next) => {
  try {
    await next()
  } catch (err) {
    if (err instanceof HydrakitError && renderError(ctx, err)) return
    throw err
  }
}

/** Middleware that renders hydrakit errors thrown below it (status, `WWW-Authenticate`, JSON) and rethrows the rest. */
export function errorHandler(): Middleware {
  return renderErrors
}

/** The verified token of this request, or `undefined` (anonymous, or not authenticated). */
export function getAuth<Ext extends Record<string, unknown> = Record<string, unknown>>(
  ctx: Context,
): AuthInfo<Ext> | undefined {
  const state = readState(ctx)
  return state === null || state === undefined ? undefined : (state as AuthInfo<Ext>)
}

/** `ctx.state` after `authenticate()` or a scope/claim guard. Use as Koa's state type parameter. */
export interface AuthState<Ext extends Record<string, unknown> = Record<string, unknown>> {
  auth: AuthInfo<Ext>
}
