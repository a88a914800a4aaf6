// Public API of @hydrakit/core. Explicit named re-exports only.

export type { AuthInfo, AuthSource } from './auth-info.js'
export { toAuthInfo, readScopes, readAudience } from './auth-info.js'

export type { TokenVerifier, VerifyCallOptions } from './verifier.js'

export type { HydrakitHooks, VerifyEvent, CacheEvent, JwksRefreshEvent, UpstreamEvent } from './hooks.js'

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
export type { BearerChallenge } from './errors/www-authenticate.js'
export { buildBearerChallenge } from './errors/www-authenticate.js'

export type { RequestLike, TokenExtractionOptions, TokenExtractor } from './token/extract.js'
export { createTokenExtractor, requireToken } from './token/extract.js'

export type { ScopeStrategy, ScopeStrategyName } from './scope/strategies.js'
export {
  exactScopeStrategy,
  wildcardScopeStrategy,
  hierarchicScopeStrategy,
  resolveScopeStrategy,
} from './scope/strategies.js'

export type { HttpRequest, HttpResponse, TransportFailure } from './http/request.js'
export { TransportError } from './http/request.js'

export type { AdminAuth, AdminAuthProvider, AdminAuthContext } from './hydra/admin-auth.js'
export { createAdminAuthProvider, AdminAuthError } from './hydra/admin-auth.js'

export type { RequestAuthenticator, RequestAuthenticatorOptions } from './guard/authenticate.js'
export { createRequestAuthenticator, isCorsPreflight } from './guard/authenticate.js'
export type { ScopeCheck, ScopeCheckOptions } from './guard/scopes.js'
export { createScopeCheck, normalizeRequiredScopes } from './guard/scopes.js'
export type { ClaimCheck, ClaimMatcher, ClaimRequirements, ClaimValue } from './guard/claims.js'
export { createClaimCheck } from './guard/claims.js'
export type { AuthCheck, AuthState, Guard, GuardOptions } from './guard/guard.js'
export { createGuard } from './guard/guard.js'
export type { ErrorResponse } from './http/error-response.js'
export { toErrorResponse } from './http/error-response.js'
export type { GuardBuilder, GuardSettings, AuthenticateOptions } from './guard/builder.js'
export { createGuardBuilder, unauthenticatedVerifier } from './guard/builder.js'

export type { JsonValue, CacheStore } from './cache/store.js'
export type { MemoryCacheStore, MemoryCacheStoreOptions } from './cache/memory-store.js'
export { createMemoryCacheStore } from './cache/memory-store.js'
export type { SingleFlight } from './cache/single-flight.js'
export { createSingleFlight } from './cache/single-flight.js'
export { tokenCacheKey } from './cache/token-key.js'
export type { TokenShape } from './verify/token-shape.js'
export { detectTokenShape, isJwtShaped } from './verify/token-shape.js'
export type {
  IntrospectionVerifier,
  IntrospectionVerifierOptions,
  IntrospectionCacheOptions,
} from './verify/introspection.js'
export { createIntrospectionVerifier } from './verify/introspection.js'
export type { HybridVerifier, HybridVerifierOptions } from './verify/hybrid.js'
export { createHybridVerifier } from './verify/hybrid.js'
export type { ProtectedResourceOptions, ProtectedResourceMetadata } from './resource/metadata.js'
export { createProtectedResourceMetadata } from './resource/metadata.js'

export type {
  JwtVerifier,
  JwtVerifierOptions,
  JwtResultCacheOptions,
  AccessTokenKeySetOptions,
} from './verify/jwt.js'
export { createJwtVerifier } from './verify/jwt.js'
export type { JwtAlgorithm } from './jwks/algorithms.js'
export { SUPPORTED_JWT_ALGORITHMS, DEFAULT_JWT_ALGORITHMS } from './jwks/algorithms.js'
export type { JwksStatus } from './jwks/jwks-cache.js'
