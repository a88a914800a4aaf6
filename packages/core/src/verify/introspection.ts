import { checkIntrospection } from '../diagnostics/check.js'
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
import { emit, wantsSuccesses, type CacheEvent } from '../hooks.js'
import { classifyIntrospectionFailure } from '../introspection/upstream-error.js'
import { createAdminAuthProvider } from '../upstream/admin-auth.js'
import { createUpstreamClient, UpstreamError } from '../upstream/client.js'
import { KEEP_ALIVE } from '../upstream/dispatcher.js'
import { parseJsonSafe, type HttpResponse } from '../upstream/request.js'
import { createUpstreamBulkhead } from '../upstream/bulkhead.js'
import {
  checkAnswerTime,
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

/** A stored value, validated once, with the AuthInfo judged from it (see `decode`). */
interface Decoded {
  readonly outcome: Outcome | undefined
  info: AuthInfo | undefined
}

// The verifier refuses absurdly long "tokens" before hashing or sending them anywhere.
const MAX_TOKEN_LENGTH = 16 * 1024
const TOKEN_CHARS = /^[\x21-\x7e]+$/
// The per-verifier memo of store keys (see `recentKeys`).
const RECENT_KEYS_MAX = 1024
const RECENT_KEY_TAIL = 43
const RECENT_KEY_TOKEN_MAX = 2048

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
  const upstream = createUpstreamClient({ dispatcher: o.dispatcher, pool: KEEP_ALIVE, hooks })
  const auth = createAdminAuthProvider(options.auth, { timeoutMs, upstream }, 'auth')
  let resolver: IssuerMetadataResolver | undefined
  try {
    resolver =
      o.discovery === true
        ? createIssuerMetadataResolver({
            issuer: o.issuer as string,
            fetch: upstreamDiscoveryFetch(upstream),
            tolerateIssuerTrailingSlash: o.tolerateIssuerTrailingSlash,
            timeoutMs,
          })
        : o.discovery === false
          ? undefined
          : o.discovery
  } catch (err) {
    void upstream.close()
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
  // A store read without I/O (the memory store) lets verifyNow settle cache hits synchronously.
  const getSync = store?.getSync === undefined || tiered ? undefined : store.getSync.bind(store)
  // A synchronous cache hit is reported to `onVerify` unless every listener reads failures only.
  const reportHits = wantsSuccesses(hooks?.onVerify)
  const flight = createSingleFlight<Outcome>()
  const bulkhead = createUpstreamBulkhead(o.bulkhead, { kind: 'introspection', realm, hooks })
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

  /** The 503 for a failed call: no answer, no admin credentials, or a status other than 200. */
  const callFailed = (err: unknown): UpstreamUnavailableError => {
    const description = 'token introspection is temporarily unavailable'
    if (!(err instanceof UpstreamError)) return unavailable(description, { failure: 'connection' }, err)
    if (err.kind === 'credentials') return unavailable(description, { stage: 'admin_auth' }, err.cause)
    if (err.kind === 'transport') return unavailable(description, { failure: err.failure }, err.cause)
    const status = err.upstreamStatus as number
    const retryAfter = status === 429 || status >= 500 ? err.retryAfter : undefined
    return unavailable(description, { status }, undefined, retryAfter)
  }

  /**
   * Asks the endpoint about `token` through the upstream client (which refreshes client-credentials
   * once after a 401 when `retryOn401`); returns the validated answer or throws a 503.
   */
  const introspect = async (token: string): Promise<Outcome> => {
    const form = new URLSearchParams({ token })
    if (scope !== undefined) form.set('scope', scope)
    const target = await endpointUrl()
    let res: HttpResponse
    try {
      res = await upstream.send({
        kind: 'introspection',
        method: 'POST',
        url: target,
        headers: o.baseHeaders,
        body: form.toString(),
        timeoutMs,
        maxResponseBytes,
        signal: closing.signal,
        credentials: auth,
        on401: o.retryOn401 ? 'retry' : undefined,
        accept: (status) => status === 200,
        label: 'token introspection',
      })
    } catch (err) {
      if (err instanceof UpstreamError && err.kind === 'status' && err.response !== undefined) {
        const failure = classifyIntrospectionFailure(err.response.status, parseJsonSafe(err.response.body))
        // A 400 `unsupported_token_type` / `invalid_token` is the upstream refusing the client's
        // token (oidc-provider answers that for any JWT-shaped or garbage input): an inactive token,
        // negative-cached like one. Anything else is our request or the upstream failing: 503.
        if (failure.outcome === 'invalid_token') return INACTIVE
      }
      throw callFailed(err)
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
  const lookup = async (key: string): Promise<{ memo: Decoded | undefined; tier: CacheTier | undefined }> => {
    if (store === undefined) return { memo: undefined, tier: undefined }
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
      return { memo: undefined, tier: undefined }
    }
    return { memo: value === undefined ? undefined : decode(value), tier }
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

  // What each stored value decoded to, and the AuthInfo judged from it, per verifier (the policy
  // is this verifier's). Keyed by the value object itself: a store that hands back the object it
  // was given (the memory store) skips validating and judging the answer on every hit; a store that
  // parses (Redis) returns fresh objects and simply finds nothing here. A revoked or expired entry
  // leaves the store, so what is remembered here is never reached again.
  const decoded = new WeakMap<object, Decoded>()
  const memoize = (value: object, outcome: Outcome | undefined): Decoded => {
    const memo: Decoded = { outcome, info: undefined }
    decoded.set(value, memo)
    return memo
  }
  const decode = (value: JsonValue): Decoded => {
    if (value === null || typeof value !== 'object') return { outcome: parseCached(value), info: undefined }
    return decoded.get(value) ?? memoize(value, parseCached(value))
  }
  /** The AuthInfo of an unexpired active hit: remembered per value, the clock checked every time. */
  const judgeHit = (token: string, memo: Decoded, claims: Claims): AuthInfo => {
    const known = memo.info
    // The same key means the same token (SHA-256); comparing the strings costs next to nothing.
    if (known !== undefined && known.token === token) {
      checkAnswerTime(o, claims)
      return known
    }
    const info = judge(token, claims)
    memo.info = info
    return info
  }

  // The store key of a token is a SHA-256 of it (store-shared, so never the token itself). A token
  // found in the store is remembered in `recentKeys` with its key, and found there the next time: by
  // its last characters (a cheap hash), served only when the whole token is the same string. Only
  // tokens that passed the syntax check and had a stored answer get there (a token used once never
  // does), so a hit skips that check too. Process memory only; at most RECENT_KEYS_MAX tokens (started
  // over when full), the shorter ones.
  const recentKeys = new Map<string, { token: string; key: string }>()
  const tailOf = (token: string): string =>
    token.length > RECENT_KEY_TAIL ? token.slice(-RECENT_KEY_TAIL) : token
  /** Whether the last {@link keyOf} found its key in `recentKeys` (read right after the call). */
  let keyWasKnown = false
  /** The store key of `token`, or `undefined` when it is not a token at all. */
  const keyOf = (token: string): string | undefined => {
    if (typeof token !== 'string') return undefined
    const known = recentKeys.get(tailOf(token))
    keyWasKnown = known !== undefined && known.token === token
    if (keyWasKnown) return (known as { key: string }).key
    if (token.length > MAX_TOKEN_LENGTH || !TOKEN_CHARS.test(token)) return undefined
    return tokenCacheKey(token, keyPrefix)
  }
  /** Remembers the store key of a token the store had an answer for. */
  const rememberKey = (token: string, key: string): void => {
    if (token.length > RECENT_KEY_TOKEN_MAX) return
    if (recentKeys.size >= RECENT_KEYS_MAX) recentKeys.clear()
    recentKeys.set(tailOf(token), { token, key })
  }

  const run = async (token: string, signal: AbortSignal | undefined): Promise<[AuthInfo, boolean]> => {
    const key = keyOf(token)
    if (key === undefined) throw refuse('malformed', 'the access token is malformed')
    const keyKnown = keyWasKnown
    if (closed !== undefined) {
      throw unavailable('token introspection is temporarily unavailable', { failure: 'closed' })
    }
    if (signal?.aborted) {
      throw unavailable('token introspection was aborted', { failure: 'aborted' }, signal.reason)
    }
    if (store !== undefined) {
      const { memo, tier } = await lookup(key)
      const hit = memo?.outcome
      if (hit !== undefined && !keyKnown) rememberKey(token, key)
      if (hit !== undefined && !hit.active) {
        cacheEvent('negative_hit', tier)
        throw refuse('inactive', 'the access token is not active')
      }
      if (hit !== undefined && hit.active) {
        const exp = hit.claims.exp
        if (!isExpired(exp, 0)) {
          cacheEvent('hit', tier)
          return [judgeHit(token, memo as Decoded, hit.claims), true]
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
          const fresh = await bulkhead.run(() => introspect(token), closing.signal)
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
    // A fresh answer (validated by parseOutcome, stored as it is): its memo serves every waiter and
    // later hits.
    return [judgeHit(token, decoded.get(outcome) ?? memoize(outcome, outcome), outcome.claims), false]
  }

  return {
    realm,
    get introspectionUrl() {
      return endpoint
    },
    verifyNow(token) {
      if (getSync === undefined || closed !== undefined) return undefined
      const key = keyOf(token)
      if (key === undefined) return undefined
      const keyKnown = keyWasKnown
      // A hit is the only outcome reported here: the clock is read only when it will be.
      const started = reportHits ? performance.now() : 0
      let value: JsonValue | undefined
      try {
        value = getSync(key)
      } catch {
        return undefined
      }
      if (value === undefined) return undefined
      if (!keyKnown) rememberKey(token, key)
      const memo = decode(value)
      const hit = memo.outcome
      // Refusals, expiry and misses take the asynchronous path, which reports them.
      if (hit === undefined || !hit.active || isExpired(hit.claims.exp, 0)) return undefined
      let info: AuthInfo
      try {
        info = judgeHit(token, memo, hit.claims)
      } catch {
        return undefined
      }
      cacheEvent('hit')
      if (reportHits) {
        emit(hooks?.onVerify, {
          outcome: 'success',
          source: 'introspection',
          cached: true,
          durationMs: performance.now() - started,
        })
      }
      return info
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
    check() {
      return checkIntrospection(this)
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
        recentKeys.clear()
        invalidator?.close()
        await upstream.close()
      })()
      return closed
    },
  }
}
