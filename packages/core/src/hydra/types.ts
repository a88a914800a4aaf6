// Wire models of Ory Hydra's API, named after Hydra v26.2's OpenAPI schemas (PascalCase type
// names) with the snake_case field names Hydra sends. Where Hydra v1.11 names a model differently
// (loginRequest, completedRequest, oAuth2TokenIntrospection, ...) the same type is used: the field
// names are identical, and fields that only one version knows are optional here. Hydra may add
// fields at any time; the clients pass unknown fields through untouched.

/**
 * A Go duration string as Hydra stores token lifespans, e.g. `"1h"`, `"30m0s"`, `"3600s"`.
 * Pattern `^([0-9]+(ns|us|ms|s|m|h))*$`. Hydra's `NullDuration` is a string on the wire: leave the
 * field out (or send `""`) to use the server default; `null` is not allowed by the spec.
 */
export type HydraDuration = string

/** Any JSON value Hydra stores verbatim (`context`, `metadata`, session data). */
export type JsonRawMessage =
  string | number | boolean | null | JsonRawMessage[] | { [key: string]: JsonRawMessage }

/** An OAuth 2.0 client (`oAuth2Client`). `client_secret` is only ever returned by create. */
export interface OAuth2Client {
  client_id?: string
  client_name?: string
  /** Only sent by Hydra in the create response; write it down, it cannot be read again. */
  client_secret?: string
  client_secret_expires_at?: number
  client_uri?: string
  contacts?: string[]
  owner?: string
  policy_uri?: string
  tos_uri?: string
  logo_uri?: string
  redirect_uris?: string[] | null
  post_logout_redirect_uris?: string[]
  allowed_cors_origins?: string[] | null
  audience?: string[] | null
  grant_types?: string[] | null
  response_types?: string[] | null
  /** Space-separated scopes the client may request. */
  scope?: string
  request_uris?: string[] | null
  jwks?: JsonWebKeySet
  jwks_uri?: string
  token_endpoint_auth_method?: string
  token_endpoint_auth_signing_alg?: string
  request_object_signing_alg?: string
  userinfo_signed_response_alg?: string
  subject_type?: string
  sector_identifier_uri?: string
  frontchannel_logout_uri?: string
  frontchannel_logout_session_required?: boolean
  backchannel_logout_uri?: string
  backchannel_logout_session_required?: boolean
  metadata?: JsonRawMessage
  /** v2+: `jwt` or `opaque`. */
  access_token_strategy?: string
  /** v2+: the consent app may skip the consent screen for this client (Hydra never does it by itself). */
  skip_consent?: boolean
  /** v2+: the logout app may skip the logout confirmation for this client. */
  skip_logout_consent?: boolean
  registration_access_token?: string
  registration_client_uri?: string
  created_at?: string
  updated_at?: string
  authorization_code_grant_access_token_lifespan?: HydraDuration
  authorization_code_grant_id_token_lifespan?: HydraDuration
  authorization_code_grant_refresh_token_lifespan?: HydraDuration
  client_credentials_grant_access_token_lifespan?: HydraDuration
  implicit_grant_access_token_lifespan?: HydraDuration
  implicit_grant_id_token_lifespan?: HydraDuration
  jwt_bearer_grant_access_token_lifespan?: HydraDuration
  refresh_token_grant_access_token_lifespan?: HydraDuration
  refresh_token_grant_id_token_lifespan?: HydraDuration
  refresh_token_grant_refresh_token_lifespan?: HydraDuration
  /** v2+ only. */
  device_authorization_grant_access_token_lifespan?: HydraDuration
  /** v2+ only. */
  device_authorization_grant_id_token_lifespan?: HydraDuration
  /** v2+ only. */
  device_authorization_grant_refresh_token_lifespan?: HydraDuration
  /** v1 only. */
  password_grant_access_token_lifespan?: HydraDuration
  /** v1 only. */
  password_grant_refresh_token_lifespan?: HydraDuration
}

/** Per-grant token lifespans of a client (`oAuth2ClientTokenLifespans`; v1 `UpdateOAuth2ClientLifespans`). */
export type OAuth2ClientTokenLifespans = Pick<
  OAuth2Client,
  | 'authorization_code_grant_access_token_lifespan'
  | 'authorization_code_grant_id_token_lifespan'
  | 'authorization_code_grant_refresh_token_lifespan'
  | 'client_credentials_grant_access_token_lifespan'
  | 'implicit_grant_access_token_lifespan'
  | 'implicit_grant_id_token_lifespan'
  | 'jwt_bearer_grant_access_token_lifespan'
  | 'refresh_token_grant_access_token_lifespan'
  | 'refresh_token_grant_id_token_lifespan'
  | 'refresh_token_grant_refresh_token_lifespan'
  | 'device_authorization_grant_access_token_lifespan'
  | 'device_authorization_grant_id_token_lifespan'
  | 'device_authorization_grant_refresh_token_lifespan'
  | 'password_grant_access_token_lifespan'
  | 'password_grant_refresh_token_lifespan'
>

/** One RFC 6902 JSON Patch operation (`jsonPatch`; v1 `patchDocument`). */
export interface JsonPatch {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test'
  /** JSON Pointer to the target, e.g. `/client_name`. */
  path: string
  /** Source pointer of `move` and `copy`. */
  from?: string
  value?: JsonRawMessage
}

/** An RFC 6902 JSON Patch document (`jsonPatchDocument`; v1 `patchRequest`). */
export type JsonPatchDocument = JsonPatch[]

/** OpenID Connect parameters of the authorization request (`oAuth2ConsentRequestOpenIDConnectContext`). */
export interface OAuth2ConsentRequestOpenIDConnectContext {
  acr_values?: string[] | null
  display?: string
  id_token_hint_claims?: Record<string, unknown> | null
  login_hint?: string
  ui_locales?: string[] | null
}

/**
 * A login request (`oAuth2LoginRequest`; v1 `loginRequest`). The client validates `challenge`,
 * `skip`, `subject`, `client`, `request_url` and the two `requested_*` arrays (a `null` array is
 * returned as `[]`).
 */
export interface OAuth2LoginRequest {
  challenge: string
  /** True when Hydra already knows the user (remembered session): accept with the same `subject`. */
  skip: boolean
  /** The remembered user when `skip` is true; empty otherwise. */
  subject: string
  client: OAuth2Client
  request_url: string
  requested_scope: string[]
  requested_access_token_audience: string[]
  session_id?: string
  oidc_context?: OAuth2ConsentRequestOpenIDConnectContext
}

/**
 * A consent request (`oAuth2ConsentRequest`; v1 `consentRequest`). The client validates
 * `challenge`, `subject`, `client`, `skip` (absent is `false`) and the `requested_*` arrays.
 */
export interface OAuth2ConsentRequest {
  challenge: string
  skip: boolean
  subject: string
  client: OAuth2Client
  request_url?: string
  requested_scope: string[]
  requested_access_token_audience: string[]
  login_challenge?: string
  login_session_id?: string
  acr?: string
  amr?: string[] | null
  /** Whatever the login accept put into `context`. */
  context?: JsonRawMessage
  oidc_context?: OAuth2ConsentRequestOpenIDConnectContext
  /** v2.2+ only. */
  consent_request_id?: string
}

/** A logout request (`oAuth2LogoutRequest`; v1 `logoutRequest`). Every field is optional on the wire. */
export interface OAuth2LogoutRequest {
  challenge?: string
  subject?: string
  /** The login session id to end. */
  sid?: string
  request_url?: string
  /** True when a relying party started the logout (RP-initiated logout). */
  rp_initiated?: boolean
  client?: OAuth2Client | null
  /** v2+ only. */
  expires_at?: string | null
  /** v2+ only. */
  requested_at?: string | null
}

/** Body of a login accept (`acceptOAuth2LoginRequest`; v1 `acceptLoginRequest`). */
export interface AcceptOAuth2LoginRequest {
  /** The authenticated user id. Required; must equal the request's `subject` when `skip` was true. */
  subject: string
  /** Remember the login in a cookie. */
  remember?: boolean
  /** How long to remember it, in seconds; `0` = for the browser session. */
  remember_for?: number
  acr?: string
  amr?: string[]
  /** Any JSON, handed to the consent request as `context`. */
  context?: JsonRawMessage
  force_subject_identifier?: string
  /** v2+ only (refused on v1): extend the session lifespan when `skip` was true. */
  extend_session_lifespan?: boolean
  /** v2+ only (refused on v1). */
  identity_provider_session_id?: string
}

/** Session data put into the tokens (`acceptOAuth2ConsentRequestSession`; v1 `consentRequestSession`). */
export interface AcceptOAuth2ConsentRequestSession {
  /** Claims visible in the access token (`ext`) and in introspection. */
  access_token?: Record<string, unknown>
  /** Claims added to the ID token. */
  id_token?: Record<string, unknown>
}

/** Body of a consent accept (`acceptOAuth2ConsentRequest`; v1 `acceptConsentRequest`). */
export interface AcceptOAuth2ConsentRequest {
  grant_scope?: string[]
  grant_access_token_audience?: string[]
  remember?: boolean
  /** Seconds; `0` = forever. */
  remember_for?: number
  session?: AcceptOAuth2ConsentRequestSession
  /** v2+ only (refused on v1). */
  context?: JsonRawMessage
}

/** Body of a login or consent reject (`rejectOAuth2Request`; v1 `rejectRequest`). All optional. */
export interface RejectOAuth2Request {
  /** OAuth2 error code sent to the client, default `request_denied`. */
  error?: string
  error_description?: string
  error_hint?: string
  error_debug?: string
  /** Default 400. */
  status_code?: number
}

/** Where to send the browser next (`oAuth2RedirectTo`; v1 `completedRequest`). */
export interface OAuth2RedirectTo {
  /** An absolute http(s) URL (the client checks it). */
  redirect_to: string
}

/** A granted consent (`oAuth2ConsentSession`; v1 `PreviousConsentSession`). */
export interface OAuth2ConsentSession {
  consent_request?: OAuth2ConsentRequest
  /** v2.2+ only. */
  consent_request_id?: string
  grant_scope?: string[] | null
  grant_access_token_audience?: string[] | null
  handled_at?: string | null
  remember?: boolean
  remember_for?: number
  session?: AcceptOAuth2ConsentRequestSession
  /** v2+ only. */
  context?: JsonRawMessage
  [extension: string]: unknown
}

/** RFC 7662 introspection result (`introspectedOAuth2Token`; v1 `oAuth2TokenIntrospection`). */
export interface IntrospectedOAuth2Token {
  active: boolean
  /** Space-separated scopes. */
  scope?: string
  client_id?: string
  sub?: string
  obfuscated_subject?: string
  /** Seconds since the epoch. */
  exp?: number
  iat?: number
  nbf?: number
  aud?: string[]
  iss?: string
  token_type?: string
  /** `access_token` or `refresh_token`. */
  token_use?: string
  username?: string
  /** The consent's `session.access_token`. */
  ext?: Record<string, unknown>
  [extension: string]: unknown
}

/** Request to generate a key set (`createJsonWebKeySet`; v1 `jsonWebKeySetGeneratorRequest`). */
export interface CreateJsonWebKeySet {
  /** `RS256`, `ES256`, `ES512`, `HS256`, `HS512`, `EdDSA`, ... */
  alg: string
  kid: string
  /** `sig` or `enc`. */
  use: string
}

/** A JSON Web Key (`jsonWebKey`; v1 `JSONWebKey`). Private parts are present for private keys. */
export interface JsonWebKey {
  kty: string
  kid?: string
  alg?: string
  use?: string
  crv?: string
  x?: string
  y?: string
  n?: string
  e?: string
  d?: string
  p?: string
  q?: string
  dp?: string
  dq?: string
  qi?: string
  k?: string
  x5c?: string[]
  [extension: string]: unknown
}

/** A JSON Web Key Set (`jsonWebKeySet`; v1 `JSONWebKeySet`). */
export interface JsonWebKeySet {
  keys: JsonWebKey[]
}

/**
 * A JSON Web Key as Hydra requires it in a request body (`setJsonWebKey`, `setJsonWebKeySet`,
 * `trustOAuth2JwtGrantIssuer`): the spec's `jsonWebKey` makes `kty`, `kid`, `alg` and `use`
 * required there.
 */
export interface JsonWebKeyInput extends JsonWebKey {
  kty: string
  /** Key id; for `setJsonWebKey` it must equal the `kid` of the path. */
  kid: string
  /** Algorithm, e.g. `RS256`, `ES256`. */
  alg: string
  /** `sig` or `enc`. */
  use: string
}

/** A key set sent to `setJsonWebKeySet`: every key complete ({@link JsonWebKeyInput}). */
export interface JsonWebKeySetInput {
  keys: JsonWebKeyInput[]
}

/** Body of `trustOAuth2JwtGrantIssuer` (v1 `trustJwtGrantIssuerBody`). */
export interface TrustOAuth2JwtGrantIssuer {
  issuer: string
  /** Scopes the issuer may grant. */
  scope: string[]
  /** The issuer's public key (`kty`, `kid`, `alg` and `use` required). */
  jwk: JsonWebKeyInput
  /** RFC 3339 date-time. */
  expires_at: string
  subject?: string
  allow_any_subject?: boolean
}

/** Key reference of a trusted issuer (`trustedOAuth2JwtGrantJsonWebKey`; v1 `trustedJsonWebKey`). */
export interface TrustedOAuth2JwtGrantJsonWebKey {
  kid?: string
  set?: string
}

/** A trusted JWT grant issuer (`trustedOAuth2JwtGrantIssuer`; v1 `trustedJwtGrantIssuer`). */
export interface TrustedOAuth2JwtGrantIssuer {
  id: string
  issuer?: string
  subject?: string
  allow_any_subject?: boolean
  scope?: string[]
  public_key?: TrustedOAuth2JwtGrantJsonWebKey
  created_at?: string
  expires_at?: string
  [extension: string]: unknown
}

/** Answer of `isAlive` (`healthStatus`). */
export interface HealthStatus {
  /** Always `"ok"`. */
  status: string
}

/**
 * Answer of `isReady`: Hydra's 200 `{status}` as `ready: true`, its 503 `{errors}` as
 * `ready: false` (both are data, not exceptions).
 */
export type HealthReadiness =
  { ready: true; status: string } | { ready: false; errors: Record<string, string> }

/** Answer of `getVersion`. */
export interface HydraVersion {
  version: string
}

/** Error body of Hydra (`errorOAuth2`; v1 `jsonError`). */
export interface ErrorOAuth2 {
  error?: string
  error_description?: string
  error_hint?: string
  error_debug?: string
  status_code?: number
}

/** Token endpoint response (`oAuth2TokenExchange`; v1 `oauth2TokenResponse`). */
export interface OAuth2TokenExchange {
  access_token: string
  token_type: string
  /** Seconds. */
  expires_in?: number
  refresh_token?: string
  id_token?: string
  scope?: string
  [extension: string]: unknown
}

/** OpenID Connect discovery document (`oidcConfiguration`; v1 `wellKnown`). Main fields listed. */
export interface OidcConfiguration {
  issuer: string
  authorization_endpoint: string
  token_endpoint: string
  jwks_uri: string
  userinfo_endpoint?: string
  revocation_endpoint?: string
  end_session_endpoint?: string
  registration_endpoint?: string
  device_authorization_endpoint?: string
  scopes_supported?: string[]
  response_types_supported?: string[]
  response_modes_supported?: string[]
  grant_types_supported?: string[]
  subject_types_supported?: string[]
  id_token_signing_alg_values_supported?: string[]
  userinfo_signing_alg_values_supported?: string[]
  token_endpoint_auth_methods_supported?: string[]
  code_challenge_methods_supported?: string[]
  claims_supported?: string[]
  frontchannel_logout_supported?: boolean
  backchannel_logout_supported?: boolean
  [extension: string]: unknown
}

/** OpenID Connect userinfo (`oidcUserInfo`; v1 `userinfoResponse`). */
export interface OidcUserInfo {
  sub: string
  name?: string
  given_name?: string
  family_name?: string
  middle_name?: string
  nickname?: string
  preferred_username?: string
  profile?: string
  picture?: string
  website?: string
  email?: string
  email_verified?: boolean
  gender?: string
  birthdate?: string
  zoneinfo?: string
  locale?: string
  phone_number?: string
  phone_number_verified?: boolean
  updated_at?: number
  [extension: string]: unknown
}
