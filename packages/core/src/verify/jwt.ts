import { checkKeySet } from '../diagnostics/check.js'
import { toAuthInfo, type AuthInfo } from '../auth-info.js'
import { JwtResultCache } from '../cache/jwt-result-cache.js'
import { DiscoveryError } from '../discovery/discovery-error.js'
import { createIssuerMetadataResolver, type IssuerMetadataResolver } from '../discovery/resolver.js'
import { upstreamDiscoveryFetch } from '../discovery/upstream-fetch.js'
import { InvalidTokenError, UpstreamUnavailableError } from '../errors/errors.js'
import { emit, wantsSuccesses, type HydrakitHooks } from '../hooks.js'
import { JwksCache, type JwksStatus } from '../jwks/jwks-cache.js'
import type { JwksKey, KeySet } from '../jwks/key-set.js'
import { createUpstreamClient, type UpstreamClient } from '../upstream/client.js'
import type { VerifyCallOptions } from '../verifier.js'
import { deepFreeze } from './freeze.js'
import {
  checkHeader,
  checkSignature,
  MAX_TOKEN_LENGTH,
  selectCandidates,
  unknownKid,
  type Claims,
  type JwtPolicy,
} from './jwt-checks.js'
import {
  resolveJwtOptions,
  resolveKeySetPin,
  type JwtVerifier,
  type JwtVerifierOptions,
} from './jwt-options.js'

// The JWT verifier: its result cache, the JWKS cache it feeds from and the hooks it reports to.
// Options are validated in jwt-options.ts; the checks themselves are in jwt-checks.ts.

export type {
  AccessTokenKeySetOptions,
  JwtResultCacheOptions,
  JwtVerifier,
  JwtVerifierOptions,
} from './jwt-options.js'

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
  return new JwtVerifierImpl(options)
}

class JwtVerifierImpl implements JwtVerifier {
  readonly realm: string
  readonly issuer: string
  private readonly policy: JwtPolicy
  private readonly hooks: HydrakitHooks
  /** Whether a cache hit is reported to `onVerify` (not when every listener reads failures only). */
  private readonly reportHits: boolean
  private readonly jwks: JwksCache
  private readonly results: JwtResultCache<JwksKey> | undefined
  private readonly upstream: UpstreamClient
  private closed: Promise<void> | undefined

  constructor(options: JwtVerifierOptions) {
    const o = resolveJwtOptions(options)
    this.policy = o
    this.realm = o.realm
    this.issuer = o.issuer
    this.hooks = o.hooks
    this.reportHits = wantsSuccesses(o.hooks.onVerify)
    // Creating it costs nothing: undici is loaded and a dispatcher made at the first fetch.
    const upstream = createUpstreamClient({ dispatcher: o.dispatcher, hooks: o.hooks })
    this.upstream = upstream
    try {
      const pin =
        o.accessTokenKeySet === undefined
          ? undefined
          : resolveKeySetPin(o.accessTokenKeySet, { timeoutMs: o.timeoutMs, upstream })
      const resolver =
        o.discovery === true
          ? createIssuerMetadataResolver({
              issuer: o.issuer,
              fetch: upstreamDiscoveryFetch(upstream),
              tolerateIssuerTrailingSlash: o.issuers.length > 1,
              timeoutMs: o.timeoutMs,
              retryAfterMs: o.cooldownMs,
            })
          : o.discovery === false
            ? undefined
            : o.discovery
      this.jwks = new JwksCache({
        uri: o.jwksUri,
        resolveUri: resolver === undefined ? undefined : () => discoverJwksUri(resolver, o.fallbackJwksUri),
        staticKeys: o.staticKeys,
        algorithms: o.algorithmList,
        allowedKids: o.allowedKids,
        pin,
        maxKeysWithoutKid: o.maxKeysWithoutKid,
        cacheMaxAge: o.cacheMaxAgeMs,
        maxStale: o.maxStaleMs,
        cooldown: o.cooldownMs,
        retryDelay: o.retryDelayMs,
        maxRetryDelay: o.maxRetryDelayMs,
        timeout: o.timeoutMs,
        realm: o.realm,
        upstream,
        hooks: o.hooks,
        onKeySetChange: (previous, next) => this.keySetChanged(previous, next),
      })
    } catch (err) {
      void upstream.close()
      throw err
    }
    this.results =
      o.resultCache === false
        ? undefined
        : new JwtResultCache(o.resultCache.maxEntries, o.resultCache.admission)
  }

  get jwksUri(): string | undefined {
    return this.jwks.status().jwksUri
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

  check(): Promise<void> {
    return checkKeySet(this)
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
      await this.upstream.close()
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
    if (now.cacheKey !== undefined && this.hooks.onCache !== undefined) {
      emit(this.hooks.onCache, { cache: 'jwt', tier: 'l1', outcome: 'miss' })
    }
    if (this.hooks.onVerify === undefined) return this.verifyFully(token, now.cacheKey, options?.signal)
    return this.verifyObserved(token, now.cacheKey, options?.signal, started)
  }

  verifyNow(token: string): AuthInfo | undefined {
    // The clock is read for a hit only when the hit is reported; settle() reads it after a miss.
    const now = this.settle(token, this.reportHits ? performance.now() : 0)
    return now instanceof Deferred ? undefined : now
  }

  /**
   * The synchronous part of every verification: a cache hit, or a full local verification with the
   * keys at hand (reported to the hooks here, refusals thrown); a {@link Deferred} when the keys
   * must be fetched first (nothing reported yet). `started` is when the verification began, or 0
   * when the clock was not read yet (it is then read after a cache miss).
   */
  private settle(token: string, started: number): AuthInfo | Deferred {
    let cacheKey: string | undefined
    if (this.results !== undefined && typeof token === 'string' && token.length <= MAX_TOKEN_LENGTH) {
      cacheKey = JwtResultCache.keyOf(token)
      const hit = this.lookup(cacheKey, token, started)
      if (hit !== undefined) return hit
    }
    if (started === 0 && this.hooks.onVerify !== undefined) started = performance.now()
    const keys = this.closed === undefined ? this.jwks.peek(Date.now()) : undefined
    if (keys === undefined) return new Deferred(cacheKey)
    const observed = this.hooks.onVerify !== undefined || this.hooks.onCache !== undefined
    if (!observed) return this.verifyWith(token, cacheKey, keys) ?? new Deferred(cacheKey)
    let info: AuthInfo | undefined
    try {
      info = this.verifyWith(token, cacheKey, keys)
    } catch (err) {
      this.reportSettled(cacheKey, started, err)
      throw err
    }
    if (info === undefined) return new Deferred(cacheKey)
    this.reportSettled(cacheKey, started, undefined)
    return info
  }

  /** Reports a verification settled without waiting: the cache miss, then its outcome. */
  private reportSettled(cacheKey: string | undefined, started: number, err: unknown): void {
    if (cacheKey !== undefined && this.hooks.onCache !== undefined) {
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
   * A cached result for `cacheKey` that may be served now, reported as a hit; `undefined` when
   * there is none (nothing reported). An entry whose key left the key set is dropped.
   */
  private lookup(cacheKey: string, token: string, started: number): AuthInfo | undefined {
    const results = this.results
    if (results === undefined || this.closed !== undefined) return undefined
    const now = Date.now()
    const entry = results.get(cacheKey, token, now)
    if (entry === undefined) return undefined
    const keys = this.jwks.peek(now)
    if (keys === undefined || !keys.members.has(entry.key)) {
      // Its key is gone (drop the entry), or the keys must be refreshed first: verify again.
      if (keys !== undefined) results.delete(cacheKey)
      return undefined
    }
    if (this.hooks.onCache !== undefined) {
      emit(this.hooks.onCache, { cache: 'jwt', tier: 'l1', outcome: 'hit' })
    }
    if (this.reportHits) {
      emit(this.hooks.onVerify, {
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
    cacheKey: string | undefined,
    signal: AbortSignal | undefined,
    started: number,
  ): Promise<AuthInfo> {
    const onVerify = this.hooks.onVerify
    try {
      const info = await this.verifyFully(token, cacheKey, signal)
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
  private verifyWith(token: string, cacheKey: string | undefined, keys: KeySet): AuthInfo | undefined {
    const header = checkHeader(this.policy, token)
    const candidates = selectCandidates(this.policy, keys, header.alg, header.kid)
    if (candidates === undefined) return undefined
    const { key, claims } = checkSignature(this.policy, token, header, candidates)
    return this.accept(token, cacheKey, claims, key)
  }

  /** The path that may wait for the JWKS: first use, expired keys, an unknown `kid`. */
  private async verifyFully(
    token: string,
    cacheKey: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<AuthInfo> {
    if (this.closed !== undefined) throw this.closedError()
    // Everything the header decides is decided before any key lookup or fetch.
    const header = checkHeader(this.policy, token)
    let keys: KeySet = this.jwks.peek(Date.now()) ?? (await this.jwks.get(signal))
    let candidates = selectCandidates(this.policy, keys, header.alg, header.kid)
    if (candidates === undefined) {
      const refreshed = await this.jwks.refetchForUnknownKid(signal)
      if (refreshed !== undefined) {
        keys = refreshed
        candidates = selectCandidates(this.policy, keys, header.alg, header.kid)
      }
      if (candidates === undefined) throw unknownKid(this.policy, header.kid)
    }
    const { key, claims } = checkSignature(this.policy, token, header, candidates)
    return this.accept(token, cacheKey, claims, key)
  }

  private accept(token: string, cacheKey: string | undefined, payload: Claims, key: JwksKey): AuthInfo {
    const info = deepFreeze(toAuthInfo(token, payload, 'jwt'))
    const results = this.results
    if (results !== undefined && cacheKey !== undefined && typeof payload.exp === 'number') {
      let expiresAt = payload.exp * 1000
      const maxTokenAge = this.policy.maxTokenAge
      if (maxTokenAge !== undefined && typeof payload.iat === 'number') {
        expiresAt = Math.min(expiresAt, (payload.iat + maxTokenAge) * 1000)
      }
      if (expiresAt > Date.now()) results.set(cacheKey, { info, key, expiresAt })
    }
    return info
  }

  /** Called by the JWKS cache after each successful fetch. */
  private keySetChanged(previous: KeySet | undefined, next: KeySet): void {
    if (this.results !== undefined && previous !== undefined && !previous.isSubsetOf(next)) {
      this.results.retainKeys(next.members)
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

/**
 * `jwks_uri` from the issuer's metadata; Hydra's location when the issuer publishes none (both
 * documents 404). Any other discovery failure rejects with a message for operators.
 */
async function discoverJwksUri(resolver: IssuerMetadataResolver, fallback: string): Promise<string> {
  let jwksUri: string | undefined
  let url: string
  try {
    const metadata = await resolver.resolve()
    jwksUri = metadata.jwksUri
    url = metadata.url
  } catch (err) {
    if (err instanceof DiscoveryError && err.code === 'not_found') return fallback
    throw err
  }
  if (jwksUri === undefined) {
    throw new Error(`discovery document at ${url} has no jwks_uri: set the jwksUri option`)
  }
  return jwksUri
}

/** A verification that has to wait for the JWKS; carries the token's cache key, if any. */
class Deferred {
  constructor(readonly cacheKey: string | undefined) {}
}
