// The `hydra()` facade and the standalone guards every adapter offers, built once here over the
// guard builder. An adapter passes a `wrap` function that turns a framework-free Guard into its own
// handler type (Express middleware, a Koa middleware, a Fastify hook, a Web handler wrapper).

import type { AuthInfo } from '../auth-info.js'
import {
  createGuardBuilder,
  unauthenticatedVerifier,
  type AuthenticateOptions,
  type GuardBuilder,
  type GuardSettings,
} from '../guard/builder.js'
import type { ClaimRequirements } from '../guard/claims.js'
import type { Guard } from '../guard/guard.js'
import type { ScopeCheckOptions } from '../guard/scopes.js'
import type { TokenVerifier } from '../verifier.js'
import { checkReady, verifierFromHydraOptions } from './hydra-options.js'
import type { VerifierConfig } from '../verify/create.js'

/**
 * Options of an adapter's `hydra()`: either a ready verifier (`{ verifier }`) or a flat
 * configuration (`{ mode: 'jwt' | 'introspection' | 'hybrid', issuer, audience, adminUrl, ... }`,
 * see `VerifierConfig`), plus the {@link GuardSettings} every guard of the instance shares.
 */
export type HydraAuthOptions = GuardSettings &
  (VerifierConfig | { verifier: TokenVerifier; mode?: undefined })

/** The guard factories of one configuration, each returning the adapter's handler type `H`. */
export interface GuardFactories<H> {
  /** Verifies the bearer token and remembers the result for the request. */
  authenticate(options?: AuthenticateOptions): H
  /** Authenticates the request if nothing has yet (once per request), then requires `scope`. */
  requireScope(scope: string, options?: ScopeCheckOptions): H
  /** Requires every one of `scopes`. */
  requireScopes(scopes: readonly string[], options?: ScopeCheckOptions): H
  /** Requires at least one of `scopes`. */
  requireAnyScope(scopes: readonly string[], options?: ScopeCheckOptions): H
  /** Requires claims to match (see {@link ClaimRequirements}). */
  requireClaims(requirements: ClaimRequirements): H
}

/** What every adapter's `hydra()` returns, before it adds its own error handler and metadata route. */
export interface HydraAuthBase<H> extends GuardFactories<H> {
  /** The verifier every guard of this instance shares (with its caches). */
  readonly verifier: TokenVerifier
  /** The guard builder behind the factories (realm, RFC 9728 document). */
  readonly guards: GuardBuilder
  /**
   * Readiness probe: fetches the key set and/or calls introspection once. Resolves when the
   * upstreams work; rejects with a `VerifierNotReadyError` saying exactly what is wrong (URL, cause,
   * likely fix). Await it at startup, or call it from a readiness endpoint.
   */
  ready(): Promise<void>
  /** Closes the verifier (timers, connection pools). Idempotent when the verifier's `close` is. */
  close(): Promise<void>
}

/**
 * Builds the shared part of an adapter's `hydra(options)`: validates the options (a TypeError
 * names a bad one), creates the verifier unless one is given, and wraps each guard with `wrap`.
 */
export function createHydraAuth<H>(
  options: HydraAuthOptions,
  wrap: (guard: Guard) => H,
  adapterOptions: readonly string[] = [],
): HydraAuthBase<H> {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('hydra(options): options must be an object')
  }
  // Unknown and misplaced options are refused here, with the names the adapter reads itself allowed.
  const verifier = verifierFromHydraOptions(options, adapterOptions)
  const b = createGuardBuilder(verifier, options)
  return {
    verifier,
    guards: b,
    authenticate: (o) => wrap(b.authenticate(o)),
    requireScope: (s, o) => wrap(b.requireScope(s, o)),
    requireScopes: (s, o) => wrap(b.requireScopes(s, o)),
    requireAnyScope: (s, o) => wrap(b.requireAnyScope(s, o)),
    requireClaims: (r) => wrap(b.requireClaims(r)),
    ready: () => checkReady(verifier),
    close: async () => {
      await verifier.close?.()
    },
  }
}

/** Options of the standalone guards (used without `hydra()`). */
export interface StandaloneGuardOptions extends GuardSettings, ScopeCheckOptions {
  /**
   * Verifier used when no earlier guard authenticated the request. Without one, such a request is
   * refused with 401 (fail closed). Default: none.
   */
  verifier?: TokenVerifier | undefined
}

/** The five standalone guards of an adapter; `O` is its options type (with its own settings). */
export interface StandaloneGuards<H, O extends StandaloneGuardOptions> {
  /** Verifies the bearer token with `verifier` and remembers the result for the request. */
  authenticate: (verifier: TokenVerifier, options?: AuthenticateOptions & O) => H
  /** Requires `scope` (authenticating first with `options.verifier` if no earlier guard did). */
  requireScope: (scope: string, options?: O) => H
  /** Requires every one of `scopes`. */
  requireScopes: (scopes: readonly string[], options?: O) => H
  /** Requires at least one of `scopes`. */
  requireAnyScope: (scopes: readonly string[], options?: O) => H
  /** Requires claims to match. */
  requireClaims: (requirements: ClaimRequirements, options?: O) => H
}

/**
 * Builds an adapter's standalone guards. `wrap` gets each guard with the options it was made with,
 * so the adapter can read its own settings (e.g. an error mode).
 */
export function createStandaloneGuards<H, O extends StandaloneGuardOptions>(
  wrap: (guard: Guard, options: O | undefined) => H,
): StandaloneGuards<H, O> {
  const builder = (o: O | undefined): GuardBuilder =>
    createGuardBuilder(o?.verifier ?? unauthenticatedVerifier, o ?? {})
  return {
    authenticate: (verifier, options) =>
      wrap(builder({ ...options, verifier } as O).authenticate(options), options),
    requireScope: (scope, options) => wrap(builder(options).requireScope(scope, options), options),
    requireScopes: (scopes, options) => wrap(builder(options).requireScopes(scopes, options), options),
    requireAnyScope: (scopes, options) => wrap(builder(options).requireAnyScope(scopes, options), options),
    requireClaims: (requirements, options) => wrap(builder(options).requireClaims(requirements), options),
  }
}

/** Narrows a remembered result to what `getAuth()` returns: the token's info, or `undefined`. */
export function authOrUndefined<Ext extends Record<string, unknown> = Record<string, unknown>>(
  auth: AuthInfo | null | undefined,
): AuthInfo<Ext> | undefined {
  return auth === null || auth === undefined ? undefined : (auth as AuthInfo<Ext>)
}
