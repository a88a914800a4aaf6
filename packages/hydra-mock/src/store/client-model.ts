/**
 * Hydra's `oAuth2Client` model (v26), as sent and returned by the admin API. Wire format: the field
 * names are Hydra's. Every field is optional on input; the mock fills Hydra's defaults.
 */
export interface OAuth2Client {
  client_id?: string
  /** Only returned by create (and by update/patch when a new secret was set), never by get/list. */
  client_secret?: string
  client_name?: string
  client_uri?: string
  logo_uri?: string
  policy_uri?: string
  tos_uri?: string
  owner?: string
  contacts?: string[]
  /** Space-separated scopes the client may request. Default `"offline_access offline openid"`. */
  scope?: string
  /** Registered redirect URIs; the authorize endpoint requires an exact match. */
  redirect_uris?: string[]
  post_logout_redirect_uris?: string[]
  /** Default (when empty) `["authorization_code"]`. */
  grant_types?: string[]
  /** Default (when empty) `["code"]`. */
  response_types?: string[]
  /** Audiences the client may request (`audience` parameter). */
  audience?: string[]
  allowed_cors_origins?: string[]
  request_uris?: string[]
  /** `client_secret_basic` (default), `client_secret_post` or `none` (public client, PKCE). */
  token_endpoint_auth_method?: string
  token_endpoint_auth_signing_alg?: string
  /** `public` (default) or `pairwise`. */
  subject_type?: string
  sector_identifier_uri?: string
  userinfo_signed_response_alg?: string
  request_object_signing_alg?: string
  jwks_uri?: string
  jwks?: { keys: Record<string, unknown>[] }
  /** Per-client override of the server's access token strategy: `jwt` or `opaque`. */
  access_token_strategy?: string
  skip_consent?: boolean
  skip_logout_consent?: boolean
  backchannel_logout_uri?: string
  backchannel_logout_session_required?: boolean
  frontchannel_logout_uri?: string
  frontchannel_logout_session_required?: boolean
  metadata?: unknown
  client_secret_expires_at?: number
  created_at?: string
  updated_at?: string
  authorization_code_grant_access_token_lifespan?: string | null
  authorization_code_grant_id_token_lifespan?: string | null
  authorization_code_grant_refresh_token_lifespan?: string | null
  client_credentials_grant_access_token_lifespan?: string | null
  device_authorization_grant_access_token_lifespan?: string | null
  device_authorization_grant_id_token_lifespan?: string | null
  device_authorization_grant_refresh_token_lifespan?: string | null
  implicit_grant_access_token_lifespan?: string | null
  implicit_grant_id_token_lifespan?: string | null
  jwt_bearer_grant_access_token_lifespan?: string | null
  refresh_token_grant_access_token_lifespan?: string | null
  refresh_token_grant_id_token_lifespan?: string | null
  refresh_token_grant_refresh_token_lifespan?: string | null
}

/** A client as the mock stores it: the public view plus the SHA-256 of its secret. */
export interface StoredClient {
  /** Normalized client, without `client_secret`. `client_id` is always set. */
  readonly client: OAuth2Client & { client_id: string }
  /** SHA-256 (base64url) of the secret; `undefined` for public clients. */
  readonly secretHash: string | undefined
}

/** Grant types in effect (Hydra treats an empty list as `["authorization_code"]`). */
export function effectiveGrantTypes(c: OAuth2Client): string[] {
  return c.grant_types && c.grant_types.length > 0 ? c.grant_types : ['authorization_code']
}

/** Response types in effect (Hydra treats an empty list as `["code"]`). */
export function effectiveResponseTypes(c: OAuth2Client): string[] {
  return c.response_types && c.response_types.length > 0 ? c.response_types : ['code']
}

/** Registered scopes as a list. */
export function clientScopes(c: OAuth2Client): string[] {
  return (c.scope ?? '').split(' ').filter((s) => s.length > 0)
}

/** The token endpoint authentication method in effect (default `client_secret_basic`). */
export function authMethod(c: OAuth2Client): string {
  return c.token_endpoint_auth_method || 'client_secret_basic'
}

/** A copy safe to return from the API: no secret. */
export function clientView(stored: StoredClient): OAuth2Client & { client_id: string } {
  return structuredClone(stored.client)
}
