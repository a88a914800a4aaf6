import { LRUCache } from 'lru-cache'
import { UpstreamUnavailableError } from '../errors/errors.js'
import { emit, type HydrakitHooks, type JwksRefreshEvent } from '../hooks.js'
import type { AdminAuthProvider } from '../upstream/admin-auth.js'
import { UpstreamError, type UpstreamClient } from '../upstream/client.js'
import { parseJsonSafe } from '../upstream/request.js'
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
  /** Minimum time between two refetches caused by unknown `kid`s, in milliseconds. */
  cooldown: number
  /** First retry delay after a failed fetch, in milliseconds; doubles per consecutive failure. */
  retryDelay: number
  /** Largest retry delay after failed fetches, in milliseconds. */
  maxRetryDelay: number
  /** Milliseconds. */
  timeout: number
  realm: string
  /** The client every fetch goes through (required with `uri`). */
  upstream?: UpstreamClient | undefined
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
  /**
   * After a failed fetch: when the endpoint may be asked again (epoch milliseconds); `undefined`
   * once a fetch succeeded.
   */
  nextRetryAt: number | undefined
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

/** Most requests that wait at once for a rate-limited unknown-`kid` refetch; more are refused at once. */
export const MAX_UNKNOWN_KID_WAITERS = 1000

/**
 * Keeps the verification keys of one issuer: fetches the JWKS with undici (hard timeout, size cap),
 * caches it for `cacheMaxAge`, and shares every fetch between concurrent callers. Upstream
 * `Cache-Control` is ignored.
 *
 * Two separate limits protect the endpoint:
 * - after a failed fetch the next attempt waits `retryDelay`, doubling per consecutive failure up to
 *   `maxRetryDelay` (so a verifier that booted during an outage recovers within about
 *   `maxRetryDelay` of the endpoint's recovery); the last good keys are served for up to
 *   `maxStale` after they expired while the endpoint fails;
 * - refetches for unknown `kid`s start at most once per `cooldown`. A request that finds the limit
 *   in effect waits for the next scheduled refetch (one, shared) instead of being refused, so a
 *   freshly rotated key is picked up; a flood of random `kid`s still costs one fetch per `cooldown`.
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
  /** End of the last fetch attempt (epoch ms). */
  private lastAttemptAt = Number.NEGATIVE_INFINITY
  private lastFailure: KeySetFetchError | undefined
  /** Failed fetches since the last success: the retry delay doubles with each. */
  private failures = 0
  /** After a failure: no new attempt before this time (epoch ms). */
  private retryAt = Number.NEGATIVE_INFINITY
  /** End (or start, while it runs) of the last refetch caused by an unknown `kid` (epoch ms). */
  private kidRefetchAt = Number.NEGATIVE_INFINITY
  /** The next unknown-`kid` refetch, when the rate limit made it wait. */
  private scheduled: ScheduledRefetch | undefined
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
   * failed endpoint waits for its next retry. `undefined` when the caller has to go through {@link get}.
   */
  peek(now: number): KeySet | undefined {
    if (now < this.freshUntil) return this.keySet
    if (
      this.lastFailure !== undefined &&
      this.inflight === undefined &&
      now < this.staleUntil &&
      now < this.retryAt
    ) {
      return this.keySet
    }
    return undefined
  }

  /**
   * Fresh keys, fetching them first when needed (`initial` or `expired`). When the fetch fails, the
   * previous keys are returned while within `maxStale`; otherwise rejects with
   * {@link UpstreamUnavailableError} (`jwks_unavailable`). After a failure the endpoint is not asked
   * again before the retry delay ran out (calls fail fast meanwhile, with `Retry-After`), and while
   * stale keys are served the next attempts run in the background (requests do not wait for an
   * endpoint already known to fail).
   */
  async get(signal?: AbortSignal): Promise<KeySet> {
    const now = Date.now()
    const ready = this.peek(now)
    if (ready !== undefined) return ready
    const stale = this.keySet
    if (stale !== undefined && this.lastFailure !== undefined && now < this.staleUntil) {
      if (this.inflight === undefined && !this.waitingToRetry(now)) void this.startRefresh('expired')
      return stale
    }
    if (this.inflight === undefined && this.waitingToRetry(now)) {
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
   * Called when a token names a `kid` the current keys lack. Joins a fetch in flight, or starts a
   * refetch when none caused by an unknown `kid` ended within the last `cooldown`; otherwise
   * waits for the next refetch the rate limit allows (one, shared by every waiting caller).
   * Resolves to the key set that fetch produced, or `undefined` for a static key set, or when more
   * than {@link MAX_UNKNOWN_KID_WAITERS} callers already wait (the kid is then unknown). Rejects
   * with {@link UpstreamUnavailableError} when the fetch failed, or while a failed endpoint waits
   * for its retry: then the kid could not be checked.
   */
  async refetchForUnknownKid(signal?: AbortSignal): Promise<KeySet | undefined> {
    if (this.isStatic) return undefined
    const now = Date.now()
    let run: Promise<KeySet> | undefined = this.inflight
    if (run === undefined) {
      if (this.waitingToRetry(now)) {
        this.reportRateLimited()
        throw this.unavailable()
      }
      const due = this.kidRefetchAt + this.options.cooldown
      if (now >= due && this.scheduled === undefined) {
        run = this.startKidRefetch()
      } else {
        if (this.scheduled !== undefined && this.scheduled.waiters >= MAX_UNKNOWN_KID_WAITERS) {
          this.reportRateLimited()
          return undefined
        }
        this.reportRateLimited()
        const scheduled = this.schedule(due)
        scheduled.waiters++
        try {
          return await waitFor(scheduled.promise, signal)
        } catch (err) {
          if (signal?.aborted === true && err === signal.reason) throw err
          throw this.unavailable(err)
        } finally {
          scheduled.waiters--
        }
      }
    }
    try {
      return await waitFor(run, signal)
    } catch (err) {
      if (signal?.aborted === true && err === signal.reason) throw err
      throw this.unavailable(err)
    }
  }

  /**
   * Fetches now, ignoring freshness, retry delay and rate limit (an in-flight fetch is joined).
   * Rejects with {@link UpstreamUnavailableError} when it fails; the previous keys stay in use as usual.
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
      nextRetryAt: this.lastFailure === undefined ? undefined : this.retryAt,
      pinned: this.options.pin !== undefined,
    }
  }

  /** Forgets every key and cancels a scheduled refetch (its waiters get a 503). */
  clear(): void {
    if (this.isStatic) return
    this.keySet = undefined
    this.fetchedAt = undefined
    this.freshUntil = Number.NEGATIVE_INFINITY
    this.staleUntil = Number.NEGATIVE_INFINITY
    this.interned.clear()
    const scheduled = this.scheduled
    this.scheduled = undefined
    scheduled?.cancel()
  }

  private waitingToRetry(now: number): boolean {
    return this.lastFailure !== undefined && now < this.retryAt
  }

  private reportRateLimited(): void {
    const hook = this.options.hooks?.onJwksRefresh
    if (hook === undefined) return
    emit(hook, {
      url: this.uri ?? this.options.uri ?? '',
      cause: 'unknown_kid',
      outcome: 'cooldown',
      keyCount: this.keySet?.members.size,
      durationMs: 0,
    })
  }

  /**
   * Starts (or joins) a fetch for an unknown `kid`. The rate limit runs from the end of that fetch,
   * so a slow endpoint is asked less often, not more.
   */
  private startKidRefetch(): Promise<KeySet> {
    this.kidRefetchAt = Date.now()
    const run = this.startRefresh('unknown_kid')
    const mark = (): void => {
      this.kidRefetchAt = Date.now()
    }
    run.then(mark, mark)
    return run
  }

  /** The one refetch that runs when the unknown-`kid` rate limit allows it again (at `due`). */
  private schedule(due: number): ScheduledRefetch {
    if (this.scheduled !== undefined) return this.scheduled
    let fire!: (cancelled: boolean) => void
    const promise = new Promise<boolean>((resolve) => {
      fire = resolve
    }).then((cancelled) => {
      if (this.scheduled === scheduled) this.scheduled = undefined
      if (cancelled) throw new KeySetFetchError('verifier closed')
      return this.startKidRefetch()
    })
    // Waiters attach their own handlers; this one only keeps an unobserved rejection quiet.
    promise.catch(() => undefined)
    const timer = setTimeout(() => fire(false), Math.max(0, due - Date.now()))
    timer.unref?.()
    const scheduled: ScheduledRefetch = {
      promise,
      waiters: 0,
      cancel: () => {
        clearTimeout(timer)
        fire(true)
      },
    }
    this.scheduled = scheduled
    return scheduled
  }

  private unavailable(cause?: unknown): UpstreamUnavailableError {
    const failure = cause instanceof KeySetFetchError ? cause : this.lastFailure
    const wait = Math.ceil((this.retryAt - Date.now()) / 1000)
    return new UpstreamUnavailableError({
      description: 'signing keys are temporarily unavailable',
      reason: 'jwks_unavailable',
      realm: this.options.realm,
      cause: failure,
      retryAfter: failure?.retryAfter ?? (wait > 0 ? String(wait) : '1'),
      debug: { jwksUri: this.uri ?? this.options.uri, failure: failure?.message },
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
      this.failures = 0
      this.retryAt = Number.NEGATIVE_INFINITY
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
      this.failures++
      this.retryAt = this.lastAttemptAt + retryDelay(this.options, this.failures)
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
    try {
      return await this.fetchDocument(pin.url, 'admin', JWKS_HEADERS, pin.auth)
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

  /**
   * One GET through the upstream client; any non-200 status, transport failure or non-JSON body is
   * a {@link KeySetFetchError} (whose message holds no upstream text).
   */
  private async fetchDocument(
    url: string,
    kind: 'jwks' | 'admin',
    headers: Record<string, string>,
    credentials?: AdminAuthProvider,
  ): Promise<unknown> {
    let res
    try {
      res = await (this.options.upstream as UpstreamClient).send({
        kind,
        method: 'GET',
        url,
        headers,
        credentials,
        timeoutMs: this.options.timeout,
        maxResponseBytes: MAX_JWKS_BYTES,
        accept: (status) => status === 200,
      })
    } catch (err) {
      if (!(err instanceof UpstreamError)) throw new KeySetFetchError('request failed', { cause: err })
      if (err.kind === 'credentials') {
        throw new KeySetFetchError('admin API authentication failed', { cause: err.cause })
      }
      if (err.kind === 'status') {
        throw new KeySetFetchError(`HTTP ${err.upstreamStatus}`, {
          status: err.upstreamStatus,
          retryAfter: err.retryAfter,
        })
      }
      const what =
        err.failure === 'timeout'
          ? `timed out after ${this.options.timeout} ms`
          : err.failure === 'too_large'
            ? `response larger than ${MAX_JWKS_BYTES} bytes`
            : err.failure === 'aborted'
              ? 'request aborted'
              : 'connection failed'
      throw new KeySetFetchError(what, { cause: err.cause })
    }
    const body = parseJsonSafe(res.body)
    if (body === undefined) throw new KeySetFetchError('response is not JSON')
    return body
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

/** A refetch waiting for the unknown-`kid` rate limit, shared by every request that waits for it. */
interface ScheduledRefetch {
  /** Resolves to the fetched keys; rejects when the fetch fails or the cache was cleared first. */
  promise: Promise<KeySet>
  /** Requests waiting for it now. */
  waiters: number
  cancel(): void
}

/** Delay before the attempt that follows the `failures`-th consecutive failure: doubling, capped. */
export function retryDelay(
  options: Pick<JwksCacheOptions, 'retryDelay' | 'maxRetryDelay'>,
  failures: number,
): number {
  const exponent = Math.min(Math.max(failures - 1, 0), 30)
  return Math.min(options.retryDelay * 2 ** exponent, options.maxRetryDelay)
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
