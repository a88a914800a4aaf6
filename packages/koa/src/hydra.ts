import { HydrakitError, type AuthInfo } from '@hydrakit/core'
import {
  authOrUndefined,
  createHydraAuth,
  createStandaloneGuards,
  metadataResponse,
  type HydraAuthBase,
  type HydraAuthOptions,
  type StandaloneGuardOptions,
  type StandaloneGuards,
} from '@hydrakit/core/adapter'
import type { Context, Middleware } from 'koa'
import { readAuth, renderError, toMiddleware } from './middleware.js'

/**
 * Options of {@link hydra}: either a ready verifier (`{ verifier }`) or a flat configuration
 * (`{ mode: 'jwt' | 'introspection' | 'hybrid', issuer, audience, adminUrl, ... }`, see `VerifierConfig`
 * in `@hydrakit/core`), plus the settings every middleware of the instance shares.
 */
export type HydraOptions = HydraAuthOptions

/**
 * One configured instance: every middleware it makes shares the verifier, its caches and settings.
 * `authenticate()` and the scope/claim guards set `ctx.state.auth`.
 */
export interface HydraAuth extends HydraAuthBase<Middleware> {
  /** Middleware that renders hydrakit errors thrown below it as JSON and rethrows anything else. */
  errorHandler(): Middleware
  /**
   * Serves the RFC 9728 protected-resource metadata document (GET/HEAD on its well-known path;
   * everything else passes through). Requires `protectedResource`.
   */
  protectedResourceMetadata(): Middleware
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
  const base = createHydraAuth(options, toMiddleware)
  return {
    ...base,
    errorHandler,
    protectedResourceMetadata: () => {
      const meta = base.guards.resourceMetadata
      if (meta === undefined)
        throw new TypeError('protectedResourceMetadata() needs the protectedResource option')
      return (ctx, next) => {
        const out = metadataResponse(meta, ctx.method, ctx.path)
        if (out === undefined) return next()
        ctx.set(out.headers)
        ctx.body = meta.body
        return Promise.resolve()
      }
    },
  }
}

/** Options of the standalone middleware. */
export type StandaloneOptions = StandaloneGuardOptions

type Standalone = StandaloneGuards<Middleware, StandaloneOptions>
const standalone: Standalone = createStandaloneGuards<Middleware, StandaloneOptions>(toMiddleware)

/** Standalone `authenticate`: verifies the bearer token with `verifier` and sets `ctx.state.auth`. */
export const authenticate: Standalone['authenticate'] = standalone.authenticate
/** Standalone: requires `scope` (authenticating first with `options.verifier` if no earlier middleware did). */
export const requireScope: Standalone['requireScope'] = standalone.requireScope
/** Standalone: requires every one of `scopes`. */
export const requireScopes: Standalone['requireScopes'] = standalone.requireScopes
/** Standalone: requires at least one of `scopes`. */
export const requireAnyScope: Standalone['requireAnyScope'] = standalone.requireAnyScope
/** Standalone: requires claims to match. */
export const requireClaims: Standalone['requireClaims'] = standalone.requireClaims

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
  return authOrUndefined<Ext>(readAuth(ctx))
}

/** `ctx.state` after `authenticate()` or a scope/claim guard. Use as Koa's state type parameter. */
export interface AuthState<Ext extends Record<string, unknown> = Record<string, unknown>> {
  auth: AuthInfo<Ext>
}
