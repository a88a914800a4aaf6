import { Agent, type Dispatcher } from 'undici'
import { toAuthInfo, type AuthInfo } from '../auth-info.js'
import { JwtResultCache, DEFAULT_JWT_RESULT_CACHE_ENTRIES } from '../cache/jwt-result-cache.js'
import { InvalidTokenError, UpstreamUnavailableError, type RejectionReason } from '../errors/errors.js'
import { emit, type HydrakitHooks } from '../hooks.js'
import { createAdminAuthProvider, type AdminAuth } from '../upstream/admin-auth.js'
import {
  DEFAULT_JWT_ALGORITHMS,
  isJwtAlgorithm,
  SUPPORTED_JWT_ALGORITHMS,
  type JwtAlgorithm,
} from '../jwks/algorithms.js'
import { JwksCache, type JwksStatus, type KeySetPin } from '../jwks/jwks-cache.js'
import type { JwksKey, KeySet } from '../jwks/key-set.js'
import type { TokenVerifier, VerifyCallOptions } from '../verifier.js'

/**
 * Pin verification to Hydra's access-token signing keys. Hydra publishes the keys of its ID-token
 * set (`hydra.openid.id-token`) and of its access-token set (`hydra.jwt.access-token`) in the same
 * JWKS, and both kinds of token carry `typ: JWT`; without pinning, an ID token issued to any client
 * would pass as an access token. The set is read from the admin API
 * (`GET {adminUrl}/admin/keys/{setName}`, v1: `GET {adminUrl}/keys/{setName}`) together with every
 * JWKS fetch, and only JWKS keys whose public material appears in it are used.
 */
export interface AccessTokenKeySetOptions {
  /**
   * Base URL of Hydra's admin API, e.g. `http://hydra:4445` (trailing slash optional; a path prefix
   * is kept). Required.
   */
  adminUrl: string
  /**
   * `'v2'` (Hydra v2.x, v25+, Ory Network: `/admin/keys/…`) or `'v1'` (Hydra v1.x: `/keys/…`).
   * Default `'v2'`.
   */
  apiVersion?: 'v2' | 'v1' | undefined
  /** How to authenticate to the admin API. Default `{ type: 'none' }`. */
  auth?: AdminAuth | undefined
  /** Name of the key set. Default `'hydra.jwt.access-token'`. */
  setName?: string | undefined
}

/** Caching of successful verifications. */
export interface JwtResultCacheOptions {
  /**
   * Most verified tokens remembered; the least recently used is evicted beyond it. Default `10000`.
   * An entry never outlives the token's `exp` (nor `iat + maxTokenAge`), and is dropped when its
   * signing key leaves the JWKS (or the pinned set).
   */
  maxEntries?: number | undefined
}

/** Options of {@link createJwtVerifier}. Every option is validated when the verifier is created. */
export interface JwtVerifierOptions {
  /**
   * Expected `iss`, compared as an exact string. Must be an absolute `http(s)` URL. Required.
   * Hydra v1.x always appends a trailing slash to its issuer; v2.x/v25+/v26 use `urls.self.issuer`
   * verbatim: copy it from the issuer's `/.well-known/openid-configuration`, or see
   * {@link tolerateIssuerTrailingSlash}.
   */
  issuer: string
  /**
   * Also accept an `iss` that differs from `issuer` only by one trailing slash
   * (`https://auth.example` ⇔ `https://auth.example/`). Default `false` (exact match only).
   */
  tolerateIssuerTrailingSlash?: boolean | undefined
  /**
   * Accepted audiences: the token's `aud` (string or array) must contain at least one of them
   * (any-of). A missing or different `aud` is refused (reason `audience`). Default: `aud` is not
   * checked — then any access token from this issuer is accepted, whatever API it was meant for.
   */
  audience?: string | readonly string[] | undefined
  /**
   * Accepted JWS algorithms, checked from the token header before any key lookup or fetch. Only
   * asymmetric algorithms: `RS256/384/512`, `PS256/384/512`, `ES256/384/512`, `EdDSA`, `Ed25519`;
   * `HS*` and `none` throw a TypeError. Default `['RS256', 'ES256']`.
   */
  algorithms?: readonly JwtAlgorithm[] | undefined
  /**
   * URL of the JWKS. Default `{issuer without trailing slash}/.well-known/jwks.json` (Hydra's public
   * port). Not allowed together with {@link jwks}. The upstream's `Cache-Control` is ignored: keys
   * live for {@link cacheMaxAgeMs}.
   */
  jwksUri?: string | undefined
  /**
   * A local JSON Web Key Set (`{ keys: [...] }`) used instead of fetching one: no network, never
   * expires, an unknown `kid` is refused at once. Not allowed with `jwksUri` or `accessTokenKeySet`.
   * Default: none (keys are fetched from `jwksUri`).
   */
  jwks?: { keys: readonly unknown[] } | undefined
  /**
   * How long fetched keys are used before the JWKS is fetched again, in milliseconds. Default
   * `600000` (10 minutes). The request that finds the keys expired waits for the refetch.
   */
  cacheMaxAgeMs?: number | undefined
  /**
   * Minimum time between two JWKS fetches caused by unknown `kid`s or by a failed fetch, in
   * milliseconds. During it, an unknown `kid` is refused at once (401 `unknown_kid`; 503 if the last
   * fetch failed) without contacting the endpoint. Default `30000` (30 seconds).
   */
  cooldownMs?: number | undefined
  /**
   * Stale-if-error: how long after {@link cacheMaxAgeMs} ran out the last good keys are still used
   * while the JWKS endpoint fails, in milliseconds (retries then run in the background, once per
   * `cooldownMs`). Afterwards verification fails with 503 (`jwks_unavailable`). `0` disables.
   * Default `3600000` (1 hour).
   */
  maxStaleMs?: number | undefined
  /**
   * Deadline of each JWKS (and admin key set) request — connect, headers and body — in
   * milliseconds. Default `5000`.
   */
  timeoutMs?: number | undefined
  /** Clock skew allowed for `exp`, `nbf` and `iat`, in seconds. Default `5`. */
  clockTolerance?: number | undefined
  /**
   * Maximum age of a token, from its `iat`, in seconds. A token without `iat` or older than this is
   * refused (reason `too_old`). Default: no limit (only `exp` counts).
   */
  maxTokenAge?: number | undefined
  /**
   * Claim names that must be present in the payload (reason `required_claim`). `exp` is always
   * required. Default `[]`.
   */
  requiredClaims?: readonly string[] | undefined
  /**
   * Accepted `typ` header values, compared case-insensitively with an optional `application/`
   * prefix (RFC 7515 §4.1.9). Hydra sends `JWT`, RFC 9068 access tokens `at+jwt`. A token with
   * another or no `typ` is refused (reason `typ`). `false` disables the check. Default
   * `['JWT', 'at+jwt']`.
   */
  typ?: string | readonly string[] | false | undefined
  /**
   * Only JWKS keys with one of these `kid`s are used; a token naming another `kid` is refused at
   * once (reason `key_not_allowed`, no fetch). Use it to pin Hydra's access-token key(s) statically.
   * Default: every key in the JWKS.
   */
  allowedKids?: readonly string[] | undefined
  /** Pin to Hydra's access-token key set read from the admin API. Default: not pinned. */
  accessTokenKeySet?: AccessTokenKeySetOptions | undefined
  /**
   * A token without `kid` is tried against at most this many keys of its algorithm (in JWKS order).
   * `0` refuses tokens without `kid` (reason `unknown_kid`). Default `3`.
   */
  maxKeysWithoutKid?: number | undefined
  /** Caching of verified tokens, or `false` to verify every call. Default: enabled, 10000 entries. */
  resultCache?: JwtResultCacheOptions | false | undefined
  /** `realm` of the `WWW-Authenticate` challenges. Default `'api'`. */
  realm?: string | undefined
  /**
   * Observability: `onVerify` (every call, with `cached`), `onCache` (cache `'jwt'`, tier `'l1'`),
   * `onJwksRefresh` (every fetch, and `outcome: 'cooldown'` when one was suppressed), `onUpstream`
   * (kind `'jwks'` and `'admin'`). Default none; no event is built when no hook is set.
   */
  hooks?: HydrakitHooks | undefined
  /**
   * undici dispatcher for JWKS and admin requests. Default: a keep-alive `Agent` owned by this
   * verifier and closed by `close()`. A dispatcher passed here is never closed by the verifier.
   */
  dispatcher?: Dispatcher | undefined
}

/** A {@link TokenVerifier} that verifies JWT access tokens locally against the issuer's JWKS. */
export interface JwtVerifier extends TokenVerifier {
  readonly realm: string
  /** The expected `iss`. */
  readonly issuer: string
  /** The JWKS URL; `undefined` with a static `jwks`. */
  readonly jwksUri: string | undefined
  /**
   * Verifies `token` (signature, algorithm, `typ`, `iss`, `aud`, `exp`/`nbf`/`iat`, required claims)
   * and returns its profile (`source: 'jwt'`), frozen. Throws {@link InvalidTokenError} (401) with a
   * precise `reason`, or {@link UpstreamUnavailableError} (503, `jwks_unavailable`) when no usable
   * key could be obtained. A successful result is cached by the token's SHA-256. `options.signal`
   * stops this call from waiting for a JWKS fetch (the shared fetch itself goes on).
   */
  verify(token: string, options?: VerifyCallOptions): Promise<AuthInfo>
  /**
   * Settles `token` synchronously when everything needed is at hand — its cached result, or fresh
   * keys that include its `kid` — and returns what {@link verify} would resolve to, or throws the
   * {@link InvalidTokenError} it would reject with. Returns `undefined` when only {@link verify} can
   * answer: the keys must be fetched (first use, expiry, an unknown `kid`), or the verifier is
   * closed. The adapters call it first, so that most requests cost no promise at all. Hooks are
   * reported exactly as {@link verify} reports them; an `undefined` answer reports nothing.
   */
  verifyNow(token: string): AuthInfo | undefined
  /**
   * Fetches the JWKS (and the pinned admin key set) now, ignoring freshness and cooldown; joins a
   * fetch in flight. Resolves to the new status; rejects with {@link UpstreamUnavailableError} when
   * the fetch fails (the previous keys stay in use). A no-op for a static `jwks`.
   */
  refreshKeys(): Promise<JwksStatus>
  /** What the verifier knows about its keys now (for health checks). */
  jwksStatus(): JwksStatus
  /** Number of verified tokens currently cached. */
  readonly resultCacheSize: number
  /** Forgets every cached verification result (keys stay cached). */
  clearResultCache(): void
  /** Drops caches and closes the verifier's own connection pool; later calls fail with 503. Idempotent. */
  close(): Promise<void>
}

// The verifier refuses absurdly long "tokens" before hashing or parsing them.
const MAX_TOKEN_LENGTH = 16 * 1024
// A JOSE header is a few hundred characters; a huge first segment is not worth decoding.
const MAX_HEADER_SEGMENT = 4096
const DEFAULT_TYP: readonly string[] = ['JWT', 'at+jwt']
const DEFAULT_SET_NAME = 'hydra.jwt.access-token'
// Header values copied into `debug` are cut to this length.
const DEBUG_VALUE_LENGTH = 128
// A compact JWS: three base64url segments (RFC 7515 §7.1; no padding, §2). The signature may be
// empty so that an unsecured (`alg: none`) token is refused for its algorithm, not as malformed.
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/
// Header and payload must be UTF-8 (RFC 7515 §5.2): invalid sequences make the token malformed.
const UTF8 = new TextDecoder('utf-8', { fatal: true })

/** Claims as read from the payload. */
type Claims = Record<string, unknown>

/**
 * Creates a verifier for JWT access tokens (Hydra's `strategies.access_token: jwt`, or any RFC 9068
 * issuer) that checks them locally — signatures with node:crypto on cached keys — against a JWKS
 * cache of its own. Every option is
 * validated now; a bad one throws a TypeError naming it.
 *
 * @example
 * ```ts
 * const verifier = createJwtVerifier({
 *   issuer: 'https://auth.example.com/',
 *   audience: 'https://api.example.com',
 * })
 * const auth = await verifier.verify(token) // AuthInfo, or throws InvalidTokenError / UpstreamUnavailableError
 * ```
 */
export function createJwtVerifier(options: JwtVerifierOptions): JwtVerifier {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object')
  return new JwtVerifierImpl(options)
}

class JwtVerifierImpl implements JwtVerifier {
  readonly realm: string
  readonly issuer: string
  readonly jwksUri: string | undefined
  private readonly hooks: HydrakitHooks
  private readonly algorithms: ReadonlySet<string>
  private readonly typ: ReadonlySet<string> | undefined
  private readonly allowedKids: ReadonlySet<string> | undefined
  private readonly maxTokenAge: number | undefined
  private readonly maxKeysWithoutKid: number
  /** Accepted `iss` values (one, or two with `tolerateIssuerTrailingSlash`). */
  private readonly issuers: readonly string[]
  private readonly audience: readonly string[] | undefined
  /** Seconds. */
  private readonly clockTolerance: number
  /** Claims that must be present, in the order they are checked. */
  private readonly presentClaims: readonly string[]
  private readonly jwks: JwksCache
  private readonly results: JwtResultCache<JwksKey> | undefined
  private readonly ownAgent: Agent | undefined
  private closed: Promise<void> | undefined

  constructor(options: JwtVerifierOptions) {
    this.realm = nonEmptyString(options.realm, 'api', 'realm')
    this.issuer = absoluteUrl(options.issuer, 'issuer', true)
    const tolerateSlash = bool(options.tolerateIssuerTrailingSlash, false, 'tolerateIssuerTrailingSlash')
    const audience = stringList(options.audience, 'audience')
    const algorithms = algorithmList(options.algorithms)
    this.algorithms = new Set(algorithms)
    this.typ = typList(options.typ)
    const allowedKids = stringList(options.allowedKids, 'allowedKids')
    this.allowedKids = allowedKids === undefined ? undefined : new Set(allowedKids)
    const requiredClaims = stringList(options.requiredClaims, 'requiredClaims', true) ?? []
    const clockTolerance = finite(options.clockTolerance, 5, 0, 'clockTolerance')
    this.maxTokenAge =
      options.maxTokenAge === undefined ? undefined : finite(options.maxTokenAge, 0, 1, 'maxTokenAge')
    this.maxKeysWithoutKid = integer(options.maxKeysWithoutKid, 3, 0, 'maxKeysWithoutKid')
    const cacheMaxAgeMs = integer(options.cacheMaxAgeMs, 600_000, 1, 'cacheMaxAgeMs')
    const cooldownMs = integer(options.cooldownMs, 30_000, 1, 'cooldownMs')
    const maxStaleMs = integer(options.maxStaleMs, 3_600_000, 0, 'maxStaleMs')
    const timeoutMs = integer(options.timeoutMs, 5000, 1, 'timeoutMs')
    this.hooks = hooksOption(options.hooks)
    const resultCache = resultCacheOption(options.resultCache)

    if (options.jwks !== undefined && options.jwksUri !== undefined) {
      throw new TypeError('jwks and jwksUri are mutually exclusive: pass one of them')
    }
    if (options.jwks !== undefined && options.accessTokenKeySet !== undefined) {
      throw new TypeError('accessTokenKeySet needs a remote JWKS: it cannot be combined with jwks')
    }
    if (options.jwks !== undefined && (options.jwks === null || typeof options.jwks !== 'object')) {
      throw new TypeError('jwks must be a JSON Web Key Set object ({ keys: [...] })')
    }
    this.jwksUri =
      options.jwks !== undefined
        ? undefined
        : options.jwksUri === undefined
          ? `${this.issuer.replace(/\/$/, '')}/.well-known/jwks.json`
          : absoluteUrl(options.jwksUri, 'jwksUri', false)

    const dispatcherOption = options.dispatcher
    if (
      dispatcherOption !== undefined &&
      (dispatcherOption === null || typeof dispatcherOption !== 'object')
    ) {
      throw new TypeError('dispatcher must be an undici Dispatcher')
    }
    const pinOptions = options.accessTokenKeySet
    const needsNetwork = this.jwksUri !== undefined
    this.ownAgent = dispatcherOption === undefined && needsNetwork ? new Agent() : undefined
    const dispatcher = dispatcherOption ?? this.ownAgent
    let pin: KeySetPin | undefined
    try {
      pin =
        pinOptions === undefined
          ? undefined
          : pinOption(pinOptions, { timeoutMs, dispatcher, hooks: this.hooks })
      this.jwks = new JwksCache({
        uri: this.jwksUri,
        staticKeys: options.jwks,
        algorithms,
        allowedKids: this.allowedKids,
        pin,
        maxKeysWithoutKid: this.maxKeysWithoutKid,
        cacheMaxAge: cacheMaxAgeMs,
        maxStale: maxStaleMs,
        cooldown: cooldownMs,
        timeout: timeoutMs,
        realm: this.realm,
        dispatcher,
        hooks: this.hooks,
        onKeySetChange: (previous, next) => this.keySetChanged(previous, next),
      })
    } catch (err) {
      void this.ownAgent?.close()
      throw err
    }
    this.results = resultCache === false ? undefined : new JwtResultCache(resultCache)

    this.issuers = tolerateSlash ? issuerVariants(this.issuer) : [this.issuer]
    this.audience = audience
    this.clockTolerance = clockTolerance
    // Presence is checked for `iss`, then `aud` (when audiences are configured), `iat` (with
    // maxTokenAge), then requiredClaims (last first) and `exp`, which is always required.
    const present = ['iss']
    if (audience !== undefined) present.push('aud')
    if (this.maxTokenAge !== undefined) present.push('iat')
    present.push(...requiredClaims.filter((c) => c !== 'exp').reverse(), 'exp')
    this.presentClaims = [...new Set(present)]
  }

  get resultCacheSize(): number {
    return this.results?.size ?? 0
  }

  clearResultCache(): void {
    this.results?.clear()
  }

  jwksStatus(): JwksStatus {
    return this.jwks.status()
  }

  async refreshKeys(): Promise<JwksStatus> {
    if (this.closed !== undefined) throw this.closedError()
    await this.jwks.refresh()
    return this.jwks.status()
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      this.results?.clear()
      this.jwks.clear()
      await this.ownAgent?.close()
    })()
    return this.closed
  }

  verify(token: string, options?: VerifyCallOptions): Promise<AuthInfo> {
    const started = this.hooks.onVerify === undefined ? 0 : performance.now()
    let now: AuthInfo | Deferred
    try {
      now = this.settle(token, started)
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)))
    }
    if (!(now instanceof Deferred)) return Promise.resolve(now)
    if (now.tokenHash !== undefined && this.hooks.onCache !== undefined) {
      emit(this.hooks.onCache, { cache: 'jwt', tier: 'l1', outcome: 'miss' })
    }
    if (this.hooks.onVerify === undefined) return this.verifyFully(token, now.tokenHash, options?.signal)
    return this.verifyObserved(token, now.tokenHash, options?.signal, started)
  }

  verifyNow(token: string): AuthInfo | undefined {
    const now = this.settle(token, this.hooks.onVerify === undefined ? 0 : performance.now())
    return now instanceof Deferred ? undefined : now
  }

  /**
   * The synchronous part of every verification: a cache hit, or a full local verification with the
   * keys at hand (reported to the hooks here, refusals thrown); a {@link Deferred} when the keys
   * must be fetched first (nothing reported yet).
   */
  private settle(token: string, started: number): AuthInfo | Deferred {
    let tokenHash: string | undefined
    if (this.results !== undefined && typeof token === 'string' && token.length <= MAX_TOKEN_LENGTH) {
      tokenHash = JwtResultCache.keyOf(token)
      const hit = this.lookup(tokenHash, started)
      if (hit !== undefined) return hit
    }
    const keys = this.closed === undefined ? this.jwks.peek(Date.now()) : undefined
    if (keys === undefined) return new Deferred(tokenHash)
    const observed = this.hooks.onVerify !== undefined || this.hooks.onCache !== undefined
    if (!observed) return this.verifyWith(token, tokenHash, keys) ?? new Deferred(tokenHash)
    let info: AuthInfo | undefined
    try {
      info = this.verifyWith(token, tokenHash, keys)
    } catch (err) {
      this.reportSettled(tokenHash, started, err)
      throw err
    }
    if (info === undefined) return new Deferred(tokenHash)
    this.reportSettled(tokenHash, started, undefined)
    return info
  }

  /** Reports a verification settled without waiting: the cache miss, then its outcome. */
  private reportSettled(tokenHash: string | undefined, started: number, err: unknown): void {
    if (tokenHash !== undefined && this.hooks.onCache !== undefined) {
      emit(this.hooks.onCache, { cache: 'jwt', tier: 'l1', outcome: 'miss' })
    }
    const onVerify = this.hooks.onVerify
    if (onVerify === undefined) return
    if (err === undefined) {
      emit(onVerify, {
        outcome: 'success',
        source: 'jwt',
        cached: false,
        durationMs: performance.now() - started,
      })
      return
    }
    const known = err instanceof InvalidTokenError
    emit(onVerify, {
      outcome: 'failure',
      source: 'jwt',
      reason: known ? err.reason : undefined,
      debug: known ? err.debug : undefined,
      cached: false,
      durationMs: performance.now() - started,
    })
  }

  /**
   * A cached result for `tokenHash` that may be served now, reported as a hit; `undefined` when
   * there is none (nothing reported). An entry whose key left the key set is dropped.
   */
  private lookup(tokenHash: string, started: number): AuthInfo | undefined {
    const results = this.results
    if (results === undefined || this.closed !== undefined) return undefined
    const now = Date.now()
    const entry = results.get(tokenHash, now)
    if (entry === undefined) return undefined
    const keys = this.jwks.peek(now)
    if (keys === undefined || !keys.members.has(entry.key)) {
      // Its key is gone (drop the entry), or the keys must be refreshed first: verify again.
      if (keys !== undefined) results.delete(tokenHash)
      return undefined
    }
    if (this.hooks.onCache !== undefined) {
      emit(this.hooks.onCache, { cache: 'jwt', tier: 'l1', outcome: 'hit' })
    }
    const onVerify = this.hooks.onVerify
    if (onVerify !== undefined) {
      emit(onVerify, {
        outcome: 'success',
        source: 'jwt',
        cached: true,
        durationMs: performance.now() - started,
      })
    }
    return entry.info
  }

  private async verifyObserved(
    token: string,
    tokenHash: string | undefined,
    signal: AbortSignal | undefined,
    started: number,
  ): Promise<AuthInfo> {
    const onVerify = this.hooks.onVerify
    try {
      const info = await this.verifyFully(token, tokenHash, signal)
      emit(onVerify, {
        outcome: 'success',
        source: 'jwt',
        cached: false,
        durationMs: performance.now() - started,
      })
      return info
    } catch (err) {
      const known = err instanceof InvalidTokenError || err instanceof UpstreamUnavailableError
      emit(onVerify, {
        outcome: 'failure',
        source: 'jwt',
        reason: known ? err.reason : undefined,
        debug: known ? err.debug : undefined,
        cached: false,
        durationMs: performance.now() - started,
      })
      throw err
    }
  }

  /**
   * Verifies with `keys` alone: the result, a thrown refusal, or `undefined` when the token names
   * a `kid` these keys lack (only a refetch can tell).
   */
  private verifyWith(token: string, tokenHash: string | undefined, keys: KeySet): AuthInfo | undefined {
    const { jws, alg, kid } = this.checkHeader(token)
    const candidates = this.candidates(keys, alg, kid)
    return candidates === undefined
      ? undefined
      : this.verifySignature(token, tokenHash, jws, alg, kid, candidates)
  }

  /** The path that may wait for the JWKS: first use, expired keys, an unknown `kid`. */
  private async verifyFully(
    token: string,
    tokenHash: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<AuthInfo> {
    if (this.closed !== undefined) throw this.closedError()
    // Everything the header decides is decided before any key lookup or fetch.
    const { jws, alg, kid } = this.checkHeader(token)
    let keys: KeySet = this.jwks.peek(Date.now()) ?? (await this.jwks.get(signal))
    let candidates = this.candidates(keys, alg, kid)
    if (candidates === undefined) {
      const refreshed = await this.jwks.refetchForUnknownKid(signal)
      if (refreshed !== undefined) {
        keys = refreshed
        candidates = this.candidates(keys, alg, kid)
      }
      if (candidates === undefined) {
        throw this.invalid('unknown_kid', 'unknown signing key', { kid: debugKid(kid) })
      }
    }
    return this.verifySignature(token, tokenHash, jws, alg, kid, candidates)
  }

  /** Parses the token and applies every check the header alone decides; throws a refusal. */
  private checkHeader(token: string): { jws: CompactJws; alg: JwtAlgorithm; kid: string | undefined } {
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
      throw this.invalid('malformed', 'malformed token')
    }
    const jws = parseCompact(token)
    if (jws === undefined) throw this.invalid('malformed', 'malformed token')
    const header = jws.header
    const alg = header.alg
    if (typeof alg !== 'string' || !this.algorithms.has(alg)) {
      throw this.invalid('algorithm', 'algorithm not allowed', {
        alg: typeof alg === 'string' ? alg.slice(0, DEBUG_VALUE_LENGTH) : typeof alg,
        algorithms: [...this.algorithms],
      })
    }
    if (header.crit !== undefined) {
      // No JWS extension is understood by this verifier (RFC 7515 §4.1.11).
      throw this.invalid('critical_header', 'unsupported critical header', { alg })
    }
    if (this.typ !== undefined) {
      const typ = header.typ
      if (typeof typ !== 'string' || !this.typ.has(normalizeTyp(typ))) {
        throw this.invalid('typ', 'unexpected token type', {
          typ: typeof typ === 'string' ? typ.slice(0, DEBUG_VALUE_LENGTH) : typeof typ,
          accepted: [...this.typ],
        })
      }
    }
    const kid = header.kid
    if (kid !== undefined && (typeof kid !== 'string' || kid === '')) {
      throw this.invalid('malformed', 'malformed token', { kid: typeof kid })
    }
    if (kid !== undefined && this.allowedKids !== undefined && !this.allowedKids.has(kid)) {
      throw this.invalid('key_not_allowed', 'signing key not allowed', { kid: debugKid(kid) })
    }
    // `jku`, `x5u`, `jwk` and `x5c` are never read: keys only ever come from the configured JWKS.
    return { jws, alg: alg as JwtAlgorithm, kid }
  }

  /**
   * The keys of `keys` that may have signed a token with this `alg` and `kid`; throws when none
   * ever could; `undefined` when the `kid` is not (yet) in `keys`.
   */
  private candidates(
    keys: KeySet,
    alg: JwtAlgorithm,
    kid: string | undefined,
  ): readonly JwksKey[] | undefined {
    if (kid === undefined) {
      if (this.maxKeysWithoutKid === 0) throw this.invalid('unknown_kid', 'token has no key id')
      const candidates = keys.byAlgorithm.get(alg)
      if (candidates === undefined || candidates.length === 0) {
        throw this.invalid('key_not_allowed', 'no signing key for this algorithm', { alg })
      }
      return candidates
    }
    const candidates = keys.byKid.get(kid)
    if (candidates === undefined && keys.refusedKids.has(kid)) {
      throw this.invalid('key_not_allowed', 'signing key not allowed', { kid: debugKid(kid) })
    }
    return candidates
  }

  /** Tries each candidate key fit for `alg`; the first whose signature matches decides the outcome. */
  private verifySignature(
    token: string,
    tokenHash: string | undefined,
    jws: CompactJws,
    alg: JwtAlgorithm,
    kid: string | undefined,
    candidates: readonly JwksKey[],
  ): AuthInfo {
    const signingInput = Buffer.from(token.slice(0, jws.payloadEnd), 'latin1')
    const signature = Buffer.from(token.slice(jws.payloadEnd + 1), 'base64url')
    let tried = 0
    for (const key of candidates) {
      const check = key.signatureCheck(alg)
      if (check === undefined) continue
      tried++
      if (!check(signingInput, signature)) continue
      const payload = this.readClaims(token, jws, alg, kid)
      return this.accept(token, tokenHash, payload, key)
    }
    if (tried === 0) {
      throw this.invalid('key_not_allowed', 'signing key not usable with this algorithm', {
        alg,
        kid: debugKid(kid),
      })
    }
    throw this.invalid('signature', 'invalid signature', { alg, kid: debugKid(kid) })
  }

  /**
   * Decodes the payload of a token whose signature verified and applies the claim checks, in this
   * order: presence (`iss`, `aud`, `iat`, requiredClaims, `exp`), `iss`, `aud`, the types of `iat`,
   * `nbf`, `exp`, then `nbf`, `exp` and `maxTokenAge` against the clock (whole seconds, with
   * `clockTolerance`).
   */
  private readClaims(token: string, jws: CompactJws, alg: string, kid: string | undefined): Claims {
    const base = { alg, kid: debugKid(kid) }
    const claims = decodeJsonObject(token.slice(jws.headerEnd + 1, jws.payloadEnd))
    if (claims === undefined) throw this.invalid('malformed', 'malformed token', base)

    for (const claim of this.presentClaims) {
      if (Object.hasOwn(claims, claim)) continue
      switch (claim) {
        case 'iss':
          throw this.issuerMismatch(base, claims)
        case 'aud':
          throw this.audienceMismatch(base, claims)
        case 'iat':
          throw this.invalid('too_old', 'token has no issue time', { ...base, claim })
      }
      throw this.invalid('required_claim', 'missing required claim', { ...base, claim })
    }
    if (!this.issuers.includes(claims.iss as string)) throw this.issuerMismatch(base, claims)
    if (this.audience !== undefined && !hasAudience(claims.aud, this.audience)) {
      throw this.audienceMismatch(base, claims)
    }
    for (const claim of ['iat', 'nbf', 'exp'] as const) {
      const value = claims[claim]
      if (value !== undefined && typeof value !== 'number') {
        throw this.invalid('malformed', 'malformed claim', { ...base, claim })
      }
    }
    const now = Math.floor(Date.now() / 1000)
    const tolerance = this.clockTolerance
    const { iat, nbf, exp } = claims as { iat?: number; nbf?: number; exp?: number }
    if (nbf !== undefined && nbf > now + tolerance) {
      throw this.invalid('not_yet_valid', 'token not yet valid', base)
    }
    if (exp !== undefined && exp <= now - tolerance) throw this.invalid('expired', 'token expired', base)
    if (this.maxTokenAge !== undefined && iat !== undefined) {
      const age = now - iat
      if (age - tolerance > this.maxTokenAge) {
        throw this.invalid('too_old', 'token too old', { ...base, maxTokenAge: this.maxTokenAge })
      }
      if (age < -tolerance) throw this.invalid('not_yet_valid', 'token issued in the future', base)
    }
    return claims
  }

  private issuerMismatch(base: Record<string, unknown>, claims: Claims): InvalidTokenError {
    return this.invalid('issuer', 'issuer mismatch', {
      ...base,
      expectedIssuer: this.issuers.length === 1 ? this.issuers[0] : [...this.issuers],
      tokenIssuer: debugValue(claims.iss),
    })
  }

  private audienceMismatch(base: Record<string, unknown>, claims: Claims): InvalidTokenError {
    return this.invalid('audience', 'audience mismatch', {
      ...base,
      expectedAudience: this.audience === undefined ? undefined : [...this.audience],
      tokenAudience: debugValue(claims.aud),
    })
  }

  private accept(token: string, tokenHash: string | undefined, payload: Claims, key: JwksKey): AuthInfo {
    const info = deepFreeze(toAuthInfo(token, payload, 'jwt'))
    const results = this.results
    if (results !== undefined && tokenHash !== undefined && typeof payload.exp === 'number') {
      let expiresAt = payload.exp * 1000
      if (this.maxTokenAge !== undefined && typeof payload.iat === 'number') {
        expiresAt = Math.min(expiresAt, (payload.iat + this.maxTokenAge) * 1000)
      }
      if (expiresAt > Date.now()) results.set(tokenHash, { info, key, expiresAt })
    }
    return info
  }

  /** Called by the JWKS cache after each successful fetch. */
  private keySetChanged(previous: KeySet | undefined, next: KeySet): void {
    if (this.results !== undefined && previous !== undefined && !previous.isSubsetOf(next)) {
      this.results.retainKeys(next.members)
    }
  }

  /**
   * A refusal. It carries no stack trace: a refused token is an outcome, not a bug, the frames
   * would only show verifier internals, and capturing them costs more than the rest of the
   * refusal (bench/: ~7–14 µs per rejected request). `reason`, `description` and `debug` say what
   * happened.
   */
  private invalid(
    reason: RejectionReason,
    description: string,
    debug?: Record<string, unknown>,
    cause?: unknown,
  ): InvalidTokenError {
    const options = {
      description,
      reason,
      realm: this.realm,
      debug: { expectedIssuer: this.issuer, ...debug },
      cause,
    }
    const limit = Error.stackTraceLimit
    try {
      Error.stackTraceLimit = 0
    } catch {
      // Frozen intrinsics: keep the stack then.
      return new InvalidTokenError(options)
    }
    try {
      return new InvalidTokenError(options)
    } finally {
      Error.stackTraceLimit = limit
    }
  }

  private closedError(): UpstreamUnavailableError {
    return new UpstreamUnavailableError({
      description: 'signing keys are temporarily unavailable',
      reason: 'jwks_unavailable',
      realm: this.realm,
      debug: { failure: 'closed', jwksUri: this.jwksUri },
    })
  }
}

/** A verification that has to wait for the JWKS; carries the token's cache key, if any. */
class Deferred {
  constructor(readonly tokenHash: string | undefined) {}
}

/** A compact JWS split at its dots, with its decoded JOSE header. */
interface CompactJws {
  header: Record<string, unknown>
  /** Index of the first `.`. */
  headerEnd: number
  /** Index of the second `.`: the signing input is `token.slice(0, payloadEnd)`. */
  payloadEnd: number
}

/**
 * Splits a compact JWS and decodes its header, or `undefined` when the token is not one: three
 * base64url segments (no padding, no other characters; only the signature may be empty), a header of at most
 * {@link MAX_HEADER_SEGMENT} characters that is a UTF-8 JSON object.
 */
function parseCompact(token: string): CompactJws | undefined {
  const headerEnd = token.indexOf('.')
  if (headerEnd <= 0 || headerEnd > MAX_HEADER_SEGMENT) return undefined
  const payloadEnd = token.indexOf('.', headerEnd + 1)
  if (payloadEnd < 0 || !COMPACT_JWS.test(token)) return undefined
  // A base64url segment of length 4n + 1 cannot be decoded (RFC 4648 §5).
  if (
    headerEnd % 4 === 1 ||
    (payloadEnd - headerEnd - 1) % 4 === 1 ||
    (token.length - payloadEnd - 1) % 4 === 1
  ) {
    return undefined
  }
  const header = decodeJsonObject(token.slice(0, headerEnd))
  return header === undefined ? undefined : { header, headerEnd, payloadEnd }
}

/** Decodes a base64url segment holding a UTF-8 JSON object; `undefined` for anything else. */
function decodeJsonObject(segment: string): Record<string, unknown> | undefined {
  let value: unknown
  try {
    value = JSON.parse(UTF8.decode(Buffer.from(segment, 'base64url')))
  } catch {
    return undefined
  }
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined
}

/** `aud` (a string or an array of strings) names at least one of `accepted`. */
function hasAudience(aud: unknown, accepted: readonly string[]): boolean {
  if (typeof aud === 'string') return accepted.includes(aud)
  if (Array.isArray(aud)) return accepted.some((a) => (aud as unknown[]).includes(a))
  return false
}

function normalizeTyp(value: string): string {
  const lower = value.toLowerCase()
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower
}

function issuerVariants(issuer: string): string[] {
  return issuer.endsWith('/') ? [issuer, issuer.slice(0, -1)] : [issuer, `${issuer}/`]
}

function debugKid(kid: string | undefined): string | undefined {
  return kid === undefined ? undefined : kid.slice(0, DEBUG_VALUE_LENGTH)
}

function debugValue(value: unknown): unknown {
  if (typeof value === 'string') return value.slice(0, DEBUG_VALUE_LENGTH)
  if (Array.isArray(value)) {
    return value.slice(0, 10).map((v) => (typeof v === 'string' ? v.slice(0, DEBUG_VALUE_LENGTH) : typeof v))
  }
  return value === undefined ? undefined : typeof value
}

/** Freezes a JSON-like value and everything it holds (results are shared by cache hits). */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') freezeTree(value, 0)
  return value
}

// Iterates without allocating (no Object.values): this runs once per verified token.
function freezeTree(value: object, depth: number): void {
  Object.freeze(value)
  if (depth >= 64) return
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) freezeMember(value[i], depth)
    return
  }
  // Own enumerable keys only matter here: the values are parsed JSON and toAuthInfo's result.
  for (const key in value) freezeMember((value as Record<string, unknown>)[key], depth)
}

function freezeMember(member: unknown, depth: number): void {
  if (member !== null && typeof member === 'object' && !Object.isFrozen(member)) freezeTree(member, depth + 1)
}

// ---- option validation (a TypeError names the option path) ----

function show(value: unknown): string {
  return typeof value === 'number' || typeof value === 'string' ? JSON.stringify(value) : typeof value
}

function nonEmptyString(value: unknown, fallback: string, path: string): string {
  if (value === undefined) return fallback
  if (typeof value !== 'string' || value === '') throw new TypeError(`${path} must be a non-empty string`)
  return value
}

function bool(value: unknown, fallback: boolean, path: string): boolean {
  if (value === undefined) return fallback
  if (typeof value !== 'boolean') throw new TypeError(`${path} must be a boolean`)
  return value
}

function integer(value: unknown, fallback: number, min: number, path: string): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new TypeError(`${path} must be an integer >= ${min}, got ${show(value)}`)
  }
  return value
}

function finite(value: unknown, fallback: number, min: number, path: string): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new TypeError(`${path} must be a finite number >= ${min}, got ${show(value)}`)
  }
  return value
}

function absoluteUrl(value: unknown, path: string, required: boolean): string {
  if (value === undefined && required) throw new TypeError(`${path} is required`)
  if (typeof value !== 'string' || value === '') throw new TypeError(`${path} must be a non-empty string`)
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new TypeError(`${path} must be an absolute URL, got ${show(value)}`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError(`${path} must be an http(s) URL, got ${show(value)}`)
  }
  return value
}

function stringList(value: unknown, path: string, allowEmpty = false): string[] | undefined {
  if (value === undefined) return undefined
  const list: unknown[] = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [null]
  if (list.length === 0 && !allowEmpty) throw new TypeError(`${path} must not be an empty array`)
  list.forEach((item, i) => {
    if (typeof item !== 'string' || item === '') {
      throw new TypeError(`${path}[${i}] must be a non-empty string, got ${show(item)}`)
    }
  })
  return [...new Set(list as string[])]
}

function algorithmList(value: unknown): JwtAlgorithm[] {
  if (value === undefined) return DEFAULT_JWT_ALGORITHMS.slice()
  if (!Array.isArray(value) || value.length === 0) {
    throw new TypeError('algorithms must be a non-empty array of asymmetric JWS algorithms')
  }
  const out: JwtAlgorithm[] = []
  ;(value as unknown[]).forEach((alg, i) => {
    if (typeof alg === 'string' && (/^HS\d+$/i.test(alg) || alg.toLowerCase() === 'none')) {
      throw new TypeError(
        `algorithms[${i}] must be an asymmetric algorithm: ${alg} is never accepted with a JWKS`,
      )
    }
    if (!isJwtAlgorithm(alg)) {
      throw new TypeError(
        `algorithms[${i}] must be one of ${SUPPORTED_JWT_ALGORITHMS.join(', ')}, got ${show(alg)}`,
      )
    }
    if (!out.includes(alg)) out.push(alg)
  })
  return out
}

function typList(value: unknown): ReadonlySet<string> | undefined {
  if (value === false) return undefined
  const list = value === undefined ? DEFAULT_TYP : stringList(value, 'typ')
  return new Set((list ?? DEFAULT_TYP).map(normalizeTyp))
}

function hooksOption(value: unknown): HydrakitHooks {
  if (value === undefined) return {}
  if (value === null || typeof value !== 'object') throw new TypeError('hooks must be an object')
  const hooks = value as Record<string, unknown>
  for (const name of ['onVerify', 'onCache', 'onJwksRefresh', 'onUpstream'] as const) {
    if (hooks[name] !== undefined && typeof hooks[name] !== 'function') {
      throw new TypeError(`hooks.${name} must be a function`)
    }
  }
  return value
}

function resultCacheOption(value: unknown): number | false {
  if (value === false) return false
  if (value === undefined) return DEFAULT_JWT_RESULT_CACHE_ENTRIES
  if (value === null || typeof value !== 'object') {
    throw new TypeError('resultCache must be false or an object ({ maxEntries })')
  }
  return integer(
    (value as JwtResultCacheOptions).maxEntries,
    DEFAULT_JWT_RESULT_CACHE_ENTRIES,
    1,
    'resultCache.maxEntries',
  )
}

function pinOption(
  value: AccessTokenKeySetOptions,
  context: { timeoutMs: number; dispatcher: Dispatcher | undefined; hooks: HydrakitHooks },
): KeySetPin {
  if (value === null || typeof value !== 'object') {
    throw new TypeError('accessTokenKeySet must be an object ({ adminUrl, ... })')
  }
  const adminUrl = absoluteUrl(value.adminUrl, 'accessTokenKeySet.adminUrl', true)
  const apiVersion = value.apiVersion ?? 'v2'
  if (apiVersion !== 'v2' && apiVersion !== 'v1') {
    throw new TypeError(`accessTokenKeySet.apiVersion must be 'v2' or 'v1', got ${show(apiVersion)}`)
  }
  const setName = nonEmptyString(value.setName, DEFAULT_SET_NAME, 'accessTokenKeySet.setName')
  const auth = createAdminAuthProvider(value.auth, context, 'accessTokenKeySet.auth')
  const base = adminUrl.replace(/\/+$/, '')
  const prefix = apiVersion === 'v2' ? '/admin' : ''
  return { url: `${base}${prefix}/keys/${encodeURIComponent(setName)}`, auth }
}
