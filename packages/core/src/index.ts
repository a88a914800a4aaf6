// Public API of @hydrakit/core: what a resource server needs to verify Hydra tokens. Hydra
// clients, flows, cache stores, observability and adapter internals live on subpaths
// (`@hydrakit/core/hydra`, `/flows`, `/cache`, `/observability`, `/adapter`).
// Explicit named re-exports only.

export type { AuthInfo, AuthSource } from './auth-info.js'
export { toAuthInfo, readScopes, readAudience } from './auth-info.js'

export type { TokenVerifier, VerifyCallOptions } from './verifier.js'

export type {
  HydrakitHooks,
  VerifyEvent,
  CacheEvent,
  JwksRefreshEvent,
  UpstreamEvent,
  RefusalEvent,
  BulkheadEvent,
} from './hooks.js'

export type {
  HydrakitErrorCode,
  OAuthErrorCode,
  RejectionReason,
  HydrakitErrorOptions,
} from './errors/errors.js'
export {
  HydrakitError,
  MissingTokenError,
  InvalidRequestError,
  InvalidTokenError,
  InsufficientScopeError,
  ClaimCheckError,
  UpstreamUnavailableError,
  isHydrakitError,
} from './errors/errors.js'

export type { RequestLike, TokenExtractionOptions, TokenExtractor } from './token/extract.js'
export { createTokenExtractor, requireToken } from './token/extract.js'

export type { ScopeStrategy, ScopeStrategyName } from './scope/strategies.js'
export {
  exactScopeStrategy,
  wildcardScopeStrategy,
  hierarchicScopeStrategy,
  resolveScopeStrategy,
} from './scope/strategies.js'
export type { ScopeCheck, ScopeCheckOptions } from './guard/scopes.js'
export { createScopeCheck } from './guard/scopes.js'
export type { ClaimCheck, ClaimMatcher, ClaimRequirements, ClaimValue } from './guard/claims.js'
export { createClaimCheck } from './guard/claims.js'

export type { TransportFailure } from './upstream/request.js'
export { TransportError } from './upstream/request.js'
export type { AdminAuth } from './upstream/admin-auth.js'
export type { JsonValue, CacheStore } from './cache/store.js'

export type { TokenShape } from './verify/token-shape.js'
export { detectTokenShape, isJwtShaped } from './verify/token-shape.js'
export type {
  JwtVerifier,
  JwtVerifierOptions,
  JwtResultCacheOptions,
  AccessTokenKeySetOptions,
} from './verify/jwt-options.js'
export { createJwtVerifier } from './verify/jwt.js'
export type { JwtAlgorithm } from './jwks/algorithms.js'
export { SUPPORTED_JWT_ALGORITHMS, DEFAULT_JWT_ALGORITHMS } from './jwks/algorithms.js'
export type { JwksStatus } from './jwks/jwks-cache.js'
export type {
  IntrospectionVerifier,
  IntrospectionVerifierOptions,
  IntrospectionCacheOptions,
} from './verify/introspection-options.js'
export { createIntrospectionVerifier } from './verify/introspection.js'
export type { HybridVerifier, HybridVerifierOptions } from './verify/hybrid.js'
export { createHybridVerifier } from './verify/hybrid.js'
export type {
  VerificationMode,
  VerifierConfig,
  VerifierConfigBase,
  JwtVerifierConfig,
  IntrospectionVerifierConfig,
  HybridVerifierConfig,
  IntrospectionEndpointConfig,
  IssuerConfig,
  MultiIssuerJwtConfig,
  MultiIssuerHybridConfig,
} from './verify/create.js'
export { createVerifier } from './verify/create.js'
export type { HydrakitWarning, HydrakitWarningCode, WarningOptions } from './diagnostics/warnings.js'
export type { ReadinessUpstream } from './diagnostics/check.js'
export { VerifierNotReadyError } from './diagnostics/check.js'
export type { IssuerRoute, MultiIssuerVerifier, MultiIssuerVerifierOptions } from './verify/multi-issuer.js'
export { createMultiIssuerVerifier } from './verify/multi-issuer.js'
export type { ProtectedResourceOptions, ProtectedResourceMetadata } from './resource/metadata.js'
export { createProtectedResourceMetadata } from './resource/metadata.js'
