import type { HydrakitHooks } from '../hooks.js'
import type { AdminAuth } from '../hydra/admin-auth.js'
import type { TokenVerifier } from '../verifier.js'
import { createHybridVerifier } from './hybrid.js'
import { createIntrospectionVerifier, type IntrospectionVerifierOptions } from './introspection.js'
import { createJwtVerifier, type JwtVerifierOptions } from './jwt.js'

/** How tokens are verified. */
export type VerificationMode = 'jwt' | 'introspection' | 'hybrid'

/**
 * One flat configuration for the common cases, turned into a verifier by {@link createVerifier}
 * (and by the adapters' `hydra({ mode, ... })`). For anything finer, pass `jwt` / `introspection`
 * overrides, or build the verifier yourself with `createJwtVerifier`, `createIntrospectionVerifier`
 * or `createHybridVerifier`.
 */
export interface VerifierConfig {
  /**
   * - `'jwt'`: verify JWT access tokens locally against the issuer's JWKS (Hydra with
   *   `strategies.access_token: jwt`). Needs `issuer`.
   * - `'introspection'`: ask Hydra's admin API (RFC 7662) about every token, with a cache. Needs `adminUrl`.
   * - `'hybrid'`: JWTs locally, opaque tokens (`ory_at_…`) by introspection. Needs both.
   */
  mode: VerificationMode
  /** Hydra's issuer URL (`urls.self.issuer`). Required for `jwt` and `hybrid`; checked on introspection answers when set. */
  issuer?: string | undefined
  /** Accepted audiences (any-of). Default: not checked. */
  audience?: string | readonly string[] | undefined
  /** Hydra's admin API base URL, e.g. `http://hydra:4445`. Required for `introspection` and `hybrid`. */
  adminUrl?: string | undefined
  /** Hydra admin API flavour: `'v2'` (`/admin/...`, also v25+ and Ory Network) or `'v1'`. Default `'v2'`. */
  apiVersion?: 'v2' | 'v1' | undefined
  /** How to authenticate to the admin API. Default: none (Hydra's admin port relies on network isolation). */
  adminAuth?: AdminAuth | undefined
  /** Hybrid only: also introspect JWTs (cached) so revoked JWTs are refused. Default `false`. */
  introspectJwts?: boolean | undefined
  /** Clock skew allowed, in seconds. Default `5`. */
  clockTolerance?: number | undefined
  /** `realm` of the `WWW-Authenticate` challenges. Default `'api'`. */
  realm?: string | undefined
  /** Observability hooks for every verifier built. */
  hooks?: HydrakitHooks | undefined
  /** Extra options for the JWT verifier (override the flat ones). */
  jwt?: Partial<JwtVerifierOptions> | undefined
  /** Extra options for the introspection verifier (override the flat ones). */
  introspection?: Partial<IntrospectionVerifierOptions> | undefined
}

function jwtOptions(c: VerifierConfig): JwtVerifierOptions {
  if (typeof c.issuer !== 'string') throw new TypeError(`issuer is required for mode '${c.mode}'`)
  return {
    issuer: c.issuer,
    audience: c.audience,
    clockTolerance: c.clockTolerance,
    realm: c.realm,
    hooks: c.hooks,
    ...c.jwt,
  }
}

function introspectionOptions(c: VerifierConfig): IntrospectionVerifierOptions {
  if (typeof c.adminUrl !== 'string' && c.introspection?.introspectionUrl === undefined) {
    throw new TypeError(`adminUrl is required for mode '${c.mode}'`)
  }
  return {
    adminUrl: c.adminUrl,
    apiVersion: c.apiVersion,
    auth: c.adminAuth,
    issuer: c.issuer,
    audience: c.audience,
    clockTolerance: c.clockTolerance,
    realm: c.realm,
    hooks: c.hooks,
    ...c.introspection,
  }
}

/** Builds the verifier a {@link VerifierConfig} describes; throws a TypeError naming a bad option. */
export function createVerifier(config: VerifierConfig): TokenVerifier {
  if (config === null || typeof config !== 'object') throw new TypeError('config must be an object')
  switch (config.mode) {
    case 'jwt':
      return createJwtVerifier(jwtOptions(config))
    case 'introspection':
      return createIntrospectionVerifier(introspectionOptions(config))
    case 'hybrid':
      return createHybridVerifier({
        jwt: createJwtVerifier(jwtOptions(config)),
        introspection: createIntrospectionVerifier(introspectionOptions(config)),
        introspectJwts: config.introspectJwts,
        realm: config.realm,
      })
    default:
      throw new TypeError(
        `mode must be 'jwt', 'introspection' or 'hybrid', got ${JSON.stringify((config as { mode?: unknown }).mode)}`,
      )
  }
}
