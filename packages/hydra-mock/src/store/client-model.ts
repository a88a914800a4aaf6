import type { OAuth2Client } from '@hydrakit/core/hydra'

/**
 * Hydra's `oAuth2Client` model (v26) as sent and returned by the admin API, shared with
 * `@hydrakit/core/hydra`. Every field is optional on input; the mock fills Hydra's defaults.
 * `client_secret` is only returned by create (and by update/patch when a new secret was set).
 */
export type { OAuth2Client }

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
