import { LRUCache } from 'lru-cache'
import type { Dispatcher } from 'undici'
import { UpstreamUnavailableError } from '../errors/errors.js'
import { emit, type HydrakitHooks, type JwksRefreshEvent } from '../hooks.js'
import { headerValue, httpRequest, parseJsonSafe, TransportError } from '../upstream/request.js'
import type { AdminAuthProvider } from '../upstream/admin-auth.js'
import type { JwtAlgorithm } from './algorithms.js'
import {
  compatibleAlgorithms,
  JwksKey,
  KeySet,
  MAX_JWKS_KEYS,
  readJwks,
  type PublicKeyDescriptor,
} from './key-set.js'

/** Largest JWKS (or admin key set) response read, in bytes. Larger ones count as a failed fetch. */
export const MAX_JWKS_BYTES = 512 * 1024

const JWKS_HEADERS: Record<string, string> = { accept: 'application/jwk-set+json, application/json' }

/** Where the access-token key set is read from, to pin verification to it. */
export interface KeySetPin {
  /** Full URL of Hydra's `GET …/keys/{set}` admin endpoint. */
  url: string
  auth: AdminAuthProvider
}

/** Settings of a {@link JwksCache}; validated by the caller (`createJwtVerifier`). */
export interface JwksCacheOptions {
  /** Remote JWKS URL. Exactly one of `uri`, `resolveUri` and `staticKeys`. */
  uri?: string | undefined
  /**
   * Finds the remote JWKS URL before each fetch (issuer discovery; cached by the resolver). A
   * rejection counts as a failed fetch; its message is kept as the failure.
   */
  resolveUri?: (() => Promise<string>) | undefined
  /** A local key set (`{ keys: [...] }`): never fetched, never expires. */
  staticKeys?: unknown
  algorithms: readonly JwtAlgorithm[]
  /** Only keys with one of these `kid`s are used. */
  allowedKids?: ReadonlySet<string> | undefined
  /** Only keys whose material is in this admin key set are used (refreshed with the JWKS). */
  pin?: KeySetPin | undefined
  maxKeysWithoutKid: number
  /** Milliseconds. */
  cacheMaxAge: number
  /** Milliseconds. */
  maxStale: number
  /** Milliseconds. */
  cooldown: number
  /** Milliseconds. */
  timeout: number
  realm: string
  dispatcher?: Dispatcher | undefined
  hooks?: HydrakitHooks | undefined
  /** Called after each successful refresh with the previous and the new key set. */
  onKeySetChange?: ((previous: KeySet | undefined, next: KeySet) => void) | undefined
}

/** What a verifier knows about its keys right now: for health checks and diagnostics. */
export interface JwksStatus {
  /** `remote` (fetched from `jwksUri`) or `static` (the `jwks` option). */
  source: 'remote' | 'static'
  /** The JWKS URL, for a remote set. */
  jwksUri: string | undefined
  /** `kid`s of the keys currently usable (after allowlist and pinning). */
  keyIds: string[]
  /** Number of keys currently usable (keys without `kid` included). */
  keyCount: number
  /** When the current keys were fetched (epoch milliseconds); `undefined` before the first success. */
  fetchedAt: number | undefined
  /** Until when they are used without a refetch (epoch milliseconds). */
  freshUntil: number | undefined
  /** Until when they are still used while the endpoint fails (epoch milliseconds). */
  staleUntil: number | undefined
  /** Why the last fetch failed; `undefined` once a fetch succeeded. Never contains response bodies. */
  lastFailure: string | undefined
  /** Whether keys are pinned to Hydra's access-token key set. */
  pinned: boolean
}

/** A fetch or parse failure of the JWKS or admin key-set endpoint. The message is safe to log. */
class KeySetFetchError extends Error {
  /** HTTP status, when the endpoint answered. */
  readonly status: number | undefined
  readonly retryAfter: string | undefined
  constructor(message: string, details: { status?: number; retryAfter?: string; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause })
    this.status = details.status
    this.retryAfter = details.retryAfter
  }
  override get name(): string {
    return 'KeySetFetchError'
  }
}

/**
 * Keeps the verification keys of one issuer: fetches the JWKS with undici (hard timeout, size cap),
 * caches it for `cacheMaxAge`, refetches at most once per `cooldown` for unknown `kid`s, shares
 * every fetch between concurrent callers, and keeps serving the last good keys for up to
 * `maxStale` after they expired while the endpoint fails. Upstream `Cache-Control` is ignored.
 *
 * Imported keys are interned in an LRU by `kid`, `alg` and key material, so a refresh that still
 * publishes a key reuses the same {@link JwksKey} (and its imported `CryptoKey`).
 */
export class JwksCache {
  private readonly options: JwksCacheOptions
  private readonly interned: LRUCache<string, JwksKey>
  private keySet: KeySet | undefined
  private fetchedAt: number | undefined
  private freshUntil = Number.NEGATIVE_INFINITY
  private staleUntil = Number.NEGATIVE_INFINITY
  /** End of the last fetch attempt (epoch ms); the cooldown runs from here. */
  private lastAttemptAt = Number.NEGATIVE_INFINITY
  private lastFailure: KeySetFetchError | undefined
  private inflight: Promise<KeySet> | undefined
  /** The JWKS URL last fetched (or configured). */
  private uri: string | undefined
  readonly isStatic: boolean

  constructor(options: JwksCacheOptions) {
    this.options = options
    this.interned = new LRUCache({ max: MAX_JWKS_KEYS * 2 })
    this.uri = options.uri
    this.isStatic = options.uri === undefined && options.resolveUri === undefined
    if (this.isStatic) {
      const read = readJwks(options.staticKeys)
      if (!read.ok) throw new TypeError(`jwks must be a JSON Web Key Set: ${read.problem}`)
      const set = this.build(read.keys, read.refusedKids, undefined)
      if (set.members.size === 0) {
        throw new TypeError(
          `jwks has no key usable with algorithms [${options.algorithms.join(', ')}]` +
            (options.allowedKids === undefined ? '' : ' and allowedKids'),
        )
      }
      this.keySet = set
      this.fetchedAt = Date.now()
      this.freshUntil = Number.POSITIVE_INFINITY
      this.staleUntil = Number.POSITIVE_INFINITY
    }
  }

  /**
   * The keys usable right now without waiting for any fetch: fresh keys, or stale ones while a
   * failed endpoint is in its retry cooldown. `undefined` when the caller has to go through {@link get}.
   */
  peek(now: number): KeySet | undefined {
    if (now < this.freshUntil) return this.keySet
    if (
      this.lastFailure !== undefined &&
      this.inflight === undefined &&
      now < this.staleUntil &&
      now < this.lastAttemptAt + this.options.cooldown
    ) {
      return this.keySet
    }
    return undefined
  }

  /**
   * Fresh keys, fetching them first when needed (`initial` or `expired`). When the fetch fails, the
   * previous keys are returned while within `maxStale`; otherwise rejects with
   * {@link UpstreamUnavailableError} (`jwks_unavailable`). After a failure the endpoint is not asked
   * again for `cooldown`, and while stale keys are served the next attempts run in the background
   * (requests do not wait for an endpoint already known to fail).
   */
  async get(signal?: AbortSignal): Promise<KeySet> {
    const now = Date.now()
    const ready = this.peek(now)
    if (ready !== undefined) return ready
    const stale = this.keySet
    if (stale !== undefined && this.lastFailure !== undefined && now < this.staleUntil) {
      if (this.inflight === undefined && !this.inFailureCooldown(now)) void this.startRefresh('expired')
      return stale
    }
    if (this.inflight === undefined && this.inFailureCooldown(now)) {
      // Failed recently and nothing usable: fail fast instead of queueing another slow fetch.
      throw this.unavailable()
    }
    try {
      return await waitFor(this.startRefresh(this.keySet === undefined ? 'initial' : 'expired'), signal)
    } catch (err) {
      if (signal?.aborted === true && err === signal.reason) throw err
      if (this.keySet !== undefined && Date.now() < this.staleUntil) return this.keySet
      throw this.unavailable(err)
    }
  }

  /**
   * Called when a token names a `kid` the current keys lack. Refetches unless a fetch ended less
   * than `cooldown` ago (then no request at all), sharing an in-flight fetch with everyone else.
   * Resolves to the new key set, or `undefined` when the cooldown suppressed the fetch after a
   * successful one (the kid is unknown). Rejects with {@link UpstreamUnavailableError} when the
   * fetch failed, or during the cooldown after a failed one: then the kid could not be checked.
   */
  async refetchForUnknownKid(signal?: AbortSignal): Promise<KeySet | undefined> {
    if (this.isStatic) return undefined
    const now = Date.now()
    if (this.inflight === undefined && now < this.lastAttemptAt + this.options.cooldown) {
      if (this.options.hooks?.onJwksRefresh !== undefined) {
        emit(this.options.hooks.onJwksRefresh, {
          url: this.uri ?? '',
          cause: 'unknown_kid',
          outcome: 'cooldown',
          keyCount: this.keySet?.members.size,
          durationMs: 0,
        })
      }
      if (this.lastFailure !== undefined) throw this.unavailable()
      return undefined
    }
    try {
      return await waitFor(this.startRefresh('unknown_kid'), signal)
    } catch (err) {
      if (signal?.aborted === true && err === signal.reason) throw err
      throw this.unavailable(err)
    }
  }

  /**
   * Fetches now, ignoring freshness and cooldown (an in-flight fetch is joined). Rejects with
   * {@link UpstreamUnavailableError} when it fails; the previous keys stay in use as usual.
   */
  async refresh(): Promise<KeySet> {
    if (this.isStatic) return this.keySet as KeySet
    try {
      return await this.startRefresh(this.keySet === undefined ? 'initial' : 'expired')
    } catch (err) {
      throw this.unavailable(err)
    }
  }

  /** A snapshot of the cache state. */
  status(): JwksStatus {
    const set = this.keySet
    return {
      source: this.isStatic ? 'static' : 'remote',
      jwksUri: this.uri,
      keyIds: set === undefined ? [] : [...set.byKid.keys()],
      keyCount: set?.members.size ?? 0,
      fetchedAt: this.fetchedAt,
      freshUntil: set === undefined ? undefined : this.freshUntil,
      staleUntil: set === undefined ? undefined : this.staleUntil,
      lastFailure: this.lastFailure?.message,
      pinned: this.options.pin !== undefined,
    }
  }

  /** Forgets every key. A later {@link get} fetches again. */
  clear(): void {
    if (this.isStatic) return
    this.keySet = undefined
    this.fetchedAt = undefined
    this.freshUntil = Number.NEGATIVE_INFINITY
    this.staleUntil = Number.NEGATIVE_INFINITY
    this.interned.clear()
  }

  private inFailureCooldown(now: number): boolean {
    return this.lastFailure !== undefined && now < this.lastAttemptAt + this.options.cooldown
  }

  private unavailable(cause?: unknown): UpstreamUnavailableError {
    const failure = cause instanceof KeySetFetchError ? cause : this.lastFailure
    const wait = Math.ceil((this.lastAttemptAt + this.options.cooldown - Date.now()) / 1000)
    return new UpstreamUnavailableError({
      description: 'signing keys are temporarily unavailable',
      reason: 'jwks_unavailable',
      realm: this.options.realm,
      cause: failure,
      retryAfter: failure?.retryAfter ?? (wait > 0 ? String(wait) : undefined),
      debug: { jwksUri: this.uri, failure: failure?.message },
    })
  }

  /** Starts a fetch unless one is running; every caller gets the same promise. */
  private startRefresh(cause: JwksRefreshEvent['cause']): Promise<KeySet> {
    if (this.inflight === undefined) {
      const run = this.fetchAndSwap(cause)
      this.inflight = run
      const clear = (): void => {
        if (this.inflight === run) this.inflight = undefined
      }
      run.then(clear, clear)
    }
    return this.inflight
  }

  private async fetchAndSwap(cause: JwksRefreshEvent['cause']): Promise<KeySet> {
    const hook = this.options.hooks?.onJwksRefresh
    const started = hook === undefined ? 0 : performance.now()
    let url = this.options.uri ?? this.uri ?? ''
    try {
      url = await this.currentUri()
      const pin = this.options.pin
      const [document, pinDocument] = await Promise.all([
        this.fetchDocument(url, 'jwks', JWKS_HEADERS),
        pin === undefined ? undefined : this.fetchPin(pin),
      ])
      const read = readJwks(document)
      if (!read.ok) throw new KeySetFetchError(read.problem)
      let pinned: Set<string> | undefined
      if (pinDocument !== undefined) {
        const pinRead = readJwks(pinDocument, { checkUsage: false })
        if (!pinRead.ok) throw new KeySetFetchError(`access-token key set: ${pinRead.problem}`)
        pinned = new Set(pinRead.keys.map((k) => k.fingerprint))
        if (pinned.size === 0) throw new KeySetFetchError('access-token key set has no public key')
      }
      const next = this.build(read.keys, read.refusedKids, pinned)
      if (next.members.size === 0) {
        throw new KeySetFetchError(
          `JWKS has no usable signing key (${read.keys.length} candidate entries, ${read.refusedKids.length} refused)`,
        )
      }
      const previous = this.keySet
      const now = Date.now()
      this.keySet = next
      this.fetchedAt = now
      this.freshUntil = now + this.options.cacheMaxAge
      this.staleUntil = this.freshUntil + this.options.maxStale
      this.lastAttemptAt = now
      this.lastFailure = undefined
      if (hook !== undefined) {
        emit(hook, {
          url,
          cause,
          outcome: 'success',
          keyCount: next.members.size,
          durationMs: performance.now() - started,
        })
      }
      this.options.onKeySetChange?.(previous, next)
      return next
    } catch (err) {
      const failure =
        err instanceof KeySetFetchError
          ? err
          : new KeySetFetchError('unexpected JWKS failure', { cause: err })
      this.lastAttemptAt = Date.now()
      this.lastFailure = failure
      if (hook !== undefined) {
        emit(hook, {
          url,
          cause,
          outcome: 'failure',
          durationMs: performance.now() - started,
          error: failure,
        })
      }
      throw failure
    }
  }

  /** The configured URL, or the one discovery names now. */
  private async currentUri(): Promise<string> {
    const resolve = this.options.resolveUri
    if (resolve === undefined) return this.options.uri as string
    let uri: string
    try {
      uri = await resolve()
    } catch (err) {
      throw new KeySetFetchError(err instanceof Error ? err.message : 'discovery failed', { cause: err })
    }
    this.uri = uri
    return uri
  }

  private async fetchPin(pin: KeySetPin): Promise<unknown> {
    let headers: Record<string, string>
    try {
      headers = { ...(await pin.auth.headers()), ...JWKS_HEADERS }
    } catch (err) {
      throw new KeySetFetchError('admin API authentication failed', { cause: err })
    }
    try {
      return await this.fetchDocument(pin.url, 'admin', headers)
    } catch (err) {
      if (!(err instanceof KeySetFetchError)) throw err
      if (err.status === 401 || err.status === 403) pin.auth.invalidate()
      throw new KeySetFetchError(`access-token key set: ${err.message}`, {
        status: err.status,
        retryAfter: err.retryAfter,
        cause: err.cause,
      })
    }
  }

  /** One GET; any non-200 status, transport failure or non-JSON body is a {@link KeySetFetchError}. */
  private async fetchDocument(
    url: string,
    kind: 'jwks' | 'admin',
    headers: Record<string, string>,
  ): Promise<unknown> {
    const hook = this.options.hooks?.onUpstream
    const started = hook === undefined ? 0 : performance.now()
    let status: number | undefined
    let error: unknown
    try {
      const res = await httpRequest({
        method: 'GET',
        url,
        headers,
        timeoutMs: this.options.timeout,
        maxResponseBytes: MAX_JWKS_BYTES,
        dispatcher: this.options.dispatcher,
      })
      status = res.status
      if (res.status !== 200) {
        throw new KeySetFetchError(`HTTP ${res.status}`, {
          status: res.status,
          retryAfter: headerValue(res.headers, 'retry-after'),
        })
      }
      const body = parseJsonSafe(res.body)
      if (body === undefined) throw new KeySetFetchError('response is not JSON')
      return body
    } catch (err) {
      error = err
      if (err instanceof KeySetFetchError) throw err
      if (err instanceof TransportError) {
        const what =
          err.failure === 'timeout'
            ? `timed out after ${this.options.timeout} ms`
            : err.failure === 'too_large'
              ? `response larger than ${MAX_JWKS_BYTES} bytes`
              : err.failure === 'aborted'
                ? 'request aborted'
                : 'connection failed'
        throw new KeySetFetchError(what, { cause: err })
      }
      throw new KeySetFetchError('request failed', { cause: err })
    } finally {
      if (hook !== undefined) {
        emit(hook, { kind, method: 'GET', url, status, durationMs: performance.now() - started, error })
      }
    }
  }

  private build(
    descriptors: readonly PublicKeyDescriptor[],
    refusedKids: readonly string[],
    pinned: ReadonlySet<string> | undefined,
  ): KeySet {
    const { algorithms, allowedKids } = this.options
    const allowed: JwksKey[] = []
    const refused = [...refusedKids]
    for (const d of descriptors) {
      const algs = compatibleAlgorithms(d, algorithms)
      const permitted =
        algs.length > 0 &&
        (allowedKids === undefined || (d.kid !== undefined && allowedKids.has(d.kid))) &&
        (pinned === undefined || pinned.has(d.fingerprint))
      if (!permitted) {
        if (d.kid !== undefined) refused.push(d.kid)
        continue
      }
      const id = `${d.kid ?? ''}\n${d.alg ?? ''}\n${d.fingerprint}`
      let key = this.interned.get(id)
      if (key === undefined) {
        key = new JwksKey(d, algs)
        this.interned.set(id, key)
      }
      allowed.push(key)
    }
    return new KeySet(allowed, refused, algorithms, this.options.maxKeysWithoutKid)
  }
}

/** Waits for a shared promise, but lets one caller stop waiting when its own signal aborts. */
function waitFor<T>(shared: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return shared
  if (signal.aborted) return Promise.reject(signal.reason as Error)
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error)
    signal.addEventListener('abort', onAbort, { once: true })
    shared.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (err: Error) => {
        signal.removeEventListener('abort', onAbort)
        reject(err)
      },
    )
  })
}
