/**
 * How a resource server should answer its client when the introspection endpoint did not answer
 * 200:
 * - `invalid_token`: the upstream refused the client's token itself (401 `invalid_token` for the
 *   client);
 * - `unavailable`: our own request, credentials, configuration or the upstream failed (503
 *   `temporarily_unavailable`; the client's token may be fine).
 */
export type IntrospectionFailureOutcome = 'invalid_token' | 'unavailable'

/** Why, in a word, for logs and metrics. */
export type IntrospectionFailureReason =
  | 'token_refused'
  | 'bad_request'
  | 'client_auth'
  | 'not_found'
  | 'rate_limited'
  | 'server_error'
  | 'unexpected_status'

/** The result of {@link classifyIntrospectionFailure}. */
export interface IntrospectionFailureClass {
  /** What the resource server answers. */
  readonly outcome: IntrospectionFailureOutcome
  /** Why. */
  readonly reason: IntrospectionFailureReason
  /** The OAuth `error` code of the upstream's body, when it had one. */
  readonly error: string | undefined
}

/**
 * Error codes that, in a 400 answer to an introspection request, are about the token the client
 * presented rather than about our request:
 * - `unsupported_token_type` (RFC 7009 §2.2.1): the server cannot introspect this kind of token;
 *   oidc-provider 9 answers it for any JWT-shaped token (it cannot introspect its structured
 *   tokens), Keycloak for an unknown `token_type_hint`;
 * - `invalid_token` (RFC 6750 §3.1): the token is malformed, expired or revoked.
 * Everything else in a 400 (`invalid_request`, `invalid_client`, `unauthorized_client`, no code at
 * all) is about our request: a missing field, a bad client authentication, a wrong URL.
 */
const TOKEN_ERRORS = new Set(['unsupported_token_type', 'invalid_token'])

/**
 * Decides whether a non-200 introspection answer means "the client's token is bad" or "we cannot
 * tell right now", from its status and its RFC 6749 §5.2 error body (`{"error": "..."}`, parsed
 * JSON or undefined). Only a 400 can blame the token: a 401 or 403, even with `invalid_token`, is
 * about our own credentials at the introspection endpoint (Ory Network answers a bad API key that
 * way). Pure; never throws.
 */
export function classifyIntrospectionFailure(status: number, body: unknown): IntrospectionFailureClass {
  const error =
    body !== null && typeof body === 'object' && typeof (body as { error?: unknown }).error === 'string'
      ? (body as { error: string }).error
      : undefined
  if (status === 400) {
    return error !== undefined && TOKEN_ERRORS.has(error)
      ? { outcome: 'invalid_token', reason: 'token_refused', error }
      : { outcome: 'unavailable', reason: 'bad_request', error }
  }
  if (status === 401 || status === 403) return { outcome: 'unavailable', reason: 'client_auth', error }
  if (status === 404 || status === 405) return { outcome: 'unavailable', reason: 'not_found', error }
  if (status === 429) return { outcome: 'unavailable', reason: 'rate_limited', error }
  if (status >= 500 && status <= 599) return { outcome: 'unavailable', reason: 'server_error', error }
  return { outcome: 'unavailable', reason: 'unexpected_status', error }
}
