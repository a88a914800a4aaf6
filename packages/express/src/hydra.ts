import {
  checkReady,
  createGuardBuilder,
  verifierFromHydraOptions,
  unauthenticatedVerifier,
  type AuthenticateOptions,
  type GuardSettings,
} from '@hydrakit/core/adapter'
import {
  type AuthInfo,
  type ClaimRequirements,
  type ScopeCheckOptions,
  type TokenVerifier,
  type VerifierConfig,
} from '@hydrakit/core'
import type { ErrorRequestHandler, Request, RequestHandler } from 'express'
import { checkErrorMode, sendError, toMiddleware, type ErrorMode } from './middleware.js'
import { readState } from './state.js'

/** Settings shared by every middleware of one configuration. */
export interface MiddlewareSettings extends GuardSettings {
  /** What to do with hydrakit errors; see {@link ErrorMode}. Default `'respond'`. */
  errors?: ErrorMode | undefined
}

/**
 * Options of {@link hydra}: either a ready verifier (`{ verifier }`) or a flat configuration
 * (`{ mode: 'jwt' | 'introspection' | 'hybrid', issuer, audience, adminUrl, ... }`, see `VerifierConfig`
 * in `@hydrakit/core`), plus the settings every middleware of the instance shares.
 */
export type HydraOptions = MiddlewareSettings &
  (VerifierConfig | { verifier: TokenVerifier; mode?: undefined })

/** One configured instance: every middleware it makes shares the verifier, its caches and settings. */
export interface HydraAuth {
  readonly verifier: TokenVerifier
  /** Verifies the bearer token and sets `req.auth`. */
  authenticate(options?: AuthenticateOptions): RequestHandler
  /** Authenticates the request if nothing has yet (once per request), then requires `scope`. */
  requireScope(scope: string, options?: ScopeCheckOptions): RequestHandler
  /** Requires every one of `scopes`. */
  requireScopes(scopes: readonly string[], options?: ScopeCheckOptions): RequestHandler
  /** Requires at least one of `scopes`. */
  requireAnyScope(scopes: readonly string[], options?: ScopeCheckOptions): RequestHandler
  /** Requires claims to match (see `ClaimRequirements` in `@hydrakit/core`). */
  requireClaims(requirements: ClaimRequirements): RequestHandler
  /** Error middleware that renders hydrakit errors as JSON and passes anything else on. */
  errorHandler(): ErrorRequestHandler
  /**
   * Serves the RFC 9728 protected-resource metadata document (GET/HEAD on its well-known path;
   * everything else passes through). Mount it on the app root. Requires `protectedResource`.
   */
  protectedResourceMetadata(): RequestHandler
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
 * Configures hydrakit for an Express app.
 *
 * ```ts
 * const auth = hydra({ verifier: createJwtVerifier({ issuer: 'https://hydra.example', audience: 'api' }) })
 * app.use(auth.requireScope('read'))
 * app.get('/me', (req, res) => res.json(getAuth(req)))
 * ```
 */
export function hydra(options: HydraOptions): HydraAuth {
  if (options === null || typeof options !== 'object')
    throw new TypeError('hydra(options): options must be an object')
  const verifier = verifierFromHydraOptions(options, ['errors'])
  const mode = checkErrorMode(options.errors)
  const b = createGuardBuilder(verifier, options)
  return {
    verifier,
    authenticate: (o) => toMiddleware(b.authenticate(o), mode),
    requireScope: (s, o) => toMiddleware(b.requireScope(s, o), mode),
    requireScopes: (s, o) => toMiddleware(b.requireScopes(s, o), mode),
    requireAnyScope: (s, o) => toMiddleware(b.requireAnyScope(s, o), mode),
    requireClaims: (r) => toMiddleware(b.requireClaims(r), mode),
    errorHandler,
    protectedResourceMetadata: () => {
      const meta = b.resourceMetadata
      if (meta === undefined)
        throw new TypeError('protectedResourceMetadata() needs the protectedResource option')
      return (req, res, next) => {
        const q = req.originalUrl.indexOf('?')
        const path = q === -1 ? req.originalUrl : req.originalUrl.slice(0, q)
        if ((req.method !== 'GET' && req.method !== 'HEAD') || path !== meta.path) {
          next()
          return
        }
        res.setHeader('content-type', 'application/json')
        res.setHeader('cache-control', 'public, max-age=3600')
        res.setHeader('access-control-allow-origin', '*')
        res.end(req.method === 'HEAD' ? undefined : meta.body)
      }
    },
    ready: () => checkReady(verifier),
    close: async () => {
      await verifier.close?.()
    },
  }
}

/** Options of the standalone middleware. */
export interface StandaloneOptions extends MiddlewareSettings, ScopeCheckOptions {
  /**
   * Verifier used when no earlier middleware authenticated the request. Without one, such a request
   * is refused with 401.
   */
  verifier?: TokenVerifier | undefined
}

function standalone(o: StandaloneOptions | undefined): {
  b: ReturnType<typeof createGuardBuilder>
  mode: ErrorMode
} {
  return {
    b: createGuardBuilder(o?.verifier ?? unauthenticatedVerifier, o ?? {}),
    mode: checkErrorMode(o?.errors),
  }
}

/** Standalone `authenticate`: verifies the bearer token with `verifier` and sets `req.auth`. */
export function authenticate(
  verifier: TokenVerifier,
  options?: AuthenticateOptions & MiddlewareSettings,
): RequestHandler {
  const { b, mode } = standalone({ ...options, verifier })
  return toMiddleware(b.authenticate(options), mode)
}

/** Standalone: requires `scope` (authenticating first with `options.verifier` if no earlier middleware did). */
export function requireScope(scope: string, options?: StandaloneOptions): RequestHandler {
  const { b, mode } = standalone(options)
  return toMiddleware(b.requireScope(scope, options), mode)
}

/** Standalone: requires every one of `scopes`. */
export function requireScopes(scopes: readonly string[], options?: StandaloneOptions): RequestHandler {
  const { b, mode } = standalone(options)
  return toMiddleware(b.requireScopes(scopes, options), mode)
}

/** Standalone: requires at least one of `scopes`. */
export function requireAnyScope(scopes: readonly string[], options?: StandaloneOptions): RequestHandler {
  const { b, mode } = standalone(options)
  return toMiddleware(b.requireAnyScope(scopes, options), mode)
}

/** Standalone: requires claims to match. */
export function requireClaims(requirements: ClaimRequirements, options?: StandaloneOptions): RequestHandler {
  const { b, mode } = standalone(options)
  return toMiddleware(b.requireClaims(requirements), mode)
}

const renderErrors: ErrorRequestHandler = (err, _req, res, next) => sendError(err, res, next, 'respond')

/**
 * Error middleware: renders hydrakit errors (status, `WWW-Authenticate`, JSON body) and passes every
 * other error on. Mount it after your routes when you use `errors: 'forward'`.
 */
export function errorHandler(): ErrorRequestHandler {
  return renderErrors
}

/** The verified token of this request, or `undefined` (anonymous, or not authenticated). */
export function getAuth<Ext extends Record<string, unknown> = Record<string, unknown>>(
  req: Request,
): AuthInfo<Ext> | undefined {
  const state = readState(req)
  return state === null || state === undefined ? undefined : (state as AuthInfo<Ext>)
}

/** A request that passed `authenticate()` or a scope/claim guard: `req.auth` is set. */
export type AuthenticatedRequest<Ext extends Record<string, unknown> = Record<string, unknown>> = Request & {
  auth: AuthInfo<Ext>
}
