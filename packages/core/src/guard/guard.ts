import type { AuthInfo } from '../auth-info.js'
import { HydrakitError, MissingTokenError } from '../errors/errors.js'
import { emit, type HydrakitHooks } from '../hooks.js'
import type { RequestLike } from '../token/extract.js'
import { eagerAuthenticatorOf, type RequestAuthenticator } from './authenticate.js'

/** A check on an authenticated request (scopes, claims, your own). Throws a HydrakitError to refuse. */
export type AuthCheck = (auth: AuthInfo, realm: string) => void

/**
 * The result of authenticating a request: the {@link AuthInfo}, or `null` for an anonymous request
 * let through by `optional`. Adapters store it per request so a second guard never re-verifies.
 */
export type AuthState = AuthInfo | null

/** One middleware's worth of work, framework-free. Build once per route with {@link createGuard}. */
export interface Guard {
  readonly realm: string
  /**
   * Applies the checks to an already authenticated request. Synchronous: no verification happens.
   * Throws {@link MissingTokenError} for an anonymous request when there are checks to pass.
   */
  check(state: AuthState): AuthState
  /** Authenticates the request (honouring `optional`), then applies the checks. */
  run(req: RequestLike): Promise<AuthState>
  /**
   * Does what {@link run} does, but settles synchronously when it can — no token, a malformed one,
   * or a token the verifier settles at once (a cached JWT, or any JWT once the keys are loaded) —
   * returning the state or throwing the refusal; otherwise returns the promise `run` would.
   * Adapters call this, so most requests cost no promise at all.
   */
  start(req: RequestLike): AuthState | Promise<AuthState>
}

/** Options of {@link createGuard}. */
export interface GuardOptions {
  authenticate: RequestAuthenticator
  realm: string
  /** Let requests without a token through as anonymous (`null`). Invalid tokens are still refused. */
  optional?: boolean | undefined
  checks?: readonly AuthCheck[] | undefined
  /** RFC 9728 metadata URL added to every challenge as `resource_metadata`. */
  resourceMetadataUrl?: string | undefined
  /** `onRefuse` is called once for every request this guard refuses. Default: none. */
  hooks?: HydrakitHooks | undefined
}

/** Builds a {@link Guard}; everything is resolved here, nothing per request. */
export function createGuard(options: GuardOptions): Guard {
  const onRefuse = options.hooks?.onRefuse
  const guard = createQuietGuard(options)
  if (onRefuse === undefined) return guard
  // Every refusal leaves the guard through one of these three doors: report it there.
  const refuse = (err: unknown): never => {
    if (err instanceof HydrakitError) emit(onRefuse, { status: err.status, reason: err.reason })
    throw err
  }
  return {
    realm: guard.realm,
    check: (state) => {
      try {
        return guard.check(state)
      } catch (err) {
        return refuse(err)
      }
    },
    run: (req) => guard.run(req).catch(refuse),
    start: (req) => {
      let state: AuthState | Promise<AuthState>
      try {
        state = guard.start(req)
      } catch (err) {
        return refuse(err)
      }
      return isPromiseLike(state) ? Promise.resolve(state).catch(refuse) : state
    },
  }
}

function createQuietGuard(options: GuardOptions): Guard {
  const { authenticate, realm } = options
  const optional = options.optional ?? false
  if (typeof optional !== 'boolean') throw new TypeError('optional must be a boolean')
  const checks = [...(options.checks ?? [])]
  const check = (state: AuthState): AuthState => {
    if (checks.length === 0) return state
    if (state === null) throw new MissingTokenError({ realm })
    for (const c of checks) c(state, realm)
    return state
  }
  // With checks, a missing token is an error even for an optional guard.
  const tokenOptional = optional && checks.length === 0
  const url = options.resourceMetadataUrl
  // Resolved once here: a request allocates no closure of its own in the guard.
  const settle = (auth: AuthInfo | undefined): AuthState => check(auth ?? null)
  const eager = eagerAuthenticatorOf(authenticate)
  const run = (req: RequestLike): Promise<AuthState> => {
    try {
      return authenticate(req, tokenOptional).then(settle)
    } catch (err) {
      // A verifier that throws instead of rejecting still yields a rejection.
      return Promise.reject(err instanceof Error ? err : new Error(String(err)))
    }
  }
  const start =
    eager === undefined
      ? run
      : (req: RequestLike): AuthState | Promise<AuthState> => {
          const auth = eager(req, tokenOptional)
          return isPromiseLike(auth) ? Promise.resolve(auth).then(settle) : settle(auth)
        }
  if (url === undefined) return { realm, check, run, start }
  const decorate = (err: unknown): never => {
    if (err instanceof HydrakitError) err.withResourceMetadata(url)
    throw err
  }
  return {
    realm,
    check: (state) => {
      try {
        return check(state)
      } catch (err) {
        return decorate(err)
      }
    },
    run: (req) => run(req).catch(decorate),
    start: (req) => {
      let state: AuthState | Promise<AuthState>
      try {
        state = start(req)
      } catch (err) {
        return decorate(err)
      }
      return isPromiseLike(state) ? Promise.resolve(state).catch(decorate) : state
    },
  }
}

/** A promise (or any thenable a custom verifier returns) rather than a settled value. */
function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function'
}
