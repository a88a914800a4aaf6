import type { Dispatcher } from 'undici'
import type { AuthInfo } from '../auth-info.js'
import { createCacheInvalidator, type CacheInvalidator } from '../cache/invalidation.js'
import { createSingleFlight } from '../cache/single-flight.js'
import type { JsonValue } from '../cache/store.js'
import { reportsTiers, type CacheTier, type CacheTierListener } from '../cache/tier-report.js'
import { tokenCacheKey } from '../cache/token-key.js'
import {
  HydrakitError,
  UpstreamUnavailableError,
  type InvalidTokenError,
  type RejectionReason,
} from '../errors/errors.js'
import { createIssuerMetadataResolver, type IssuerMetadataResolver } from '../discovery/resolver.js'
import { upstreamDiscoveryFetch } from '../discovery/upstream-fetch.js'
import { emit, type CacheEvent } from '../hooks.js'
import { classifyIntrospectionFailure } from '../introspection/upstream-error.js'
import { createAdminAuthProvider } from '../upstream/admin-auth.js'
import { createOwnedDispatcher, KEEP_ALIVE } from '../upstream/dispatcher.js'
import {
  headerValue,
  httpRequest,
  parseJsonSafe,
  TransportError,
  type HttpResponse,
} from '../upstream/request.js'
import {
  INACTIVE,
  isExpired,
  judgeActiveAnswer,
  parseCached,
  parseOutcome,
  refuse as refuseAnswer,
  subjectOfCached,
  type Claims,
  type Outcome,
} from './introspection-answer.js'
import {
  resolveIntrospectionOptions,
  type IntrospectionVerifier,
  type IntrospectionVerifierOptions,
} from './introspection-options.js'

// The introspection verifier: the cache lookups, the coalesced call to the endpoint and the hooks.
// Options are validated in introspection-options.ts; what an answer means is decided in
// introspection-answer.ts.

export type {
  IntrospectionCacheOptions,
  IntrospectionVerifier,
  IntrospectionVerifierOptions,
} from './introspection-options.js'

// The verifier refuses absurdly long "tokens" before hashing or sending them anywhere.
const MAX_TOKEN_LENGTH = 16 * 1024
const TOKEN_CHARS = /^[\x21-\x7e]+$/

/**
 * Creates a verifier that asks Hydra's admin API whether a token is active (RFC 7662), with a cache
 * keyed by the token's SHA-256 and coalescing of concurrent lookups of one token. Every option is
 * validated now; a bad one throws a TypeError naming it.
 *
 * @example
 * ```ts
 * const verifier = createIntrospectionVerifier({ adminUrl: 'http://hydra:4445', audience: 'api' })
 * const auth = await verifier.verify(token)
 * ```
 */
export function createIntrospectionVerifier(options: IntrospectionVerifierOptions): IntrospectionVerifier {
  const o = resolveIntrospectionOptions(options)
  const { url, realm, timeoutMs, maxResponseBytes, clockTolerance, scope, hooks, cache, keyPrefix } = o
  const ownDispatcher = o.dispatcher === undefined ? createOwnedDispatcher(KEEP_ALIVE) : undefined
  const dispatcher: Dispatcher = o.dispatcher ?? (ownDispatcher as Dispatcher)
  let auth: ReturnType<typeof createAdminAuthProvider>
  try {
    auth = createAdminAuthProvider(options.auth, { timeoutMs, dispatcher, hooks }, 'auth')
  } catch (err) {
    // Nothing was sent through the new dispatcher yet; release it anyway.
    void ownDispatcher?.close()
    throw err
  }
  let resolver: IssuerMetadataResolver | undefined
  try {
    resolver =
      o.discovery === true
        ? createIssuerMetadataResolver({
            issuer: o.issuer as string,
            fetch: upstreamDiscoveryFetch({ timeoutMs, dispatcher }),
            tolerateIssuerTrailingSlash: o.tolerateIssuerTrailingSlash,
            timeoutMs,
          })
        : o.discovery === false
          ? undefined
          : o.discovery
  } catch (err) {
    void ownDispatcher?.close()
    throw err
  }
  /** The endpoint: configured, or discovered (and then remembered for `introspectionUrl`). */
  let endpoint = url
  const endpointUrl = async (): Promise<string> => {
    if (resolver === undefined) return url as string
    let found: string | undefined
    let why: string
    try {
      const metadata = await resolver.resolve()
      found = metadata.introspectionEndpoint
      why = `discovery document at ${metadata.url} has no introspection_endpoint: set adminUrl (Hydra) or introspectionUrl`
    } catch (err) {
      why = err instanceof Error ? err.message : 'discovery failed'
      throw unavailable('token introspection is temporarily unavailable', { failure: 'discovery', why }, err)
    }
    if (found === undefined) {
      throw unavailable('token introspection is temporarily unavailable', { failure: 'discovery', why })
    }
    endpoint = found
    return found
  }
  const store = cache?.store
  // A tier-reporting store (tiered, Redis) says itself which tier answered or failed.
  const tiered = store !== undefined && reportsTiers(store)
  const flight = createSingleFlight<Outcome>()
  const closing = new AbortController()
  let closed: Promise<void> | undefined
  // Bumped by every invalidation of this verifier's entries (here or from another instance): an
  // answer fetched before it is returned to its callers but not cached.
  let generation = 0
  const invalidator: CacheInvalidator | undefined =
    store === undefined || cache === undefined
      ? undefined
      : createCacheInvalidator<JsonValue>({
          store,
          keyPrefix,
          inactive: INACTIVE,
          revokedTtlMs: cache.revokedTtlMs,
          subjectOf: subjectOfCached,
          onInvalidate: () => {
            generation++
          },
          listener: (tier, outcome) => cacheEvent(outcome, tier),
        })

  const unavailable = (
    description: string,
    debug: Record<string, unknown>,
    cause?: unknown,
    retryAfter?: string,
  ): UpstreamUnavailableError =>
    new UpstreamUnavailableError({
      description,
      reason: 'introspection_unavailable',
      realm,
      cause,
      debug,
      retryAfter,
    })

  const refuse = (
    reason: RejectionReason,
    description: string,
    debug?: Record<string, unknown>,
  ): InvalidTokenError => refuseAnswer(o, reason, description, debug)

  const cacheEvent = (outcome: CacheEvent['outcome'], tier: CacheTier = 'l1'): void => {
    if (hooks?.onCache !== undefined) {
      emit(hooks.onCache, { cache: 'introspection', tier, outcome })
    }
  }
  /** Forwards a tier-reporting store's failures to `onCache`. */
  const storeErrors: CacheTierListener = (tier, outcome) => {
    if (outcome === 'error') cacheEvent('error', tier)
  }

  /** One POST to the endpoint, reported to `onUpstream`. Transport failures become 503. */
  const post = async (
    url: string,
    body: string,
    authHeaders: Record<string, string>,
  ): Promise<HttpResponse> => {
    const started = hooks?.onUpstream !== undefined ? performance.now() : 0
    let status: number | undefined
    let failure: unknown
    try {
      const res = await httpRequest({
        method: 'POST',
        url,
        headers: { ...o.baseHeaders, ...authHeaders },
        body,
        timeoutMs,
        maxResponseBytes,
        dispatcher,
        signal: closing.signal,
      })
      status = res.status
      return res
    } catch (err) {
      failure = err
      const kind = err instanceof TransportError ? err.failure : 'connection'
      throw unavailable('token introspection is temporarily unavailable', { failure: kind }, err)
    } finally {
      if (hooks?.onUpstream !== undefined) {
        emit(hooks.onUpstream, {
          kind: 'introspection',
          method: 'POST',
          url,
          status,
          durationMs: performance.now() - started,
          error: failure,
        })
      }
    }
  }

  /** Asks the endpoint about `token`; returns the validated answer or throws a 503. */
  const introspect = async (token: string): Promise<Outcome> => {
    const form = new URLSearchParams({ token })
    if (scope !== undefined) form.set('scope', scope)
    const body = form.toString()
    const target = await endpointUrl()
    let res: HttpResponse
    for (let attempt = 0; ; attempt++) {
      let authHeaders: Record<string, string>
      try {
        authHeaders = await auth.headers()
      } catch (err) {
        throw unavailable('token introspection is temporarily unavailable', { stage: 'admin_auth' }, err)
      }
      res = await post(target, body, authHeaders)
      // A client-credentials token may have been revoked or rotated: get a new one, once.
      if (res.status === 401 && o.retryOn401 && attempt === 0) {
        auth.invalidate()
        continue
      }
      break
    }
    if (res.status !== 200) {
      const failure = classifyIntrospectionFailure(res.status, parseJsonSafe(res.body))
      // A 400 `unsupported_token_type` / `invalid_token` is the upstream refusing the client's
      // token (oidc-provider answers that for any JWT-shaped or garbage input): an inactive token,
      // negative-cached like one. Anything else is our request or the upstream failing: 503.
      if (failure.outcome === 'invalid_token') return INACTIVE
      const retryAfter =
        res.status === 429 || res.status >= 500 ? headerValue(res.headers, 'retry-after') : undefined
      throw unavailable(
        'token introspection is temporarily unavailable',
        { status: res.status, failure: failure.reason, error: failure.error ?? null },
        undefined,
        retryAfter,
      )
    }
    const outcome = parseOutcome(parseJsonSafe(res.body))
    if (outcome === undefined) {
      throw unavailable('token introspection is temporarily unavailable', {
        status: res.status,
        failure: 'malformed_response',
      })
    }
    return outcome
  }

  /** Caches a fresh outcome; a failing store never fails the request. */
  const remember = async (token: string, key: string, outcome: Outcome): Promise<void> => {
    if (store === undefined || cache === undefined) return
    let ttl: number
    if (!outcome.active) {
      ttl = cache.negativeTtlMs
    } else {
      ttl = cache.ttlMs
      const exp = outcome.claims.exp
      if (typeof exp === 'number') ttl = Math.min(ttl, Math.floor(exp * 1000 - Date.now()))
      // An upstream that echoes the token back would put it into the cache: don't cache that.
      if (ttl >= 1 && JSON.stringify(outcome.claims).includes(token)) ttl = 0
    }
    if (ttl < 1) return
    try {
      await (tiered ? store.set(key, outcome, ttl, storeErrors) : store.set(key, outcome, ttl))
    } catch {
      if (!tiered) cacheEvent('error')
    }
  }

  /**
   * Looks `key` up; a failing store or a malformed entry is a miss. `tier` is where a value was found
   * (usable or not); a tier-reporting store has already reported its misses and errors.
   */
  const lookup = async (
    key: string,
  ): Promise<{ outcome: Outcome | undefined; tier: CacheTier | undefined }> => {
    if (store === undefined) return { outcome: undefined, tier: undefined }
    let value: JsonValue | undefined
    let tier: CacheTier | undefined
    try {
      if (tiered) {
        value = await store.get(key, (t, outcome) => {
          if (outcome === 'hit') tier = t
          else cacheEvent(outcome, t)
        })
      } else {
        value = await store.get(key)
        if (value !== undefined) tier = 'l1'
      }
    } catch {
      if (!tiered) cacheEvent('error')
      return { outcome: undefined, tier: undefined }
    }
    return { outcome: value === undefined ? undefined : parseCached(value), tier }
  }

  const forget = async (key: string): Promise<void> => {
    if (store === undefined) return
    try {
      await (tiered ? store.delete(key, storeErrors) : store.delete(key))
    } catch {
      if (!tiered) cacheEvent('error')
    }
  }

  const judge = (token: string, claims: Claims): AuthInfo => judgeActiveAnswer(o, token, claims)

  const run = async (token: string, signal: AbortSignal | undefined): Promise<[AuthInfo, boolean]> => {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !TOKEN_CHARS.test(token)) {
      throw refuse('malformed', 'the access token is malformed')
    }
    if (closed !== undefined) {
      throw unavailable('token introspection is temporarily unavailable', { failure: 'closed' })
    }
    if (signal?.aborted) {
      throw unavailable('token introspection was aborted', { failure: 'aborted' }, signal.reason)
    }
    const key = tokenCacheKey(token, keyPrefix)
    if (store !== undefined) {
      const { outcome: hit, tier } = await lookup(key)
      if (hit !== undefined && !hit.active) {
        cacheEvent('negative_hit', tier)
        throw refuse('inactive', 'the access token is not active')
      }
      if (hit !== undefined && hit.active) {
        const exp = hit.claims.exp
        if (!isExpired(exp, 0)) {
          cacheEvent('hit', tier)
          return [judge(token, hit.claims), true]
        }
        // Never trusted past exp. Within the clock tolerance, Hydra gets the last word.
        await forget(key)
        if (isExpired(exp, clockTolerance)) {
          cacheEvent('hit', tier)
          throw refuse('expired', 'the access token expired', { exp })
        }
      }
      // A tier-reporting store already reported its misses; a value found but not used is a miss here.
      if (!tiered || tier !== undefined) cacheEvent('miss', tier)
    }
    let outcome: Outcome
    try {
      outcome = await flight.run(
        key,
        async () => {
          const started = generation
          const fresh = await introspect(token)
          // Invalidated meanwhile (revoke, invalidate, resync): don't cache what may be stale.
          if (started === generation) await remember(token, key, fresh)
          return fresh
        },
        signal,
      )
    } catch (err) {
      if (err instanceof HydrakitError) throw err
      throw unavailable('token introspection was aborted', { failure: 'aborted' }, err)
    }
    if (!outcome.active) throw refuse('inactive', 'the access token is not active')
    return [judge(token, outcome.claims), false]
  }

  return {
    realm,
    get introspectionUrl() {
      return endpoint
    },
    async verify(token, callOptions) {
      if (hooks?.onVerify === undefined) return (await run(token, callOptions?.signal))[0]
      const started = performance.now()
      try {
        const [info, cached] = await run(token, callOptions?.signal)
        emit(hooks.onVerify, {
          outcome: 'success',
          source: 'introspection',
          cached,
          durationMs: performance.now() - started,
        })
        return info
      } catch (err) {
        emit(hooks.onVerify, {
          outcome: 'failure',
          source: 'introspection',
          reason: err instanceof HydrakitError ? err.reason : undefined,
          debug: err instanceof HydrakitError ? err.debug : undefined,
          cached: false,
          durationMs: performance.now() - started,
        })
        throw err
      }
    },
    async revoke(token) {
      if (typeof token !== 'string') throw new TypeError('revoke(token): token must be a string')
      if (invalidator === undefined) return { shared: 'none', broadcast: 'none' }
      return invalidator.revokeKey(tokenCacheKey(token, keyPrefix))
    },
    async invalidate(subject) {
      if (subject !== undefined && (typeof subject !== 'string' || subject === '')) {
        throw new TypeError('invalidate(subject): subject must be a non-empty string or undefined')
      }
      if (invalidator === undefined) return { shared: 'none', broadcast: 'none' }
      return invalidator.invalidate(subject)
    },
    close() {
      closed ??= (async () => {
        closing.abort()
        invalidator?.close()
        await ownDispatcher?.close()
      })()
      return closed
    },
  }
}
