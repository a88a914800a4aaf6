import { buildBearerChallenge, type BearerChallenge } from './www-authenticate.js'

/** Every error code hydrakit throws for a request. Closed: codes are never reused or removed. */
export type HydrakitErrorCode =
  | 'ERR_HYDRAKIT_MISSING_TOKEN'
  | 'ERR_HYDRAKIT_INVALID_REQUEST'
  | 'ERR_HYDRAKIT_INVALID_TOKEN'
  | 'ERR_HYDRAKIT_INSUFFICIENT_SCOPE'
  | 'ERR_HYDRAKIT_CLAIM_CHECK_FAILED'
  | 'ERR_HYDRAKIT_UPSTREAM_UNAVAILABLE'

/** The OAuth error code sent to the client (RFC 6750 §3.1, plus `temporarily_unavailable` for outages). */
export type OAuthErrorCode =
  'invalid_request' | 'invalid_token' | 'insufficient_scope' | 'temporarily_unavailable'

/**
 * Why a token was refused: finer than the OAuth code, for logs, metrics and the `onVerify` hook.
 * Never sent to the client beyond the short description.
 */
export type RejectionReason =
  | 'missing'
  | 'malformed_header'
  | 'multiple_methods'
  | 'too_large'
  | 'malformed'
  | 'algorithm'
  | 'unknown_kid'
  | 'key_not_allowed'
  | 'signature'
  | 'critical_header'
  | 'typ'
  | 'expired'
  | 'not_yet_valid'
  | 'too_old'
  | 'issuer'
  | 'audience'
  | 'required_claim'
  | 'inactive'
  | 'token_use'
  | 'scope'
  | 'claim'
  | 'jwks_unavailable'
  | 'introspection_unavailable'

/** Options common to every {@link HydrakitError}. */
export interface HydrakitErrorOptions {
  /** Short, safe text for the client (`error_description`). */
  description: string
  reason: RejectionReason
  /** `realm` of the challenge. Default `"api"`. */
  realm?: string | undefined
  cause?: unknown
  /** Extra detail for server logs only (expected issuer, kid, …). Never rendered. */
  debug?: Record<string, unknown> | undefined
}

/**
 * Base class of every request-level error. Carries what Express's finalhandler and Koa's
 * `ctx.onerror` need to render it correctly without a custom handler: `status`, `statusCode`,
 * `expose` and `headers`.
 */
export abstract class HydrakitError extends Error {
  abstract readonly code: HydrakitErrorCode
  /** The OAuth error string sent in the body and in `WWW-Authenticate`. */
  abstract readonly error: OAuthErrorCode | undefined
  readonly status: number
  readonly statusCode: number
  /** Always true: the message is safe to show to the client. */
  readonly expose = true
  readonly headers: Record<string, string>
  readonly reason: RejectionReason
  readonly description: string
  readonly realm: string
  readonly debug: Record<string, unknown> | undefined
  /** The `WWW-Authenticate` parameters, or undefined for errors without a challenge (503). */
  protected challenge: BearerChallenge | undefined

  protected constructor(status: number, options: HydrakitErrorOptions) {
    super(options.description, options.cause === undefined ? undefined : { cause: options.cause })
    this.status = status
    this.statusCode = status
    this.reason = options.reason
    this.description = options.description
    this.realm = options.realm ?? 'api'
    this.debug = options.debug
    this.headers = {}
  }

  override get name(): string {
    return this.constructor.name
  }

  /** Sets the challenge and the `WWW-Authenticate` header built from it. */
  protected setChallenge(challenge: BearerChallenge): void {
    this.challenge = challenge
    this.headers['www-authenticate'] = buildBearerChallenge(challenge)
  }

  /**
   * Adds RFC 9728's `resource_metadata` parameter to the challenge (idempotent). The adapters call
   * it when protected-resource metadata is configured. No-op for errors without a challenge.
   */
  withResourceMetadata(url: string): this {
    if (this.challenge !== undefined && this.challenge.resourceMetadata !== url) {
      this.setChallenge({ ...this.challenge, resourceMetadata: url })
    }
    return this
  }

  /** JSON body the adapters send: `{ error, error_description }`. */
  toJSON(): { error: string; error_description: string } {
    return { error: this.error ?? 'unauthorized', error_description: this.description }
  }
}

/** No token at all: 401 with a bare challenge (RFC 6750 §3.1: no error code). */
export class MissingTokenError extends HydrakitError {
  readonly code = 'ERR_HYDRAKIT_MISSING_TOKEN' as const
  readonly error = undefined
  constructor(options: Partial<HydrakitErrorOptions> = {}) {
    super(401, { description: 'no bearer token', reason: 'missing', ...options })
    this.setChallenge({ realm: this.realm })
  }
}

/** A malformed request: bad header, token sent twice, oversized token. 400 `invalid_request`. */
export class InvalidRequestError extends HydrakitError {
  readonly code = 'ERR_HYDRAKIT_INVALID_REQUEST' as const
  readonly error = 'invalid_request' as const
  constructor(options: HydrakitErrorOptions) {
    super(400, options)
    this.setChallenge({
      realm: this.realm,
      error: this.error,
      errorDescription: this.description,
    })
  }
}

/** Bad, expired, revoked or foreign token. 401 `invalid_token`. */
export class InvalidTokenError extends HydrakitError {
  readonly code = 'ERR_HYDRAKIT_INVALID_TOKEN' as const
  readonly error = 'invalid_token' as const
  constructor(options: HydrakitErrorOptions) {
    super(401, options)
    this.setChallenge({
      realm: this.realm,
      error: this.error,
      errorDescription: this.description,
    })
  }
}

/** Valid token without the scopes the route needs. 403 `insufficient_scope` with `scope="…"`. */
export class InsufficientScopeError extends HydrakitError {
  readonly code = 'ERR_HYDRAKIT_INSUFFICIENT_SCOPE' as const
  readonly error = 'insufficient_scope' as const
  /** The scopes the route needed (all of them, or any one of them when `mode` is `any`). */
  readonly requiredScopes: readonly string[]
  readonly mode: 'all' | 'any'
  constructor(
    requiredScopes: readonly string[],
    mode: 'all' | 'any',
    options: Partial<HydrakitErrorOptions> = {},
  ) {
    super(403, {
      description:
        mode === 'all' ? 'the token lacks a required scope' : 'the token has none of the accepted scopes',
      reason: 'scope',
      ...options,
    })
    this.requiredScopes = requiredScopes
    this.mode = mode
    this.setChallenge({
      realm: this.realm,
      error: this.error,
      errorDescription: this.description,
      scope: requiredScopes.join(' '),
    })
  }
}

/** Valid token whose claims fail a `requireClaims` check. 403 `insufficient_scope` (RFC 6750 §3.1). */
export class ClaimCheckError extends HydrakitError {
  readonly code = 'ERR_HYDRAKIT_CLAIM_CHECK_FAILED' as const
  readonly error = 'insufficient_scope' as const
  /** The claim that failed. */
  readonly claim: string
  constructor(claim: string, options: Partial<HydrakitErrorOptions> = {}) {
    super(403, { description: `claim check failed: ${claim}`, reason: 'claim', ...options })
    this.claim = claim
    this.setChallenge({
      realm: this.realm,
      error: this.error,
      errorDescription: this.description,
    })
  }
}

/**
 * The JWKS or introspection endpoint could not answer: 503 `temporarily_unavailable`, never 401.
 * No `WWW-Authenticate`: the token was not judged. `Retry-After` is passed on when upstream sent one.
 */
export class UpstreamUnavailableError extends HydrakitError {
  readonly code = 'ERR_HYDRAKIT_UPSTREAM_UNAVAILABLE' as const
  readonly error = 'temporarily_unavailable' as const
  constructor(options: HydrakitErrorOptions & { retryAfter?: string | undefined }) {
    super(503, options)
    if (options.retryAfter !== undefined && /^[0-9]{1,9}$/.test(options.retryAfter)) {
      this.headers['retry-after'] = options.retryAfter
    }
  }
}

/** Type guard for every hydrakit request error. */
export function isHydrakitError(value: unknown): value is HydrakitError {
  return value instanceof HydrakitError
}
