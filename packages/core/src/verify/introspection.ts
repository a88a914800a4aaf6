import { Agent, type Dispatcher } from 'undici'
import { toAuthInfo, type AuthInfo } from '../auth-info.js'
import {
  createCacheInvalidator,
  type CacheInvalidator,
  type InvalidationResult,
} from '../cache/invalidation.js'
import { createMemoryCacheStore } from '../cache/memory-store.js'
import { createSingleFlight } from '../cache/single-flight.js'
import type { CacheStore, JsonValue } from '../cache/store.js'
import { reportsTiers, type CacheTier, type CacheTierListener } from '../cache/tier-report.js'
import { tokenCacheKey } from '../cache/token-key.js'
import {
  HydrakitError,
  InvalidTokenError,
  UpstreamUnavailableError,
  type RejectionReason,
} from '../errors/errors.js'
import { emit, type CacheEvent, type HydrakitHooks } from '../hooks.js'
import {
  headerValue,
  httpRequest,
  parseJsonSafe,
  TransportError,
  type HttpResponse,
} from '../upstream/request.js'
import { createAdminAuthProvider, type AdminAuth } from '../upstream/admin-auth.js'
import type { TokenVerifier, VerifyCallOptions } from '../verifier.js'

/** Caching of introspection results. */
export interface IntrospectionCacheOptions {
  /**
   * Where results live. Default: a new per-verifier in-memory store (lru-cache) holding at most
   * `maxEntries` entries. Pass a shared store to share results between processes:
   * `createTieredCacheStore({ l2: createRedisCacheStore(redis), invalidation: ... })` (per-process L1
   * plus Redis, see docs/scale-out.md), `createRedisCacheStore(redis)` alone, or your own
   * `CacheStore`. Give every differently configured verifier (other `scope`, other Hydra) its own
   * `keyPrefix` then.
   */
  store?: CacheStore | undefined
  /**
   * Most entries kept by the default in-memory store; least recently used ones are evicted first.
   * Only valid without `store`. Default `10000`.
   */
  maxEntries?: number | undefined
  /**
   * Longest time an active token's result is reused, in milliseconds. The entry never outlives the
   * token: its TTL is `min(ttlMs, exp − now)`, and `exp` is checked again on every hit. `0` disables
   * caching of active tokens. Default `60000` (1 minute). A revoked token stays accepted for at most
   * this long.
   */
  ttlMs?: number | undefined
  /**
   * How long an `active: false` answer is reused, in milliseconds, so that a client replaying a dead
   * token does not reach Hydra on every request. `0` disables negative caching. Default `5000`.
   */
  negativeTtlMs?: number | undefined
  /**
   * Prepended to every key (key = prefix + base64url SHA-256 of the token). Default
   * `'hydrakit:introspection:'`.
   */
  keyPrefix?: string | undefined
  /**
   * How long `revoke(token)` keeps the token marked inactive in the cache, in milliseconds (in this
   * process, in the shared tier and, through the invalidation channel, in every instance's L1), so
   * that an answer fetched before the revocation cannot be cached again. `0` only deletes the
   * entries. Default: `ttlMs`.
   */
  revokedTtlMs?: number | undefined
}

/** Options of {@link createIntrospectionVerifier}. */
export interface IntrospectionVerifierOptions {
  /**
   * Base URL of Hydra's admin API, e.g. `http://hydra:4445` or `https://project.projects.oryapis.com`
   * (with or without a trailing slash; a path prefix such as `https://gw.example/hydra` is kept). The
   * endpoint is `{adminUrl}/admin/oauth2/introspect` for `apiVersion: 'v2'` and
   * `{adminUrl}/oauth2/introspect` for `'v1'`. Required unless `introspectionUrl` is set.
   */
  adminUrl?: string | undefined
  /**
   * Hydra admin API generation: `'v2'` (Hydra v2.x, v25+, Ory Network: `/admin/...` paths) or `'v1'`
   * (Hydra v1.x: no `/admin` prefix). Default `'v2'`.
   */
  apiVersion?: 'v2' | 'v1' | undefined
  /** Full URL of the introspection endpoint. Overrides `adminUrl` and `apiVersion` when set. */
  introspectionUrl?: string | undefined
  /** How to authenticate to the admin API. Default `{ type: 'none' }` (self-hosted Hydra's admin port). */
  auth?: AdminAuth | undefined
  /**
   * Extra request headers sent with every introspection call (lower- or mixed-case names). May not
   * set `content-type`, `content-length`, `host`, `transfer-encoding` or `connection`, nor
   * `authorization` when `auth` sets it. Default none.
   */
  headers?: Record<string, string> | undefined
  /**
   * Scopes sent in the `scope` form parameter: Hydra then answers `active: false` unless the token
   * was granted all of them. Space-separated string or array. Default none (not sent).
   */
  scope?: string | readonly string[] | undefined
  /**
   * Accepted audiences: the response's `aud` must contain at least one (any-of). A token without a
   * matching `aud` is refused (401, reason `audience`). Default: not checked.
   */
  audience?: string | readonly string[] | undefined
  /**
   * Expected `iss`, compared exactly (no trailing-slash normalisation: Hydra v1.x always appends a
   * slash, v2+ uses `urls.self.issuer` verbatim). A missing or different `iss` is refused (401,
   * reason `issuer`). Default: not checked.
   */
  issuer?: string | undefined
  /**
   * Seconds of clock skew allowed when checking `exp` of a fresh introspection answer. A cached
   * answer is never used past `exp`. Default `5`.
   */
  clockTolerance?: number | undefined
  /**
   * What to do when an active answer has no `token_use` (Hydra always sends it; other RFC 7662
   * servers may not). `false` refuses such tokens (401, reason `token_use`), because a refresh token
   * could not be told from an access token. `true` accepts them. Default `false`.
   */
  allowMissingTokenUse?: boolean | undefined
  /**
   * Deadline of each HTTP call (connect, headers and body), in milliseconds. A call that takes
   * longer fails with 503. Default `5000`.
   */
  timeoutMs?: number | undefined
  /** Largest introspection response accepted, in bytes; a larger one fails with 503. Default `65536`. */
  maxResponseBytes?: number | undefined
  /**
   * undici dispatcher (Agent, Pool) for every call, including client-credentials token requests.
   * Default: a keep-alive `Agent` owned by this verifier and closed by `close()`. A dispatcher
   * passed here is never closed by the verifier.
   */
  dispatcher?: Dispatcher | undefined
  /** Result caching, or `false` to introspect on every call. Default: enabled with the defaults above. */
  cache?: IntrospectionCacheOptions | false | undefined
  /** `realm` of the `WWW-Authenticate` challenges. Default `'api'`. */
  realm?: string | undefined
  /**
   * Observability: `onVerify` (every call), `onCache` (cache `'introspection'`; tier `'l1'`, or per
   * tier `'l1'`/`'l2'` with a tiered or Redis store), `onUpstream` (kind `'introspection'`, plus
   * `'token'` for client-credentials). Default none.
   */
  hooks?: HydrakitHooks | undefined
}

/** A {@link TokenVerifier} backed by RFC 7662 token introspection. */
export interface IntrospectionVerifier extends TokenVerifier {
  readonly realm: string
  /** The endpoint every call goes to. */
  readonly introspectionUrl: string
  /**
   * Introspects `token` (or reuses a cached answer) and returns its profile, `source:
   * 'introspection'`. Throws {@link InvalidTokenError} (401) for an inactive, expired, foreign or
   * non-access token and {@link UpstreamUnavailableError} (503) when the endpoint cannot answer.
   */
  verify(token: string, options?: VerifyCallOptions): Promise<AuthInfo>
  /**
   * Drops every cached answer for `token` and keeps it marked inactive for `cache.revokedTtlMs`: in
   * this process at once, in the shared tier (Redis), and in every other instance's per-process tier
   * through the store's invalidation channel. Call it after revoking the token at Hydra (Hydra stays
   * the authority; this only stops caches from accepting it meanwhile). Resolves with what was
   * reached; never rejects because Redis is down. A no-op without a cache.
   */
  revoke(token: string): Promise<InvalidationResult>
  /**
   * Drops every cached answer whose `sub` is `subject`, or every answer of this verifier
   * (`keyPrefix`) when `subject` is omitted: here, in the shared tier (found with `SCAN`) and, through
   * the invalidation channel, in every instance. Rejects with a TypeError when the store cannot list
   * its entries (a custom `CacheStore`). Resolves with what was reached.
   */
  invalidate(subject?: string): Promise<InvalidationResult>
  /**
   * Aborts calls in flight, stops listening to the invalidation channel and closes the verifier's
   * own connection pool. A store you passed is not closed. Idempotent.
   */
  close(): Promise<void>
}

type Claims = { [key: string]: JsonValue }

/** What is cached (and shared by coalesced callers). Never contains the token. */
type Outcome = { active: false } | { active: true; claims: Claims }

const INACTIVE: Outcome = Object.freeze({ active: false as const })
const DEFAULT_PREFIX = 'hydrakit:introspection:'
// The verifier refuses absurdly long "tokens" before hashing or sending them anywhere.
const MAX_TOKEN_LENGTH = 16 * 1024
const TOKEN_CHARS = /^[\x21-\x7e]+$/
const FORBIDDEN_HEADERS = new Set([
  'content-type',
  'content-length',
  'host',
  'transfer-encoding',
  'connection',
])
const STRING_FIELDS = [
  'scope',
  'client_id',
  'sub',
  'iss',
  'token_type',
  'token_use',
  'username',
  'obfuscated_subject',
  'jti',
] as const
const NUMBER_FIELDS = ['exp', 'iat', 'nbf'] as const

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
  if (options === null || typeof options !== 'object') {
    throw new TypeError('options must be an object')
  }
  const url = resolveUrl(options)
  const realm = nonEmptyString(options.realm, 'api', 'realm')
  const timeoutMs = integer(options.timeoutMs, 5000, 1, 'timeoutMs')
  const maxResponseBytes = integer(options.maxResponseBytes, 65536, 1, 'maxResponseBytes')
  const clockTolerance = nonNegative(options.clockTolerance, 5, 'clockTolerance')
  const allowMissingTokenUse = bool(options.allowMissingTokenUse, false, 'allowMissingTokenUse')
  const scope = scopeParam(options.scope)
  const audiences = stringList(options.audience, 'audience')
  const issuer = options.issuer === undefined ? undefined : nonEmptyString(options.issuer, '', 'issuer')
  const hooks = validateHooks(options.hooks)
  if (
    options.dispatcher !== undefined &&
    (options.dispatcher === null ||
      typeof (options.dispatcher as { dispatch?: unknown }).dispatch !== 'function')
  ) {
    throw new TypeError('dispatcher must be an undici Dispatcher (Agent, Pool, Client)')
  }
  const baseHeaders = buildHeaders(options.headers, options.auth)
  const cache = resolveCache(options.cache)
  const retryOn401 = options.auth?.type === 'client_credentials'
  const ownAgent =
    options.dispatcher === undefined
      ? new Agent({ keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000 })
      : undefined
  const dispatcher: Dispatcher = options.dispatcher ?? (ownAgent as Agent)
  let auth: ReturnType<typeof createAdminAuthProvider>
  try {
    auth = createAdminAuthProvider(options.auth, { timeoutMs, dispatcher, hooks }, 'auth')
  } catch (err) {
    // Nothing was sent through the new Agent yet; release it anyway.
    void ownAgent?.close()
    throw err
  }
  const store = cache?.store
  const keyPrefix = cache?.keyPrefix ?? DEFAULT_PREFIX
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
  ): InvalidTokenError => new InvalidTokenError({ reason, description, realm, debug })

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
  const post = async (body: string, authHeaders: Record<string, string>): Promise<HttpResponse> => {
    const started = hooks?.onUpstream !== undefined ? performance.now() : 0
    let status: number | undefined
    let failure: unknown
    try {
      const res = await httpRequest({
        method: 'POST',
        url,
        headers: { ...baseHeaders, ...authHeaders },
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
    let res: HttpResponse
    for (let attempt = 0; ; attempt++) {
      let authHeaders: Record<string, string>
      try {
        authHeaders = await auth.headers()
      } catch (err) {
        throw unavailable('token introspection is temporarily unavailable', { stage: 'admin_auth' }, err)
      }
      res = await post(body, authHeaders)
      // A client-credentials token may have been revoked or rotated: get a new one, once.
      if (res.status === 401 && retryOn401 && attempt === 0) {
        auth.invalidate()
        continue
      }
      break
    }
    if (res.status !== 200) {
      const retryAfter =
        res.status === 429 || res.status >= 500 ? headerValue(res.headers, 'retry-after') : undefined
      throw unavailable(
        'token introspection is temporarily unavailable',
        { status: res.status },
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

  const isExpired = (exp: JsonValue | undefined, toleranceSeconds: number): boolean =>
    typeof exp === 'number' && exp <= Date.now() / 1000 - toleranceSeconds

  /** Applies the local checks to an active answer and builds the caller's own AuthInfo. */
  const judge = (token: string, claims: Claims): AuthInfo => {
    const use = claims.token_use
    if (use === undefined || use === null) {
      if (!allowMissingTokenUse) {
        throw refuse('token_use', 'the token is not an access token', { tokenUse: null })
      }
    } else if (use !== 'access_token') {
      throw refuse('token_use', 'the token is not an access token', { tokenUse: use })
    }
    if (isExpired(claims.exp, clockTolerance)) {
      throw refuse('expired', 'the access token expired', { exp: claims.exp })
    }
    if (issuer !== undefined && claims.iss !== issuer) {
      throw refuse('issuer', 'the access token was issued by an unexpected issuer', {
        expected: issuer,
        received: typeof claims.iss === 'string' ? claims.iss : null,
      })
    }
    // Every caller gets its own copy: a caller mutating its AuthInfo must not touch the cache or
    // another caller sharing the same upstream answer.
    const info = toAuthInfo(token, structuredClone(claims), 'introspection')
    if (audiences !== undefined && !info.audience.some((a) => audiences.includes(a))) {
      throw refuse('audience', 'the access token is not meant for this audience', {
        expected: audiences,
      })
    }
    return info
  }

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
    introspectionUrl: url,
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
        await ownAgent?.close()
      })()
      return closed
    },
  }
}

/** The `sub` of a cached active answer, for `invalidate(subject)`. */
function subjectOfCached(value: JsonValue): string | undefined {
  if (!isObject(value) || value.active !== true || !isObject(value.claims)) return undefined
  const sub = value.claims.sub
  return typeof sub === 'string' ? sub : undefined
}

// ---------------------------------------------------------------------------------------------
// Response and cache-entry validation

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/**
 * Validates an introspection response (RFC 7662 §2.2 plus Hydra's fields). `undefined` when it is
 * not usable: not an object, `active` not a boolean, or a known field of the wrong type. `null`
 * stands for an absent optional field.
 */
function parseOutcome(data: unknown): Outcome | undefined {
  if (!isObject(data) || typeof data.active !== 'boolean') return undefined
  if (!data.active) return INACTIVE
  for (const f of STRING_FIELDS) {
    const v = data[f]
    if (v !== undefined && v !== null && typeof v !== 'string') return undefined
  }
  for (const f of NUMBER_FIELDS) {
    const v = data[f]
    if (v !== undefined && v !== null && (typeof v !== 'number' || !Number.isFinite(v))) return undefined
  }
  const aud = data.aud
  if (
    aud !== undefined &&
    aud !== null &&
    typeof aud !== 'string' &&
    !(Array.isArray(aud) && aud.every((a) => typeof a === 'string'))
  ) {
    return undefined
  }
  if (data.ext !== undefined && data.ext !== null && !isObject(data.ext)) return undefined
  return { active: true, claims: data as Claims }
}

/** A cache entry read back from a store (possibly shared, possibly tampered with). */
function parseCached(value: JsonValue): Outcome | undefined {
  if (!isObject(value)) return undefined
  if (value.active === false) return INACTIVE
  if (value.active !== true || !isObject(value.claims)) return undefined
  const inner = parseOutcome(value.claims)
  return inner?.active === true ? inner : undefined
}

// ---------------------------------------------------------------------------------------------
// Option validation

function resolveUrl(options: IntrospectionVerifierOptions): string {
  const version = options.apiVersion ?? 'v2'
  if (version !== 'v2' && version !== 'v1') {
    throw new TypeError(`apiVersion must be 'v2' or 'v1', got ${JSON.stringify(version)}`)
  }
  if (options.introspectionUrl !== undefined) {
    return httpUrl(options.introspectionUrl, 'introspectionUrl').href
  }
  if (options.adminUrl === undefined) {
    throw new TypeError('adminUrl must be set (or introspectionUrl)')
  }
  const base = httpUrl(options.adminUrl, 'adminUrl')
  if (base.search !== '' || base.hash !== '') {
    throw new TypeError('adminUrl must not have a query or fragment')
  }
  const path = base.pathname.replace(/\/+$/, '')
  return `${base.origin}${path}${version === 'v2' ? '/admin/oauth2/introspect' : '/oauth2/introspect'}`
}

function httpUrl(value: unknown, path: string): URL {
  if (typeof value !== 'string' || value === '') {
    throw new TypeError(`${path} must be a non-empty string`)
  }
  let u: URL
  try {
    u = new URL(value)
  } catch {
    throw new TypeError(`${path} must be an absolute URL`)
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new TypeError(`${path} must be an http: or https: URL`)
  }
  if (u.username !== '' || u.password !== '') {
    throw new TypeError(`${path} must not contain credentials (use auth)`)
  }
  return u
}

function show(value: unknown): string {
  return typeof value === 'number' || typeof value === 'string' ? JSON.stringify(value) : typeof value
}

function nonEmptyString(value: unknown, fallback: string, path: string): string {
  if (value === undefined) return fallback
  if (typeof value !== 'string' || value === '') throw new TypeError(`${path} must be a non-empty string`)
  return value
}

function integer(value: unknown, fallback: number, min: number, path: string): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new TypeError(`${path} must be an integer >= ${min}, got ${show(value)}`)
  }
  return value
}

function nonNegative(value: unknown, fallback: number, path: string): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`${path} must be a finite number >= 0, got ${show(value)}`)
  }
  return value
}

function bool(value: unknown, fallback: boolean, path: string): boolean {
  if (value === undefined) return fallback
  if (typeof value !== 'boolean') throw new TypeError(`${path} must be a boolean`)
  return value
}

function stringList(value: unknown, path: string): string[] | undefined {
  if (value === undefined) return undefined
  const list: unknown[] = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [null]
  if (list.length === 0) throw new TypeError(`${path} must not be an empty array`)
  for (const item of list) {
    if (typeof item !== 'string' || item === '') {
      throw new TypeError(`${path} must be a non-empty string or an array of them`)
    }
  }
  return list as string[]
}

function scopeParam(value: unknown): string | undefined {
  if (value === undefined) return undefined
  const list = typeof value === 'string' ? value.split(' ').filter((s) => s !== '') : value
  if (!Array.isArray(list) || list.length === 0) {
    throw new TypeError('scope must be a space-separated string or a non-empty array of scopes')
  }
  for (const s of list as unknown[]) {
    // RFC 6749 §3.3 scope-token: %x21 / %x23-5B / %x5D-7E
    if (typeof s !== 'string' || !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s)) {
      throw new TypeError(`scope has an invalid scope token: ${JSON.stringify(s)}`)
    }
  }
  return (list as string[]).join(' ')
}

function validateHooks(hooks: unknown): HydrakitHooks | undefined {
  if (hooks === undefined) return undefined
  if (!isObject(hooks)) throw new TypeError('hooks must be an object')
  for (const name of ['onVerify', 'onCache', 'onUpstream', 'onJwksRefresh'] as const) {
    const h = hooks[name]
    if (h !== undefined && typeof h !== 'function') throw new TypeError(`hooks.${name} must be a function`)
  }
  const h = hooks as HydrakitHooks
  // Only keep what this verifier emits, so an all-undefined hooks object costs nothing.
  return h.onVerify || h.onCache || h.onUpstream ? h : undefined
}

function buildHeaders(headers: unknown, auth: AdminAuth | undefined): Record<string, string> {
  const out: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  }
  if (headers === undefined) return out
  if (!isObject(headers)) throw new TypeError('headers must be an object of header names to values')
  const authSetsHeader = isObject(auth) && auth.type !== 'none'
  for (const [rawName, value] of Object.entries(headers)) {
    const name = rawName.toLowerCase()
    if (!/^[!#$%&'*+\-.^_`|~0-9a-z]+$/.test(name)) {
      throw new TypeError(`headers.${rawName} is not a valid header name`)
    }
    if (typeof value !== 'string' || /[\0\r\n]/.test(value)) {
      throw new TypeError(`headers.${rawName} must be a string without CR, LF or NUL`)
    }
    if (FORBIDDEN_HEADERS.has(name)) throw new TypeError(`headers.${rawName} cannot be overridden`)
    if (name === 'authorization' && authSetsHeader) {
      throw new TypeError(`headers.${rawName} conflicts with auth, which sets authorization`)
    }
    out[name] = value
  }
  return out
}

interface ResolvedCache {
  store: CacheStore
  ttlMs: number
  negativeTtlMs: number
  keyPrefix: string
  revokedTtlMs: number
}

function resolveCache(cache: unknown): ResolvedCache | undefined {
  if (cache === false) return undefined
  if (cache === undefined) cache = {}
  if (!isObject(cache)) throw new TypeError('cache must be an object or false')
  const c = cache as IntrospectionCacheOptions
  const ttlMs = integer(c.ttlMs, 60_000, 0, 'cache.ttlMs')
  const negativeTtlMs = integer(c.negativeTtlMs, 5_000, 0, 'cache.negativeTtlMs')
  const keyPrefix = c.keyPrefix ?? DEFAULT_PREFIX
  if (typeof keyPrefix !== 'string') throw new TypeError('cache.keyPrefix must be a string')
  const revokedTtlMs = integer(c.revokedTtlMs, ttlMs, 0, 'cache.revokedTtlMs')
  let store: CacheStore
  if (c.store !== undefined) {
    if (c.maxEntries !== undefined) {
      throw new TypeError('cache.maxEntries applies only to the built-in store; omit it with cache.store')
    }
    const s = c.store as Partial<CacheStore> | null
    if (
      s === null ||
      typeof s !== 'object' ||
      typeof s.get !== 'function' ||
      typeof s.set !== 'function' ||
      typeof s.delete !== 'function'
    ) {
      throw new TypeError('cache.store must implement get, set and delete')
    }
    store = c.store
  } else {
    store = createMemoryCacheStore({ maxEntries: c.maxEntries }, 'cache')
  }
  return { store, ttlMs, negativeTtlMs, keyPrefix, revokedTtlMs }
}
