import type { AuthInfo } from '@hydrakit/core'
import {
  authOrUndefined,
  checkErrorMode,
  createHydraAuth,
  createStandaloneGuards,
  metadataResponse,
  pathOf,
  type ErrorMode,
  type GuardSettings,
  type HydraAuthBase,
  type HydraAuthOptions,
  type StandaloneGuardOptions,
  type StandaloneGuards,
} from '@hydrakit/core/adapter'
import type { ErrorRequestHandler, Request, RequestHandler } from 'express'
import { sendError, toMiddleware } from './middleware.js'
import { readAuth } from './auth-slot.js'

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
export type HydraOptions = MiddlewareSettings & HydraAuthOptions

/**
 * One configured instance: every middleware it makes shares the verifier, its caches and settings.
 * `authenticate()` and the scope/claim guards set `req.auth`.
 */
export interface HydraAuth extends HydraAuthBase<RequestHandler> {
  /** Error middleware that renders hydrakit errors as JSON and passes anything else on. */
  errorHandler(): ErrorRequestHandler
  /**
   * Serves the RFC 9728 protected-resource metadata document (GET/HEAD on its well-known path;
   * everything else passes through). Mount it on the app root. Requires `protectedResource`.
   */
  protectedResourceMetadata(): RequestHandler
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
  const mode = checkErrorMode((options as MiddlewareSettings | null)?.errors)
  const base = createHydraAuth(options, (guard) => toMiddleware(guard, mode), ['errors'])
  return {
    ...base,
    errorHandler,
    protectedResourceMetadata: () => {
      const meta = base.guards.resourceMetadata
      if (meta === undefined)
        throw new TypeError('protectedResourceMetadata() needs the protectedResource option')
      return (req, res, next) => {
        const out = metadataResponse(meta, req.method, pathOf(req.originalUrl))
        if (out === undefined) {
          next()
          return
        }
        for (const name in out.headers) res.setHeader(name, out.headers[name]!)
        res.end(req.method === 'HEAD' ? undefined : out.body)
      }
    },
  }
}

/** Options of the standalone middleware. */
export interface StandaloneOptions extends MiddlewareSettings, StandaloneGuardOptions {}

type Standalone = StandaloneGuards<RequestHandler, StandaloneOptions>
const standalone: Standalone = createStandaloneGuards<RequestHandler, StandaloneOptions>((guard, o) =>
  toMiddleware(guard, checkErrorMode(o?.errors)),
)

/** Standalone `authenticate`: verifies the bearer token with `verifier` and sets `req.auth`. */
export const authenticate: Standalone['authenticate'] = standalone.authenticate
/** Standalone: requires `scope` (authenticating first with `options.verifier` if no earlier middleware did). */
export const requireScope: Standalone['requireScope'] = standalone.requireScope
/** Standalone: requires every one of `scopes`. */
export const requireScopes: Standalone['requireScopes'] = standalone.requireScopes
/** Standalone: requires at least one of `scopes`. */
export const requireAnyScope: Standalone['requireAnyScope'] = standalone.requireAnyScope
/** Standalone: requires claims to match. */
export const requireClaims: Standalone['requireClaims'] = standalone.requireClaims

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
  return authOrUndefined<Ext>(readAuth(req))
}

/** A request that passed `authenticate()` or a scope/claim guard: `req.auth` is set. */
export type AuthenticatedRequest<Ext extends Record<string, unknown> = Record<string, unknown>> = Request & {
  auth: AuthInfo<Ext>
}
