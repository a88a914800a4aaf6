/**
 * Hydra's error bodies. Hydra v2/v26 (fosite, non-legacy format) sends only
 * `{"error", "error_description"}`, where the description is fosite's fixed text for the code
 * followed by a hint. The texts below are the ones fosite and Hydra use, so clients that match on
 * them behave as against the real server.
 */

/** OAuth 2.0 / Hydra error codes the mock sends. */
export type OAuth2ErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'invalid_state'
  | 'access_denied'
  | 'login_required'
  | 'consent_required'
  | 'request_unauthorized'
  | 'request_forbidden'
  | 'invalid_client_metadata'
  | 'invalid_redirect_uri'
  | 'insufficient_entropy'
  | 'server_error'
  | 'Not Found'
  | 'Conflict'
  | 'Method Not Allowed'
  | 'Payload Too Large'

const BASE: Record<OAuth2ErrorCode, [status: number, description: string]> = {
  invalid_request: [
    400,
    'The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.',
  ],
  invalid_client: [
    401,
    'Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method).',
  ],
  invalid_grant: [
    400,
    'The provided authorization grant (e.g., authorization code, resource owner credentials) or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.',
  ],
  unauthorized_client: [400, 'The client is not authorized to request a token using this method.'],
  unsupported_grant_type: [400, 'The authorization grant type is not supported by the authorization server.'],
  unsupported_response_type: [
    400,
    'The authorization server does not support obtaining a token using this method.',
  ],
  invalid_scope: [400, 'The requested scope is invalid, unknown, or malformed.'],
  invalid_state: [
    400,
    'The state is missing or does not have enough characters and is therefore considered too weak.',
  ],
  access_denied: [403, 'The resource owner or authorization server denied the request.'],
  login_required: [400, 'The Authorization Server requires End-User authentication.'],
  consent_required: [400, 'The Authorization Server requires End-User consent.'],
  request_unauthorized: [401, 'The request could not be authorized.'],
  request_forbidden: [403, 'The request is not allowed.'],
  invalid_client_metadata: [
    400,
    "The value of one of the Client Metadata fields is invalid and the server has rejected this request. Note that an Authorization Server MAY choose to substitute a valid value for any requested parameter of a Client's Metadata.",
  ],
  invalid_redirect_uri: [400, 'The value of one or more redirect_uris is invalid.'],
  insufficient_entropy: [
    400,
    'The request used a security parameter (e.g., anti-replay, anti-csrf) with insufficient entropy.',
  ],
  server_error: [
    500,
    'The authorization server encountered an unexpected condition that prevented it from fulfilling the request.',
  ],
  'Not Found': [404, 'Unable to locate the requested resource'],
  Conflict: [409, 'Unable to insert or update resource because a resource with that value exists already'],
  'Method Not Allowed': [405, 'The requested method is not allowed for this resource'],
  'Payload Too Large': [413, 'The request body is larger than the server accepts'],
}

/**
 * An error the mock answers with. Handlers throw it; the router renders it as
 * `{"error", "error_description"}` with {@link OAuth2Error.status}, or the authorize endpoint turns
 * it into a redirect.
 */
export class OAuth2Error extends Error {
  /** The `error` field. */
  readonly error: string
  /** The `error_description` field: fosite's text for the code, then the hint. */
  readonly description: string
  /** HTTP status. */
  readonly status: number
  /** Extra response headers (e.g. `WWW-Authenticate`). */
  readonly headers: Record<string, string>

  constructor(error: string, description: string, status: number, headers: Record<string, string> = {}) {
    super(`${error}: ${description}`)
    this.name = 'OAuth2Error'
    this.error = error
    this.description = description
    this.status = status
    this.headers = headers
  }

  /** The JSON body fosite sends from the OAuth 2.0 endpoints: `{error, error_description}`. */
  toJSON(): { error: string; error_description: string } {
    return { error: this.error, error_description: this.description }
  }

  /**
   * The body of an admin API error: Hydra's `errorOAuth2` (`error`, `error_description`,
   * `status_code`). With `generic`, for the operations whose spec answers `genericError`, it also
   * carries that schema's required `message` (and its `code` and `status`).
   */
  toAdminJSON(generic: boolean): Record<string, unknown> {
    const body: Record<string, unknown> = { ...this.toJSON(), status_code: this.status }
    if (generic) {
      body.message = this.description
      body.code = this.status
      body.status = STATUS_TEXT[this.status] ?? this.error
    }
    return body
  }
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  500: 'Internal Server Error',
}

/**
 * Operations whose error response in Hydra's v26 spec is `genericError` (required `message`)
 * rather than `errorOAuth2`.
 */
export const GENERIC_ERROR_OPERATIONS: ReadonlySet<string> = new Set([
  'deleteOAuth2Client',
  'setOAuth2ClientLifespans',
  'trustOAuth2JwtGrantIssuer',
  'getTrustedOAuth2JwtGrantIssuer',
  'listTrustedOAuth2JwtGrantIssuers',
  'deleteTrustedOAuth2JwtGrantIssuer',
])

/** Builds the error for `code` with fosite's base description plus `hint` (if any). */
export function oauthError(
  code: OAuth2ErrorCode,
  hint?: string,
  options: { status?: number; headers?: Record<string, string> } = {},
): OAuth2Error {
  const [status, base] = BASE[code]
  const description = hint ? `${base} ${hint}` : base
  return new OAuth2Error(code, description, options.status ?? status, options.headers)
}

/** Hydra's 404 body: `{"error":"Not Found","error_description":"Unable to locate the requested resource"}`. */
export function notFound(): OAuth2Error {
  return oauthError('Not Found')
}

/** An `invalid_request` for a missing query parameter, in Hydra's words. */
export function missingQueryParameter(name: string): OAuth2Error {
  return oauthError('invalid_request', `Query parameter '${name}' is not defined but should have been.`)
}

/** A 400 for a JSON body that could not be decoded, in Hydra's words. */
export function undecodableBody(reason: string): OAuth2Error {
  return oauthError('invalid_request', `Unable to decode body because: ${reason}`)
}
