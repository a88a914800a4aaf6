import type { Dispatcher } from 'undici'
import type { InvalidationResult } from '../cache/invalidation.js'
import type { IssuerMetadataResolver } from '../discovery/resolver.js'
import { createMemoryCacheStore } from '../cache/memory-store.js'
import type { CacheStore } from '../cache/store.js'
import { createWarningHooks, resolveWarnings, type WarningOptions } from '../diagnostics/warnings.js'
import type { HydrakitHooks } from '../hooks.js'
import { combineHooks } from '../combine-hooks.js'
import {
  bool,
  dispatcherOption,
  finite,
  hooksObject,
  httpUrl,
  integer,
  isObject,
  nonEmptyString,
  oneOf,
  readOptions,
  rejectUnknownOptions,
  audienceOption,
} from '../options/validate.js'
import type { AdminAuth } from '../upstream/admin-auth.js'
import type { BulkheadLimits } from '../upstream/bulkhead.js'
import type { AuthInfo } from '../auth-info.js'
import type { TokenVerifier, VerifyCallOptions } from '../verifier.js'
import type { IntrospectionPolicy } from './introspection-answer.js'

// Options of the introspection verifier (createIntrospectionVerifier in introspection.ts) and
// their validation.

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
   * `{adminUrl}/oauth2/introspect` for `'v1'`. Without `adminUrl` and `introspectionUrl`, the
   * endpoint is the `introspection_endpoint` of the {@link issuer}'s discovery metadata (servers
   * other than Hydra: Hydra's public discovery does not list its admin endpoint).
   */
  adminUrl?: string | undefined
  /**
   * Hydra admin API generation: `'v2'` (Hydra v2.x, v25+, Ory Network: `/admin/...` paths) or `'v1'`
   * (Hydra v1.x: no `/admin` prefix). Default `'v2'`.
   */
  apiVersion?: 'v2' | 'v1' | undefined
  /** Full URL of the introspection endpoint, pinned. Overrides `adminUrl` and `apiVersion` when set. */
  introspectionUrl?: string | undefined
  /**
   * How `introspection_endpoint` is found when neither `adminUrl` nor `introspectionUrl` is set
   * (then {@link issuer} is required). Default: a resolver of this verifier's own
   * (`createIssuerMetadataResolver` of `@hydrakit/core/authorization-server`, with this verifier's
   * dispatcher, `timeoutMs` and `tolerateIssuerTrailingSlash`), fetched on the first call, cached
   * and shared by concurrent calls. Pass a resolver to share one (its `issuer` must be
   * {@link issuer}); `false` turns discovery off (then `adminUrl` or `introspectionUrl` is
   * required). A discovery outage, a document naming another issuer or one without
   * `introspection_endpoint` fails the call with 503; the `debug` of the error says why.
   */
  discovery?: IssuerMetadataResolver | false | undefined
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
   * matching `aud` is refused (401, reason `audience`). Required: Hydra puts every audience a client
   * asked for into `aud`, so without this check a token minted for another API is accepted. `false`
   * accepts any audience, on purpose.
   */
  audience: string | readonly string[] | false
  /**
   * Expected `iss`, compared as an exact string (Hydra v1.x always appends a slash, v2+ uses
   * `urls.self.issuer` verbatim; see {@link tolerateIssuerTrailingSlash}). A missing or different
   * `iss` is refused (401, reason `issuer`). Default: not checked. With neither `adminUrl` nor
   * `introspectionUrl`, the endpoint is discovered from this issuer's metadata.
   */
  issuer?: string | undefined
  /**
   * Also accept an `iss` that differs from {@link issuer} only by one trailing slash
   * (`https://auth.example` ⇔ `https://auth.example/`), the same rule as the JWT verifier's option
   * of that name. Default `false` (exact match only).
   */
  tolerateIssuerTrailingSlash?: boolean | undefined
  /**
   * Seconds of clock skew allowed when checking `exp` of a fresh introspection answer, and `nbf` and
   * `iat` (refused when further in the future) of every answer. A cached answer is never used past
   * `exp`. Default `5`.
   */
  clockTolerance?: number | undefined
  /**
   * What to do when an active answer has no `token_use`. Hydra always sends it (`access_token` or
   * `refresh_token`); other RFC 7662 servers do not. `false` refuses such answers (401, reason
   * `token_use`). `true` lets the rest of the answer decide: `token_type` (`Bearer`, `DPoP`, ...:
   * oidc-provider, Doorkeeper), Keycloak's `typ` (`Bearer`), or else the presence of an `aud`
   * mark an access token; an answer that marks a refresh token (`token_type: refresh_token`,
   * `typ: Refresh`) or marks nothing at all is still refused. Default: `false` when the endpoint
   * comes from `adminUrl` (Hydra's admin API, which always sends `token_use`), `true` when it is
   * `introspectionUrl` or discovered.
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
   * Most introspection calls this verifier has in flight toward the endpoint at once (the
   * bulkhead). Lookups of one token share one call and take one slot; cache hits take none. When
   * every slot is busy, further calls wait in a queue (`maxQueuedCalls`, `queueTimeoutMs`). Bounds
   * the load a flood of distinct random tokens can put on Hydra. Integer >= 1. Default `32`.
   */
  maxConcurrentCalls?: number | undefined
  /**
   * Most introspection calls waiting for a free slot. A call that finds the queue full is refused
   * at once: the request is answered 503 `temporarily_unavailable` with `Retry-After: 1`, and Hydra
   * is not called. `0` refuses whenever every slot is busy. Integer >= 0. Default `128`.
   */
  maxQueuedCalls?: number | undefined
  /**
   * Longest wait for a free slot, in milliseconds; a call still waiting then is refused with 503
   * and `Retry-After: 1` without calling Hydra. Integer >= 1. Default `1000`.
   */
  queueTimeoutMs?: number | undefined
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
   * `'token'` for client-credentials), `onBulkhead` (every request for a call slot). Default none.
   */
  hooks?: HydrakitHooks | undefined
  /**
   * Misconfiguration warnings: the first failed introspection call per URL (connection, 404 from
   * the public port, 401 from the admin API), then at most one per `intervalMs`, each with a hint.
   * `false` turns them off; an object routes them to a logger. Default: on, through
   * `process.emitWarning`. Clients never see them.
   */
  warnings?: WarningOptions | boolean | undefined
}

/** A {@link TokenVerifier} backed by RFC 7662 token introspection. */
export interface IntrospectionVerifier extends TokenVerifier {
  readonly realm: string
  /**
   * The endpoint every call goes to: the configured one, or the discovered one once discovery ran
   * (`undefined` before).
   */
  readonly introspectionUrl: string | undefined
  /**
   * Introspects `token` (or reuses a cached answer) and returns its profile, `source:
   * 'introspection'`. Throws {@link InvalidTokenError} (401) for an inactive, expired, foreign or
   * non-access token and {@link UpstreamUnavailableError} (503) when the endpoint cannot answer.
   */
  verify(token: string, options?: VerifyCallOptions): Promise<AuthInfo>
  /**
   * Settles a cached, unexpired active answer synchronously when the cache store can be read
   * without I/O (the default memory store: `getSync`); `undefined` means "call {@link verify}"
   * (no such store, a miss, a negative or expired entry). Reports to the hooks as `verify` does.
   */
  verifyNow(token: string): AuthInfo | undefined
  /**
   * Drops every cached answer for `token` and keeps it marked inactive for `cache.revokedTtlMs`: in
   * this process at once, in the shared tier (Redis), and in every other instance's per-process tier
   * through the store's invalidation channel. Call it after revoking the token at Hydra (Hydra stays
   * the authority; this only stops caches from accepting it meanwhile). Resolves with what was
   * reached; never rejects because Redis is down. A no-op without a cache.
   */
  revoke(token: string): Promise<InvalidationResult>
  /**
   * Readiness probe for startup or a readiness endpoint: introspects a random, made-up token once
   * and resolves when the endpoint answers that it is not active. Rejects with a
   * `VerifierNotReadyError` naming the URL, the cause and the likely fix (a 404 from Hydra's public
   * port, a 401 for missing admin credentials).
   */
  check(): Promise<void>
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

const DEFAULT_PREFIX = 'hydrakit:introspection:'
const FORBIDDEN_HEADERS = new Set([
  'content-type',
  'content-length',
  'host',
  'transfer-encoding',
  'connection',
])

/** Validated {@link IntrospectionVerifierOptions}. */
export interface ResolvedIntrospectionOptions extends IntrospectionPolicy {
  /** The full introspection endpoint URL; `undefined` when it is discovered. */
  url: string | undefined
  /** The resolver that finds the endpoint (`true`: build one); `false` when `url` is set. */
  discovery: IssuerMetadataResolver | boolean
  timeoutMs: number
  maxResponseBytes: number
  /** Limits of the concurrency bulkhead toward the endpoint. */
  bulkhead: BulkheadLimits
  /** The `scope` form parameter sent with every request, if any. */
  scope: string | undefined
  /** Only set when it holds a hook this verifier emits. */
  hooks: HydrakitHooks | undefined
  dispatcher: Dispatcher | undefined
  /** Headers of every request (content type, accept and the `headers` option). */
  baseHeaders: Record<string, string>
  cache: ResolvedCache | undefined
  keyPrefix: string
  /** A client-credentials token is fetched again once after a 401. */
  retryOn401: boolean
}

/** Every option {@link IntrospectionVerifierOptions} has; anything else is refused at construction. */
export const INTROSPECTION_OPTION_NAMES: ReadonlySet<string> = new Set<keyof IntrospectionVerifierOptions>([
  'adminUrl',
  'apiVersion',
  'introspectionUrl',
  'auth',
  'headers',
  'scope',
  'audience',
  'issuer',
  'clockTolerance',
  'allowMissingTokenUse',
  'timeoutMs',
  'maxResponseBytes',
  'dispatcher',
  'cache',
  'realm',
  'hooks',
  'warnings',
  'maxConcurrentCalls',
  'maxQueuedCalls',
  'queueTimeoutMs',
  'tolerateIssuerTrailingSlash',
  'discovery',
])

// Names other libraries use for options this verifier has under another name.
const INTROSPECTION_OPTION_HINTS: Readonly<Record<string, string>> = {
  introspectionEndpoint: 'did you mean `introspectionUrl` (or `adminUrl`)?',
  adminAuth: 'the introspection verifier calls it `auth`',
  issuerBaseURL: 'hydrakit calls it `issuer`',
  aud: 'did you mean `audience`?',
  timeout: 'did you mean `timeoutMs`?',
  clientId: "did you mean `auth: { type: 'client_credentials', ... }`?",
}

/** Validates every option of {@link IntrospectionVerifierOptions}; a TypeError names the bad one. */
export function resolveIntrospectionOptions(
  options: IntrospectionVerifierOptions,
): ResolvedIntrospectionOptions {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('options must be an object')
  }
  rejectUnknownOptions(
    options as unknown as Record<string, unknown>,
    INTROSPECTION_OPTION_NAMES,
    '',
    INTROSPECTION_OPTION_HINTS,
  )
  const url = resolveUrl(options)
  const o = readOptions(options as unknown as Record<string, unknown>, '', {
    realm: (v, p) => nonEmptyString(v, 'api', p),
    timeoutMs: (v, p) => integer(v, 5000, 1, p),
    maxResponseBytes: (v, p) => integer(v, 65536, 1, p),
    maxConcurrentCalls: (v, p) => integer(v, 32, 1, p),
    maxQueuedCalls: (v, p) => integer(v, 128, 0, p),
    queueTimeoutMs: (v, p) => integer(v, 1000, 1, p),
    clockTolerance: (v, p) => finite(v, 5, 0, p),
    // Strict with Hydra's admin API (which always sends token_use), lenient elsewhere.
    allowMissingTokenUse: (v, p) =>
      bool(v, options.adminUrl === undefined || options.introspectionUrl !== undefined, p),
    tolerateIssuerTrailingSlash: (v, p) => bool(v, false, p),
    scope: (v) => scopeParam(v),
    audience: (v, p) => audienceOption(v, p),
    issuer: (v, p) => nonEmptyString(v, undefined, p),
    hooks: (v, p) => hooksObject<HydrakitHooks>(v, p),
    warnings: (v, p) => resolveWarnings(v, p),
    dispatcher: (v, p) => dispatcherOption<Dispatcher>(v, p),
  })
  const baseHeaders = buildHeaders(options.headers, options.auth)
  const cache = resolveCache(options.cache)
  const h = combineHooks(o.hooks, createWarningHooks(o.warnings))
  let discovery: IssuerMetadataResolver | boolean = false
  if (url === undefined) {
    if (o.issuer === undefined) {
      throw new TypeError('adminUrl must be set (or introspectionUrl, or issuer to discover the endpoint)')
    }
    discovery = discoveryOption(options.discovery, o.issuer)
    if (discovery === false) {
      throw new TypeError('adminUrl or introspectionUrl must be set when discovery is false')
    }
  }
  return {
    url,
    discovery,
    realm: o.realm,
    timeoutMs: o.timeoutMs,
    maxResponseBytes: o.maxResponseBytes,
    bulkhead: {
      maxConcurrent: o.maxConcurrentCalls,
      maxQueued: o.maxQueuedCalls,
      queueTimeoutMs: o.queueTimeoutMs,
    },
    clockTolerance: o.clockTolerance,
    allowMissingTokenUse: o.allowMissingTokenUse,
    scope: o.scope,
    audiences: o.audience,
    issuer: o.issuer,
    tolerateIssuerTrailingSlash: o.tolerateIssuerTrailingSlash,
    // Only keep what this verifier emits, so an all-undefined hooks object costs nothing.
    hooks: h.onVerify || h.onCache || h.onUpstream || h.onBulkhead ? h : undefined,
    dispatcher: o.dispatcher,
    baseHeaders,
    cache,
    keyPrefix: cache?.keyPrefix ?? DEFAULT_PREFIX,
    retryOn401: options.auth?.type === 'client_credentials',
  }
}

function resolveUrl(options: IntrospectionVerifierOptions): string | undefined {
  const version = oneOf(options.apiVersion, ['v2', 'v1'], 'v2', 'apiVersion')
  if (options.introspectionUrl !== undefined) {
    return httpUrl(options.introspectionUrl, 'introspectionUrl', { noCredentials: true }).href
  }
  if (options.adminUrl === undefined) return undefined
  const base = httpUrl(options.adminUrl, 'adminUrl', { noCredentials: true, noQuery: true })
  const path = base.pathname.replace(/\/+$/, '')
  return `${base.origin}${path}${version === 'v2' ? '/admin/oauth2/introspect' : '/oauth2/introspect'}`
}

function discoveryOption(value: unknown, issuer: string): IssuerMetadataResolver | boolean {
  if (value === undefined) return true
  if (value === false) return false
  if (
    value === null ||
    typeof value !== 'object' ||
    typeof (value as IssuerMetadataResolver).resolve !== 'function'
  ) {
    throw new TypeError(
      'discovery must be false or an issuer metadata resolver (createIssuerMetadataResolver)',
    )
  }
  const resolver = value as IssuerMetadataResolver
  if (resolver.issuer !== issuer) {
    throw new TypeError(
      `discovery resolves the metadata of ${JSON.stringify(resolver.issuer)}, not of issuer ${JSON.stringify(issuer)}`,
    )
  }
  return resolver
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

/** Validated {@link IntrospectionCacheOptions}. */
export interface ResolvedCache {
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
    if (s.getSync !== undefined && typeof s.getSync !== 'function') {
      throw new TypeError('cache.store.getSync must be a function when present')
    }
    store = c.store
  } else {
    store = createMemoryCacheStore({ maxEntries: c.maxEntries }, 'cache')
  }
  return { store, ttlMs, negativeTtlMs, keyPrefix, revokedTtlMs }
}
