// Public API of @hydrakit/core. Explicit named re-exports only.

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
export type { VerificationMode, VerifierConfig } from './verify/create.js'
export { createVerifier } from './verify/create.js'

export type {
  HydraErrorKind,
  HydraErrorCode,
  HydraErrorBody,
  HydraErrorOptions,
} from './hydra/hydra-error.js'
export { HydraError, isHydraError } from './hydra/hydra-error.js'
export type { HydraCallOptions, HydraHttpOptions } from './hydra/hydra-transport.js'
export type { HydraApiVersion, HydraPage, HydraPageCursor } from './hydra/pagination.js'
export type {
  HydraAdminClient,
  HydraAdminClientOptions,
  FlowRequestResult,
  ListOAuth2ClientsParams,
  ListOAuth2ConsentSessionsParams,
  ListTrustedOAuth2JwtGrantIssuersParams,
  RevokeOAuth2ConsentSessionsTarget,
  RevokeOAuth2LoginSessionsTarget,
} from './hydra/admin-client.js'
export { createHydraAdminClient } from './hydra/admin-client.js'
export type {
  HydraPublicClient,
  HydraPublicClientOptions,
  TokenEndpointAuthMethod,
  OAuth2AuthorizeParams,
  AuthorizationRequest,
  OAuth2TokenGrant,
} from './hydra/public-client.js'
export { createHydraPublicClient } from './hydra/public-client.js'
export type { PkcePair } from './hydra/pkce.js'
export {
  generateCodeVerifier,
  computeCodeChallenge,
  createPkcePair,
  generateState,
  generateNonce,
} from './hydra/pkce.js'
export type {
  HydraDuration,
  JsonRawMessage,
  OAuth2Client,
  OAuth2ClientTokenLifespans,
  JsonPatch,
  JsonPatchDocument,
  OAuth2ConsentRequestOpenIDConnectContext,
  OAuth2LoginRequest,
  OAuth2ConsentRequest,
  OAuth2LogoutRequest,
  AcceptOAuth2LoginRequest,
  AcceptOAuth2ConsentRequest,
  AcceptOAuth2ConsentRequestSession,
  RejectOAuth2Request,
  OAuth2RedirectTo,
  OAuth2ConsentSession,
  IntrospectedOAuth2Token,
  CreateJsonWebKeySet,
  JsonWebKey,
  JsonWebKeySet,
  TrustOAuth2JwtGrantIssuer,
  TrustedOAuth2JwtGrantIssuer,
  TrustedOAuth2JwtGrantJsonWebKey,
  HealthStatus,
  HealthReadiness,
  HydraVersion,
  ErrorOAuth2,
  OAuth2TokenExchange,
  OidcConfiguration,
  OidcUserInfo,
} from './hydra/types.js'

export type {
  FlowRequest,
  FlowPage,
  FlowRedirect,
  FlowRender,
  FlowResult,
  ClientView,
  FormTokens,
  LoginPageData,
  ConsentItem,
  ConsentPageData,
  LogoutPageData,
  FlowErrorCode,
  ErrorPageData,
  FlowPageData,
  RenderContext,
  PageRenderer,
} from './flows/types.js'
export type {
  LoginConsentOptions,
  LoginFlowOptions,
  ConsentFlowOptions,
  LogoutFlowOptions,
  AuthenticateHook,
  AuthenticateInput,
  AuthenticateResult,
  LoginSkipHook,
  LoginSkipInput,
  LoginSkipResult,
  ClaimsHook,
  ClaimsInput,
  SessionClaims,
  FlowErrorEvent,
} from './flows/options.js'
export type { FlowRoute, FlowHttpResponse, FlowHttpInput, LoginConsentHandler } from './flows/handler.js'
export { createLoginConsentHandler, defaultContentSecurityPolicy } from './flows/handler.js'
export type { CsrfCookieOptions, CsrfProtection, CsrfFlow } from './flows/csrf.js'
export { createCsrfProtection } from './flows/csrf.js'
export type { RedirectGuard } from './flows/redirect-guard.js'
export { createRedirectGuard } from './flows/redirect-guard.js'
export type { FormBodySource, FormBodyErrorReason } from './flows/form.js'
export { FormBodyError, readFormBody, formFromParsed, DEFAULT_MAX_FORM_BYTES } from './flows/form.js'
export type { ChallengeCheck } from './flows/challenge.js'
export { checkChallenge, DEFAULT_MAX_CHALLENGE_LENGTH } from './flows/challenge.js'
export { escapeHtml, renderBuiltInPage, BUILT_IN_STYLE } from './flows/pages.js'

export type {
  CacheTier,
  CacheTierOutcome,
  CacheTierListener,
  TierReportingCacheStore,
} from './cache/tier-report.js'
export type {
  RedisClientLike,
  RedisCacheStore,
  RedisCacheStoreOptions,
  RedisCacheEntry,
} from './cache/redis-store.js'
export { createRedisCacheStore } from './cache/redis-store.js'
export type { TieredCacheStore, TieredCacheStoreOptions, TieredL1Options } from './cache/tiered-store.js'
export { createTieredCacheStore } from './cache/tiered-store.js'
export type {
  InvalidationBus,
  InvalidationMessage,
  InvalidationEvent,
  RedisPubSubClientLike,
  RedisSubscriberLike,
  RedisInvalidationBusOptions,
} from './cache/invalidation-bus.js'
export { createRedisInvalidationBus } from './cache/invalidation-bus.js'
export type { InvalidationResult } from './cache/invalidation.js'
export { combineHooks } from './observability/combine-hooks.js'
export type {
  PromClientLike,
  PromCounterLike,
  PromHistogramLike,
  PromRegistryLike,
  PromMetricConfig,
  PromLabels,
  PrometheusHooksOptions,
} from './observability/prometheus.js'
export { createPrometheusHooks } from './observability/prometheus.js'
export type {
  OtelTracerLike,
  OtelSpanLike,
  OtelSpanOptionsLike,
  OtelAttributeValue,
} from './observability/opentelemetry.js'
export { createOpenTelemetryHooks } from './observability/opentelemetry.js'
export type { DebugLogFunction, DebugLoggerOptions } from './observability/debug-log.js'
export { createDebugLogger } from './observability/debug-log.js'

export type { SyncTokenVerifier } from './guard/authenticate.js'
export { isSyncTokenVerifier } from './guard/authenticate.js'
