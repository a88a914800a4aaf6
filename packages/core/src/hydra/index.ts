// @hydrakit/core/hydra: Typed clients for Hydra's admin and public APIs, wire types, PKCE helpers.
// Explicit named re-exports only.

export type { AdminAuth, AdminAuthProvider, AdminAuthContext } from '../upstream/admin-auth.js'
export { createAdminAuthProvider, AdminAuthError } from '../upstream/admin-auth.js'
export type { HydraErrorKind, HydraErrorCode, HydraErrorBody, HydraErrorOptions } from './hydra-error.js'
export { HydraError, isHydraError } from './hydra-error.js'
export type { HydraCallOptions, HydraHttpOptions } from './hydra-transport.js'
export type { HydraApiVersion, HydraPage, HydraPageCursor } from './pagination.js'
export type {
  HydraAdminClient,
  HydraAdminClientOptions,
  FlowRequestResult,
  ListOAuth2ClientsParams,
  ListOAuth2ConsentSessionsParams,
  ListTrustedOAuth2JwtGrantIssuersParams,
  RevokeOAuth2ConsentSessionsTarget,
  RevokeOAuth2LoginSessionsTarget,
} from './admin-client.js'
export { createHydraAdminClient } from './admin-client.js'
export type {
  HydraPublicClient,
  HydraPublicClientOptions,
  TokenEndpointAuthMethod,
  OAuth2AuthorizeParams,
  AuthorizationRequest,
  OAuth2TokenGrant,
} from './public-client.js'
export { createHydraPublicClient } from './public-client.js'
export type { PkcePair } from './pkce.js'
export {
  generateCodeVerifier,
  computeCodeChallenge,
  createPkcePair,
  generateState,
  generateNonce,
} from './pkce.js'
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
  JsonWebKeyInput,
  JsonWebKeySetInput,
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
} from './types.js'
export type { HttpRequest, HttpResponse, TransportFailure } from '../upstream/request.js'
export { TransportError } from '../upstream/request.js'
