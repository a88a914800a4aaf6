import type { AuthSource } from './auth-info.js'
import type { RejectionReason } from './errors/errors.js'

/** Emitted once per `verify()` call. */
export interface VerifyEvent {
  outcome: 'success' | 'failure'
  source: AuthSource | undefined
  /** Set on failure. */
  reason?: RejectionReason | undefined
  /** Server-side detail for a failure (expected issuer, kid, …). Never contains the token. */
  debug?: Record<string, unknown> | undefined
  /** Whether the answer came from a cache. */
  cached: boolean
  durationMs: number
}

/** Emitted on every cache lookup. */
export interface CacheEvent {
  cache: 'jwt' | 'introspection' | 'jwks'
  tier: 'l1' | 'l2'
  outcome: 'hit' | 'miss' | 'negative_hit' | 'error'
}

/** Emitted after each JWKS fetch. */
export interface JwksRefreshEvent {
  url: string
  cause: 'initial' | 'expired' | 'unknown_kid'
  outcome: 'success' | 'failure' | 'cooldown'
  keyCount?: number | undefined
  durationMs: number
  error?: unknown
}

/**
 * Emitted once per refused request by the guard that refused it: a missing or malformed token, a
 * token the verifier refused, a missing scope or claim, an outage. A request is refused at most once,
 * so counting these events counts refused requests by what the client was told.
 */
export interface RefusalEvent {
  /** The HTTP status the client gets: 400, 401, 403 or 503. */
  status: number
  /** Why: `missing` (no token, 401), `scope` / `claim` (403), or the verifier's reason. */
  reason: RejectionReason
}

/**
 * Emitted after each outbound HTTP call (introspection, JWKS, issuer discovery, token endpoint, admin
 * API), once per attempt.
 */
export interface UpstreamEvent {
  /**
   * Which upstream was called:
   * - `jwks`, `introspection`: the verifiers' key set and introspection endpoint;
   * - `discovery`: a verifier reading the issuer's metadata (`/.well-known/openid-configuration`,
   *   then `/.well-known/oauth-authorization-server`). A 404 or 410 is normal there: the next
   *   document, or Hydra's default location, is tried. A 200 whose document cannot be used (not
   *   JSON, another issuer, a bad endpoint URL) carries the reason in `error`;
   * - `token`: the client-credentials token request for the admin API;
   * - `admin`: other admin API calls (the access-token key set, the admin client);
   * - `public`: the public client's discovery and userinfo calls on Hydra's public port.
   */
  kind: 'introspection' | 'jwks' | 'discovery' | 'token' | 'admin' | 'public'
  /** HTTP method. */
  method: string
  /** Origin and path of the URL called (never the query string). */
  url: string
  /** HTTP status of the answer; undefined when none arrived (connection failure, timeout, ...). */
  status?: number | undefined
  /** Time from sending the request to the end of the answer, in milliseconds. */
  durationMs: number
  /** Why the call failed, when it did: a transport error, or why an answer could not be used. */
  error?: unknown
}

/**
 * Emitted when a call toward Hydra's admin API asks the verifier's bulkhead (its concurrency limit)
 * for a slot: `admitted` (a slot was free), `queued` (it got one after waiting), or a refusal
 * (`queue_full`, `queue_timeout`: the caller gets 503 with `Retry-After`; `aborted`: the verifier
 * closed or the caller gave up while waiting).
 */
export interface BulkheadEvent {
  /** The call kind the bulkhead guards. */
  kind: 'introspection'
  outcome: 'admitted' | 'queued' | 'queue_full' | 'queue_timeout' | 'aborted'
  /** Calls running toward the upstream right after this event. */
  active: number
  /** Calls waiting for a slot right after this event. */
  queued: number
}

/**
 * Observability hooks. Every hook is optional; when none is set nothing is built or called, so an
 * unobserved verifier pays nothing. A hook that throws is ignored (it never fails a request).
 */
export interface HydrakitHooks {
  onVerify?: ((event: VerifyEvent) => void) | undefined
  onCache?: ((event: CacheEvent) => void) | undefined
  onJwksRefresh?: ((event: JwksRefreshEvent) => void) | undefined
  onUpstream?: ((event: UpstreamEvent) => void) | undefined
  /** A guard refused a request (see {@link RefusalEvent}). */
  onRefuse?: ((event: RefusalEvent) => void) | undefined
  /** Every request for a slot of a bulkhead toward Hydra's admin API (see {@link BulkheadEvent}). */
  onBulkhead?: ((event: BulkheadEvent) => void) | undefined
}

// onVerify listeners that read failures only (hydrakit's own warnings). When every listener is one,
// the verifiers build no success event for a cache hit: that event is the only allocation of a hit.
const failuresOnly = new WeakSet<object>()

/** Internal: marks an `onVerify` listener that ignores successful verifications. */
export function ignoresSuccesses<F extends (event: never) => void>(listener: F): F {
  failuresOnly.add(listener)
  return listener
}

/** Internal: whether an `onVerify` hook wants to hear of successful verifications. */
export function wantsSuccesses(hook: ((event: never) => void) | undefined): boolean {
  return hook !== undefined && !failuresOnly.has(hook)
}

/** Calls a hook, swallowing anything it throws. */
export function emit<E>(hook: ((event: E) => void) | undefined, event: E): void {
  if (hook === undefined) return
  try {
    hook(event)
  } catch {
    // A broken listener must never fail or slow a request.
  }
}
