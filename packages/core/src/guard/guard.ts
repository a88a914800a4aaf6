import type { AuthInfo } from '../auth-info.js'
import { HydrakitError, MissingTokenError } from '../errors/errors.js'
import { emit, type HydrakitHooks } from '../hooks.js'
import type { RequestLike } from '../token/extract.js'
import type { RequestAuthenticator } from './authenticate.js'

/** A check on an authenticated request (scopes, claims, your own). Throws a HydrakitError to refuse. */
export type AuthCheck = (auth: AuthInfo, realm: string) => void

/**
 * One middleware's worth of work, framework-free. Build once per route with {@link createGuard}.
 *
 * Every method deals in `AuthInfo | null`: the verified token, or `null` for an anonymous request
 * let through by `optional`. Adapters remember that value per request (see
 * `@hydrakit/core/adapter`), so a second guard never verifies again.
 */
export interface Guard {
  readonly realm: string
  /**
   * Applies the checks to an already authenticated request. Synchronous: no verification happens.
   * Throws {@link MissingTokenError} for an anonymous request when there are checks to pass.
   */
  check(auth: AuthInfo | null): AuthInfo | null
  /** Authenticates the request (honouring `optional`), then applies the checks. */
  run(req: RequestLike): Promise<AuthInfo | null>
  /**
   * Does what {@link run} does, but settles synchronously when it can (no token, a malformed one,
   * or a token the verifier settles through `verifyNow`: a cached JWT, or any JWT once the keys are
   * loaded), returning the result or throwing the refusal; otherwise returns the promise `run`
   * would. Adapters call this, so most requests cost no promise at all.
   */
  start(req: RequestLike): AuthInfo | null | Promise<AuthInfo | null>
}

/** Options of {@link createGuard}. */
export interface GuardOptions {
  /** How a request is authenticated; see `createRequestAuthenticator`. Required. */
  authenticate: RequestAuthenticator
  /** Realm of the challenges this guard's refusals carry. Required. */
  realm: string
  /** Let requests without a token through as anonymous (`null`). Invalid tokens are still refused. Default false. */
  optional?: boolean | undefined
  /** Checks applied, in order, to an authenticated request. Default: none. */
  checks?: readonly AuthCheck[] | undefined
  /** RFC 9728 metadata URL added to every challenge as `resource_metadata`. Default: none. */
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
      let state: AuthInfo | null | Promise<AuthInfo | null>
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
  const check = (auth: AuthInfo | null): AuthInfo | null => {
    if (checks.length === 0) return auth
    if (auth === null) throw new MissingTokenError({ realm })
    for (const c of checks) c(auth, realm)
    return auth
  }
  // With checks, a missing token is an error even for an optional guard.
  const tokenOptional = optional && checks.length === 0
  const url = options.resourceMetadataUrl
  // Resolved once here: a request allocates no closure of its own in the guard.
  const settle = (auth: AuthInfo | undefined): AuthInfo | null => check(auth ?? null)
  const start = (req: RequestLike): AuthInfo | null | Promise<AuthInfo | null> => {
    const auth = authenticate(req, tokenOptional)
    return isPromiseLike(auth) ? Promise.resolve(auth).then(settle) : settle(auth)
  }
  const run = (req: RequestLike): Promise<AuthInfo | null> => {
    try {
      return Promise.resolve(start(req))
    } catch (err) {
      // A refusal decided at once, or a verifier that throws instead of rejecting: a rejection.
      return Promise.reject(err instanceof Error ? err : new Error(String(err)))
    }
  }
  if (url === undefined) return { realm, check, run, start }
  const decorate = (err: unknown): never => {
    if (err instanceof HydrakitError) err.withResourceMetadata(url)
    throw err
  }
  return {
    realm,
    check: (auth) => {
      try {
        return check(auth)
      } catch (err) {
        return decorate(err)
      }
    },
    run: (req) => run(req).catch(decorate),
    start: (req) => {
      let auth: AuthInfo | null | Promise<AuthInfo | null>
      try {
        auth = start(req)
      } catch (err) {
        return decorate(err)
      }
      return isPromiseLike(auth) ? Promise.resolve(auth).catch(decorate) : auth
    },
  }
}

/** A promise (or any thenable a custom verifier returns) rather than a settled value. */
function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function'
}
