import { MissingTokenError } from '../errors/errors.js'
import type { ScopeStrategy, ScopeStrategyName } from '../scope/strategies.js'
import type { TokenExtractionOptions } from '../token/extract.js'
import type { TokenVerifier } from '../verifier.js'
import type { HydrakitHooks } from '../hooks.js'
import { createRequestAuthenticator } from './authenticate.js'
import { createClaimCheck, type ClaimRequirements } from './claims.js'
import { createGuard, type AuthCheck, type Guard } from './guard.js'
import { createScopeCheck, type ScopeCheckOptions } from './scopes.js'
import {
  createProtectedResourceMetadata,
  type ProtectedResourceMetadata,
  type ProtectedResourceOptions,
} from '../resource/metadata.js'

/** Settings shared by every guard one builder makes. */
export interface GuardSettings {
  /** Where the token may come from. Default: `Authorization: Bearer` only. */
  token?: TokenExtractionOptions | undefined
  /**
   * How granted scopes satisfy required ones. Default `'exact'`; `'wildcard'` judges scopes as
   * Hydra's default `strategies.scope` does, `'hierarchic'` as its hierarchic strategy.
   */
  scopeStrategy?: ScopeStrategyName | ScopeStrategy | undefined
  /**
   * RFC 9728 protected-resource metadata. When set, adapters serve the document
   * (`protectedResourceMetadata()`) and every `WWW-Authenticate` challenge carries
   * `resource_metadata="…"`. Default: none.
   */
  protectedResource?: ProtectedResourceOptions | undefined
  /** Observability hooks; guards call `onRefuse` for every request they refuse. Default: none. */
  hooks?: HydrakitHooks | undefined
}

/** Options of `authenticate()`. */
export interface AuthenticateOptions {
  /** No token → anonymous (no auth) and the request goes on. An invalid token is still refused. Default false. */
  optional?: boolean | undefined
}

/**
 * Makes the framework-free guards behind every adapter middleware: `authenticate`, `requireScope(s)`,
 * `requireAnyScope`, `requireClaims`. Scope and claim guards authenticate the request first when no
 * earlier guard did (adapters remember the result per request, so it happens once).
 */
export interface GuardBuilder {
  readonly realm: string
  /** Where this builder's guards look for the token (RFC 9728 `bearer_methods_supported` values). */
  readonly bearerMethods: ReadonlyArray<'header' | 'body' | 'query'>
  /** The RFC 9728 document, when `protectedResource` is configured. */
  readonly resourceMetadata: ProtectedResourceMetadata | undefined
  authenticate(options?: AuthenticateOptions): Guard
  requireScope(scope: string, options?: ScopeCheckOptions): Guard
  requireScopes(scopes: readonly string[], options?: ScopeCheckOptions): Guard
  requireAnyScope(scopes: readonly string[], options?: ScopeCheckOptions): Guard
  requireClaims(requirements: ClaimRequirements): Guard
}

/**
 * Stands in for a verifier when a standalone scope/claim guard has none: a request no earlier guard
 * authenticated is refused with 401 (fail closed).
 */
export const unauthenticatedVerifier: TokenVerifier = {
  realm: 'api',
  verify: () => Promise.reject(new MissingTokenError({ description: 'request was not authenticated' })),
}

/** Builds a {@link GuardBuilder}; the settings are validated now. */
export function createGuardBuilder(verifier: TokenVerifier, settings: GuardSettings = {}): GuardBuilder {
  if (settings === null || typeof settings !== 'object') throw new TypeError('options must be an object')
  const authenticate = createRequestAuthenticator({ verifier, token: settings.token })
  const realm = verifier.realm
  const defaultStrategy = settings.scopeStrategy
  const methods: Array<'header' | 'body' | 'query'> = []
  if (settings.token?.header !== false) methods.push('header')
  if (settings.token?.body === true) methods.push('body')
  if (settings.token?.query === true) methods.push('query')
  const resourceMetadata =
    settings.protectedResource === undefined
      ? undefined
      : createProtectedResourceMetadata(settings.protectedResource, { bearerMethods: methods })
  const resourceMetadataUrl = resourceMetadata?.url
  const guard = (checks: AuthCheck[], optional: boolean): Guard =>
    createGuard({ authenticate, realm, optional, checks, resourceMetadataUrl, hooks: settings.hooks })
  const scopes = (
    required: string | readonly string[],
    mode: 'all' | 'any',
    options: ScopeCheckOptions | undefined,
    name: string,
  ): Guard =>
    guard(
      [createScopeCheck(required, mode, { scopeStrategy: options?.scopeStrategy ?? defaultStrategy }, name)],
      false,
    )
  const plain = guard([], false)
  const optional = guard([], true)
  return {
    realm,
    bearerMethods: Object.freeze(methods),
    resourceMetadata,
    authenticate: (options) => {
      const v = options?.optional ?? false
      if (typeof v !== 'boolean') throw new TypeError('authenticate({ optional }) must be a boolean')
      return v ? optional : plain
    },
    requireScope: (scope, options) => scopes(scope, 'all', options, 'requireScope'),
    requireScopes: (list, options) => scopes(list, 'all', options, 'requireScopes'),
    requireAnyScope: (list, options) => scopes(list, 'any', options, 'requireAnyScope'),
    requireClaims: (requirements) => guard([createClaimCheck(requirements, 'requireClaims')], false),
  }
}
