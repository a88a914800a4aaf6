import { DiscoveryError } from './discovery-error.js'
import { parseIssuerMetadata, type IssuerMetadata } from './metadata.js'
import { parseIssuer, wellKnownUrl, type DiscoveryDocument } from './well-known.js'

/** An HTTP answer as {@link DiscoveryFetch} returns it. */
export interface DiscoveryResponse {
  /** HTTP status code. */
  status: number
  /** The body as text (UTF-8). May be cut short once it is longer than `maxBytes`. */
  body: string
}

/**
 * The HTTP GET discovery uses, supplied by the caller (so that it goes through the caller's own
 * upstream client: dispatcher, proxy, TLS settings, events). It should send `accept:
 * application/json`, stop reading once more than `maxBytes` bytes arrived (returning what it has or
 * throwing), give up after `timeoutMs` or when `signal` aborts, and resolve with any HTTP status.
 * Any rejection counts as a failed request (`fetch_failed`), except a {@link DiscoveryError}, which
 * is passed on as it is.
 *
 * `check` judges an answer the way the resolver will (it throws a `DiscoveryError` for a 200 whose
 * document is unusable). A fetch that reports its requests (to hooks, metrics, logs) calls it
 * before reporting and lets its throw reject, so that the report says the request failed; calling
 * it is optional, the resolver checks every answer itself anyway.
 *
 * The resolver stops waiting after `timeoutMs` even if the function ignores it; it aborts `signal`
 * one second later, so a fetch that honours `timeoutMs` reports its own timeout first.
 */
export type DiscoveryFetch = (
  url: string,
  init: {
    signal: AbortSignal
    maxBytes: number
    timeoutMs: number
    check: (res: DiscoveryResponse) => void
  },
) => Promise<DiscoveryResponse>

/** Options of {@link createIssuerMetadataResolver}. */
export interface IssuerMetadataResolverOptions {
  /**
   * The issuer identifier, exactly as the server spells it (an absolute `http(s)` URL without query
   * or fragment). Required. The discovered document's `issuer` must equal it (see
   * {@link tolerateIssuerTrailingSlash}).
   */
  issuer: string
  /** The HTTP GET to use. Required. See {@link DiscoveryFetch}. */
  fetch: DiscoveryFetch
  /**
   * Also accept a document whose `issuer` differs from {@link issuer} only by one trailing slash.
   * Default `false`: exact match, so `https://as.example` and `https://as.example/` are different
   * issuers (Hydra v1 always ends its issuer with `/`; v2+ uses `urls.self.issuer` verbatim).
   */
  tolerateIssuerTrailingSlash?: boolean | undefined
  /**
   * Which documents to try, in order. A 404 or 410 moves on to the next one; any other failure
   * stops the resolution. Default `['openid-configuration', 'oauth-authorization-server']`
   * (Hydra, Keycloak, Auth0 and oidc-provider all publish the OpenID one).
   */
  documents?: readonly DiscoveryDocument[] | undefined
  /** Size cap of a discovery document, in bytes. Default `65536` (64 KiB). */
  maxResponseBytes?: number | undefined
  /** Deadline of each discovery request, in milliseconds. Default `5000`. */
  timeoutMs?: number | undefined
  /**
   * How long resolved metadata is used before it is fetched again, in milliseconds. Default
   * `3600000` (1 hour). The call that finds it expired waits for the refetch.
   */
  cacheMaxAgeMs?: number | undefined
  /**
   * After a failed resolution, how long calls get the same failure (or the stale metadata, see
   * {@link maxStaleMs}) before the next attempt, in milliseconds. Default `5000`.
   */
  retryAfterMs?: number | undefined
  /**
   * Stale-if-error: how long after {@link cacheMaxAgeMs} ran out the last good metadata is still
   * returned while refetching fails, in milliseconds. `0` disables. Default `86400000` (24 hours).
   */
  maxStaleMs?: number | undefined
  /** Clock in milliseconds since the epoch. Default `Date.now`. */
  now?: (() => number) | undefined
}

/** Resolves and caches one issuer's metadata. */
export interface IssuerMetadataResolver {
  /** The configured issuer. */
  readonly issuer: string
  /**
   * The issuer's metadata: from the cache while it is fresh, otherwise fetched (one request at a
   * time: concurrent callers share it). Rejects with a {@link DiscoveryError}.
   */
  resolve(): Promise<IssuerMetadata>
  /** Fetches the metadata now, ignoring the cache and the retry delay (concurrent calls share one fetch). */
  refresh(): Promise<IssuerMetadata>
  /** How many discovery requests were sent so far. */
  readonly fetches: number
}

const DEFAULT_DOCUMENTS: readonly DiscoveryDocument[] = ['openid-configuration', 'oauth-authorization-server']

/** How long after its deadline a discovery request is aborted, in milliseconds. */
const ABORT_GRACE_MS = 1000

/**
 * Creates a resolver for an issuer's RFC 8414 / OpenID Connect Discovery metadata. Validates the
 * options at once and throws a TypeError naming a bad one; sends nothing until the first call.
 */
export function createIssuerMetadataResolver(options: IssuerMetadataResolverOptions): IssuerMetadataResolver {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object')
  const issuerUrl = parseIssuer(options.issuer, 'issuer')
  const issuer = options.issuer
  if (typeof options.fetch !== 'function') throw new TypeError('fetch must be a function')
  const fetchDoc = options.fetch
  const tolerate = flag(options.tolerateIssuerTrailingSlash, 'tolerateIssuerTrailingSlash')
  const documents = documentList(options.documents)
  const maxBytes = positive(options.maxResponseBytes, 65536, 'maxResponseBytes')
  const timeoutMs = positive(options.timeoutMs, 5000, 'timeoutMs')
  const maxAgeMs = positive(options.cacheMaxAgeMs, 3_600_000, 'cacheMaxAgeMs')
  const retryAfterMs = nonNegative(options.retryAfterMs, 5000, 'retryAfterMs')
  const maxStaleMs = nonNegative(options.maxStaleMs, 86_400_000, 'maxStaleMs')
  if (options.now !== undefined && typeof options.now !== 'function')
    throw new TypeError('now must be a function')
  const now = options.now ?? Date.now

  let metadata: IssuerMetadata | undefined
  let expiresAt = 0
  let failure: { error: DiscoveryError; until: number } | undefined
  let inflight: Promise<IssuerMetadata> | undefined
  let fetches = 0

  const parse = (res: DiscoveryResponse, url: string, document: DiscoveryDocument): IssuerMetadata =>
    parseIssuerMetadata(res.body, { issuer, tolerateIssuerTrailingSlash: tolerate, maxBytes, url, document })

  /** One request; a 200 comes back with its document parsed (the fetch may have parsed it already). */
  const fetchOne = async (
    url: string,
    document: DiscoveryDocument,
  ): Promise<{ res: DiscoveryResponse; metadata: IssuerMetadata | undefined }> => {
    fetches++
    const controller = new AbortController()
    let checked: { res: DiscoveryResponse; metadata: IssuerMetadata } | undefined
    const check = (res: DiscoveryResponse): void => {
      if (res.status === 200) checked = { res, metadata: parse(res, url, document) }
    }
    let timer: NodeJS.Timeout | undefined
    let backstop: NodeJS.Timeout | undefined
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new DiscoveryError(
          'timeout',
          `discovery request to ${url} timed out after ${timeoutMs} ms`,
          {
            url,
          },
        )
        reject(err)
        // The fetch was told the deadline: give it a moment to report its own timeout first.
        backstop = setTimeout(() => controller.abort(err), ABORT_GRACE_MS)
        backstop.unref()
      }, timeoutMs)
      timer.unref()
    })
    // Through a promise, so that a fetch that throws synchronously is a failed request too.
    const request = Promise.resolve().then(() =>
      fetchDoc(url, { signal: controller.signal, maxBytes, timeoutMs, check }),
    )
    void request.then(
      () => clearTimeout(backstop),
      () => clearTimeout(backstop),
    )
    try {
      const res = await Promise.race([request, deadline])
      if (
        res === null ||
        typeof res !== 'object' ||
        typeof res.status !== 'number' ||
        typeof res.body !== 'string'
      ) {
        throw new TypeError('fetch must resolve to { status: number, body: string }')
      }
      if (res.status !== 200) return { res, metadata: undefined }
      return { res, metadata: checked?.res === res ? checked.metadata : parse(res, url, document) }
    } catch (err) {
      if (err instanceof DiscoveryError) throw err
      const why = err instanceof Error ? err.message : String(err)
      throw new DiscoveryError('fetch_failed', `discovery request to ${url} failed: ${why}`, {
        url,
        cause: err,
      })
    } finally {
      clearTimeout(timer)
    }
  }

  const load = async (): Promise<IssuerMetadata> => {
    const tried: string[] = []
    for (const document of documents) {
      const url = wellKnownUrl(issuerUrl, document)
      tried.push(url)
      const { res, metadata } = await fetchOne(url, document)
      if (res.status === 404 || res.status === 410) continue
      if (metadata === undefined) {
        throw new DiscoveryError('http_status', `discovery request to ${url} answered HTTP ${res.status}`, {
          url,
          status: res.status,
        })
      }
      return metadata
    }
    throw new DiscoveryError(
      'not_found',
      `no discovery document for issuer ${issuer} (tried ${tried.join(', ')})`,
      {
        url: tried[tried.length - 1] ?? issuer,
        status: 404,
      },
    )
  }

  const start = (): Promise<IssuerMetadata> => {
    inflight ??= load().then(
      (m) => {
        metadata = m
        expiresAt = now() + maxAgeMs
        failure = undefined
        inflight = undefined
        return m
      },
      (err: unknown) => {
        inflight = undefined
        const error =
          err instanceof DiscoveryError
            ? err
            : new DiscoveryError('fetch_failed', `discovery for issuer ${issuer} failed`, {
                url: issuer,
                cause: err,
              })
        failure = { error, until: now() + retryAfterMs }
        throw error
      },
    )
    return inflight
  }

  const staleOr = (error: DiscoveryError): IssuerMetadata => {
    if (metadata !== undefined && maxStaleMs > 0 && now() < expiresAt + maxStaleMs) return metadata
    throw error
  }

  return {
    issuer,
    get fetches() {
      return fetches
    },
    async resolve() {
      const t = now()
      if (metadata !== undefined && t < expiresAt) return metadata
      if (failure !== undefined && t < failure.until) return staleOr(failure.error)
      try {
        return await start()
      } catch (err) {
        return staleOr(err as DiscoveryError)
      }
    },
    refresh: () => start(),
  }
}

function flag(value: unknown, path: string): boolean {
  if (value === undefined) return false
  if (typeof value !== 'boolean') throw new TypeError(`${path} must be a boolean`)
  return value
}

function positive(value: unknown, fallback: number, path: string): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`${path} must be a positive number, got ${JSON.stringify(value) ?? typeof value}`)
  }
  return value
}

function nonNegative(value: unknown, fallback: number, path: string): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`${path} must be a number >= 0, got ${JSON.stringify(value) ?? typeof value}`)
  }
  return value
}

function documentList(value: unknown): readonly DiscoveryDocument[] {
  if (value === undefined) return DEFAULT_DOCUMENTS
  if (!Array.isArray(value) || value.length === 0) throw new TypeError('documents must be a non-empty array')
  value.forEach((d, i) => {
    if (d !== 'openid-configuration' && d !== 'oauth-authorization-server') {
      throw new TypeError(
        `documents[${i}] must be 'openid-configuration' or 'oauth-authorization-server', got ${JSON.stringify(d)}`,
      )
    }
  })
  return value as DiscoveryDocument[]
}
