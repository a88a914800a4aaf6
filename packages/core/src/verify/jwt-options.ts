import type { Dispatcher } from 'undici'
import type { AuthInfo } from '../auth-info.js'
import { DEFAULT_JWT_RESULT_CACHE_ENTRIES, type JwtCacheAdmission } from '../cache/jwt-result-cache.js'
import { createWarningHooks, resolveWarnings, type WarningOptions } from '../diagnostics/warnings.js'
import type { HydrakitHooks } from '../hooks.js'
import { combineHooks } from '../combine-hooks.js'
import {
  DEFAULT_JWT_ALGORITHMS,
  isJwtAlgorithm,
  SUPPORTED_JWT_ALGORITHMS,
  type JwtAlgorithm,
} from '../jwks/algorithms.js'
import type { IssuerMetadataResolver } from '../discovery/resolver.js'
import type { JwksStatus, KeySetPin } from '../jwks/jwks-cache.js'
import {
  bool,
  dispatcherOption,
  finite,
  hooksObject,
  httpUrl,
  integer,
  nonEmptyString,
  oneOf,
  readOptions,
  rejectUnknownOptions,
  audienceOption,
  show,
  stringList,
} from '../options/validate.js'
import { createAdminAuthProvider, type AdminAuth, type AdminAuthContext } from '../upstream/admin-auth.js'
import type { TokenVerifier, VerifyCallOptions } from '../verifier.js'
import { normalizeTyp, type JwtPolicy } from './jwt-checks.js'

// Options of the JWT verifier (createJwtVerifier in jwt.ts) and their validation.

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
  /**
   * When a verified token is remembered. `'repeat'` (default): the second time it is verified
   * while it could still be in the cache (a doorkeeper of two bytes per entry remembers the last
   * `maxEntries` new tokens), so a stream of tokens that never repeat costs no
   * cache insertion, eviction or garbage, and a reused token pays one extra verification before
   * its hits start. `'always'`: the first time.
   */
  admission?: 'repeat' | 'always' | undefined
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
   * (any-of). A missing or different `aud` is refused (reason `audience`). Required: Hydra puts
   * every audience a client asked for into `aud`, so without this check an access token minted for
   * another API of the same issuer is accepted. `false` accepts any audience, on purpose.
   */
  audience: string | readonly string[] | false
  /**
   * Accepted JWS algorithms, checked from the token header before any key lookup or fetch. Only
   * asymmetric algorithms: `RS256/384/512`, `PS256/384/512`, `ES256/384/512`, `EdDSA`, `Ed25519`;
   * `HS*` and `none` throw a TypeError. Default `['RS256', 'ES256']`.
   */
  algorithms?: readonly JwtAlgorithm[] | undefined
  /**
   * URL of the JWKS, pinned. Default: discovered — the `jwks_uri` of the issuer's metadata
   * (`{issuer}/.well-known/openid-configuration`, then RFC 8414's
   * `/.well-known/oauth-authorization-server`), fetched once and cached (see {@link discovery}).
   * When the issuer publishes no metadata at all (both answer 404), Hydra's location
   * `{issuer without trailing slash}/.well-known/jwks.json` is used. Not allowed together with
   * {@link jwks}. The upstream's `Cache-Control` is ignored: keys live for {@link cacheMaxAgeMs}.
   */
  jwksUri?: string | undefined
  /**
   * How `jwks_uri` is found when neither {@link jwksUri} nor {@link jwks} is set. Default: a
   * resolver of this verifier's own (`createIssuerMetadataResolver` of
   * `@hydrakit/core/authorization-server`, with this verifier's dispatcher, `timeoutMs`,
   * `tolerateIssuerTrailingSlash`, and `cooldownMs` as its retry delay). Pass a resolver to share
   * one between verifiers or to tune it (its `issuer` must be this verifier's `issuer`); `false`
   * skips discovery and uses Hydra's `{issuer}/.well-known/jwks.json`. A discovery document naming
   * another issuer, or a discovery outage, fails verification with 503 (`jwks_unavailable`; the
   * operator-facing reason is in `jwksStatus().lastFailure` and the error's `debug`), and is
   * retried after `cooldownMs`.
   */
  discovery?: IssuerMetadataResolver | false | undefined
  /**
   * A local JSON Web Key Set (`{ keys: [...] }`) used instead of fetching one: no network, never
   * expires, an unknown `kid` is refused at once. Not allowed with `jwksUri` or `accessTokenKeySet`.
   * Default: none (keys are fetched from `jwksUri`).
   */
  jwks?: { keys: readonly unknown[] } | undefined
  /**
   * How long fetched keys are used before the JWKS is fetched again, in milliseconds. Default
   * `600000` (10 minutes). The request that finds the keys expired waits for the refetch. This is
   * also how long a key removed from the JWKS can stay trusted (longer only while the endpoint fails,
   * see {@link maxStaleMs}); `refreshKeys()` ends it at once.
   */
  cacheMaxAgeMs?: number | undefined
  /**
   * Minimum time between two JWKS refetches caused by unknown `kid`s, in milliseconds. A token
   * whose `kid` is not in the cached keys triggers a refetch at once when none ran within this
   * time; otherwise it waits (at most this long) for the next refetch, which every waiting request
   * shares. So a key published just before use (a rotation) is never refused, and a flood of random
   * `kid`s costs at most one fetch per `cooldownMs`. Default `5000` (5 seconds).
   */
  cooldownMs?: number | undefined
  /**
   * After a failed JWKS fetch, the delay before the next attempt, in milliseconds; it doubles with
   * each consecutive failure up to {@link maxRetryDelayMs}. Meanwhile calls without usable keys fail
   * fast with 503 and `Retry-After`. Default `250`.
   */
  retryDelayMs?: number | undefined
  /**
   * Largest delay between two attempts while the JWKS endpoint keeps failing, in milliseconds: once
   * it recovers, keys are fetched again by the first request after at most this long. Default `1000`.
   */
  maxRetryDelayMs?: number | undefined
  /**
   * Stale-if-error: how long after {@link cacheMaxAgeMs} ran out the last good keys are still used
   * while the JWKS endpoint fails, in milliseconds (retries then run in the background, spaced by
   * {@link retryDelayMs} … {@link maxRetryDelayMs}). Afterwards verification fails with 503
   * (`jwks_unavailable`). `0` disables. Default `3600000` (1 hour).
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
   * A token profile to enforce. `'rfc9068'`: the JWT profile for OAuth 2.0 access tokens (RFC 9068),
   * for servers that issue it (oidc-provider, Keycloak with the option on, Auth0, ...): the header
   * must say `typ: at+jwt` (or `application/at+jwt`), which no ID token carries, and the claims `iss`,
   * `exp`, `aud`, `sub`, `client_id`, `iat` and `jti` must be present (reasons `typ` and
   * `required_claim`; a missing `iat` is `too_old`). Not for Hydra, whose access tokens say `typ: JWT` like its ID tokens (pin
   * Hydra's access-token keys with {@link accessTokenKeySet} instead). Not combinable with
   * {@link typ}; adds to {@link requiredClaims}. Default: none (`typ` as configured, only `exp`
   * required).
   */
  profile?: 'rfc9068' | undefined
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
   * `onJwksRefresh` (every fetch, and `outcome: 'cooldown'` when a call had to wait for one), `onUpstream`
   * (kind `'jwks'` and `'admin'`). Default none; no event is built when no hook is set.
   */
  hooks?: HydrakitHooks | undefined
  /**
   * Misconfiguration warnings: the first failed JWKS (or admin) fetch per URL, then at most one per
   * `intervalMs`, and refusals that point at a configuration mistake (an `iss` that differs only by
   * a trailing slash, an opaque `ory_at_` token), each with a hint. `false` turns them off; an
   * object routes them to a logger. Default: on, through `process.emitWarning`. Clients never see
   * them.
   */
  warnings?: WarningOptions | boolean | undefined
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
  /**
   * The JWKS URL: the configured one, or the discovered one once discovery ran; `undefined` with a
   * static `jwks` and before the first discovery.
   */
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
   * Fetches the JWKS (and the pinned admin key set) now, ignoring freshness, rate limit and retry delay; joins a
   * fetch in flight. Resolves to the new status; rejects with {@link UpstreamUnavailableError} when
   * the fetch fails (the previous keys stay in use). A no-op for a static `jwks`.
   */
  refreshKeys(): Promise<JwksStatus>
  /**
   * Readiness probe for startup or a readiness endpoint: fetches the JWKS once (ignoring the cache
   * and cooldown) and resolves when it holds a usable key. Rejects with a `VerifierNotReadyError`
   * that names the URL, the cause and the likely fix (`is the issuer right?` on a 404).
   */
  check(): Promise<void>
  /** What the verifier knows about its keys now (for health checks). */
  jwksStatus(): JwksStatus
  /** Number of verified tokens currently cached. */
  readonly resultCacheSize: number
  /** Forgets every cached verification result (keys stay cached). */
  clearResultCache(): void
  /** Drops caches and closes the verifier's own connection pool; later calls fail with 503. Idempotent. */
  close(): Promise<void>
}

const DEFAULT_TYP: readonly string[] = ['JWT', 'at+jwt']

/** Every option {@link JwtVerifierOptions} has; anything else is refused at construction. */
export const JWT_OPTION_NAMES: ReadonlySet<string> = new Set<keyof JwtVerifierOptions>([
  'issuer',
  'tolerateIssuerTrailingSlash',
  'audience',
  'algorithms',
  'jwksUri',
  'jwks',
  'cacheMaxAgeMs',
  'cooldownMs',
  'retryDelayMs',
  'maxRetryDelayMs',
  'maxStaleMs',
  'timeoutMs',
  'clockTolerance',
  'maxTokenAge',
  'requiredClaims',
  'typ',
  'allowedKids',
  'accessTokenKeySet',
  'maxKeysWithoutKid',
  'resultCache',
  'realm',
  'hooks',
  'dispatcher',
  'warnings',
  'profile',
  'discovery',
])

// Names other libraries use for options this verifier has under another name.
const JWT_OPTION_HINTS: Readonly<Record<string, string>> = {
  issuerBaseURL: 'hydrakit calls it `issuer`',
  tokenSigningAlg: 'did you mean `algorithms`?',
  jwksRequestsPerMinute: 'did you mean `cooldownMs`?',
  cacheMaxAge: 'did you mean `cacheMaxAgeMs`?',
  timeout: 'did you mean `timeoutMs`?',
  adminUrl: 'the JWT verifier fetches keys from the issuer; set `accessTokenKeySet.adminUrl` to pin keys',
  secret: 'only asymmetric algorithms are verified; keys come from `jwksUri` or `jwks`',
  aud: 'did you mean `audience`?',
  iss: 'did you mean `issuer`?',
}
/** Claims RFC 9068 §2.2 requires in every JWT access token. */
const RFC9068_CLAIMS: readonly string[] = ['iss', 'exp', 'aud', 'sub', 'client_id', 'iat', 'jti']
const DEFAULT_SET_NAME = 'hydra.jwt.access-token'

/** Validated {@link JwtVerifierOptions}: the claim policy plus the key source and caching settings. */
export interface ResolvedJwtOptions extends JwtPolicy {
  /** The pinned JWKS URL; `undefined` with a static `jwks` or with discovery. */
  jwksUri: string | undefined
  /** Discover `jwks_uri`: the resolver to use (`true`: build one). `false`: not discovered. */
  discovery: IssuerMetadataResolver | boolean
  /** Hydra's JWKS location, used when the issuer publishes no metadata. */
  fallbackJwksUri: string
  staticKeys: { keys: readonly unknown[] } | undefined
  algorithmList: JwtAlgorithm[]
  cacheMaxAgeMs: number
  cooldownMs: number
  retryDelayMs: number
  maxRetryDelayMs: number
  maxStaleMs: number
  timeoutMs: number
  hooks: HydrakitHooks
  /** The result cache's size and admission, or `false` (no result cache). */
  resultCache: { maxEntries: number; admission: JwtCacheAdmission } | false
  dispatcher: Dispatcher | undefined
  accessTokenKeySet: AccessTokenKeySetOptions | undefined
}

/** Validates every option of {@link JwtVerifierOptions}; a TypeError names the bad one. */
export function resolveJwtOptions(options: JwtVerifierOptions): ResolvedJwtOptions {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object')
  rejectUnknownOptions(options as unknown as Record<string, unknown>, JWT_OPTION_NAMES, '', JWT_OPTION_HINTS)
  const o = readOptions(options as unknown as Record<string, unknown>, '', {
    realm: (v, p) => nonEmptyString(v, 'api', p),
    issuer: (v, p) => requiredHttpUrl(v, p),
    tolerateIssuerTrailingSlash: (v, p) => bool(v, false, p),
    audience: (v, p) => audienceOption(v, p),
    algorithms: (v) => algorithmList(v),
    typ: (v) => typList(v),
    profile: (v, p) => (v === undefined ? undefined : oneOf(v, ['rfc9068'], 'rfc9068', p)),
    allowedKids: (v, p) => stringList(v, p),
    requiredClaims: (v, p) => stringList(v, p, true) ?? [],
    clockTolerance: (v, p) => finite(v, 5, 0, p),
    maxTokenAge: (v, p) => (v === undefined ? undefined : finite(v, 0, 1, p)),
    maxKeysWithoutKid: (v, p) => integer(v, 3, 0, p),
    cacheMaxAgeMs: (v, p) => integer(v, 600_000, 1, p),
    cooldownMs: (v, p) => integer(v, 5000, 1, p),
    retryDelayMs: (v, p) => integer(v, 250, 1, p),
    maxRetryDelayMs: (v, p) => integer(v, 1000, 1, p),
    maxStaleMs: (v, p) => integer(v, 3_600_000, 0, p),
    timeoutMs: (v, p) => integer(v, 5000, 1, p),
    hooks: (v, p) => hooksObject<HydrakitHooks>(v, p),
    warnings: (v, p) => resolveWarnings(v, p),
    resultCache: (v) => resultCacheOption(v),
  })

  if (o.maxRetryDelayMs < o.retryDelayMs) {
    throw new TypeError(
      `maxRetryDelayMs must be >= retryDelayMs (${o.retryDelayMs}), got ${o.maxRetryDelayMs}`,
    )
  }
  if (options.jwks !== undefined && options.jwksUri !== undefined) {
    throw new TypeError('jwks and jwksUri are mutually exclusive: pass one of them')
  }
  if (options.jwks !== undefined && options.accessTokenKeySet !== undefined) {
    throw new TypeError('accessTokenKeySet needs a remote JWKS: it cannot be combined with jwks')
  }
  if (options.jwks !== undefined && (options.jwks === null || typeof options.jwks !== 'object')) {
    throw new TypeError('jwks must be a JSON Web Key Set object ({ keys: [...] })')
  }
  const fallbackJwksUri = `${o.issuer.replace(/\/$/, '')}/.well-known/jwks.json`
  const discoveryValue = discoveryOption(options.discovery, o.issuer)
  const remote = options.jwks === undefined
  const discovery = remote && options.jwksUri === undefined && discoveryValue
  const jwksUri = !remote
    ? undefined
    : options.jwksUri !== undefined
      ? httpUrlString(options.jwksUri, 'jwksUri')
      : discovery === false
        ? fallbackJwksUri
        : undefined

  if (o.profile === 'rfc9068') {
    if (options.typ !== undefined) {
      throw new TypeError("typ cannot be combined with profile 'rfc9068', which requires typ at+jwt")
    }
    o.typ = new Set([normalizeTyp('at+jwt')])
    o.requiredClaims = [...new Set([...o.requiredClaims, ...RFC9068_CLAIMS])]
  }

  // Presence is checked for `iss`, then `aud` (when audiences are configured), `iat` (with
  // maxTokenAge), then requiredClaims (last first) and `exp`, which is always required.
  const present = ['iss']
  if (o.audience !== undefined) present.push('aud')
  if (o.maxTokenAge !== undefined) present.push('iat')
  present.push(...o.requiredClaims.filter((c) => c !== 'exp').reverse(), 'exp')

  return {
    realm: o.realm,
    issuer: o.issuer,
    issuers: o.tolerateIssuerTrailingSlash ? issuerVariants(o.issuer) : [o.issuer],
    audience: o.audience,
    algorithms: new Set(o.algorithms),
    algorithmList: o.algorithms,
    typ: o.typ,
    allowedKids: o.allowedKids === undefined ? undefined : new Set(o.allowedKids),
    maxKeysWithoutKid: o.maxKeysWithoutKid,
    clockTolerance: o.clockTolerance,
    maxTokenAge: o.maxTokenAge,
    presentClaims: [...new Set(present)],
    jwksUri,
    discovery,
    fallbackJwksUri,
    staticKeys: options.jwks,
    cacheMaxAgeMs: o.cacheMaxAgeMs,
    cooldownMs: o.cooldownMs,
    retryDelayMs: o.retryDelayMs,
    maxRetryDelayMs: o.maxRetryDelayMs,
    maxStaleMs: o.maxStaleMs,
    timeoutMs: o.timeoutMs,
    hooks: combineHooks(o.hooks, createWarningHooks(o.warnings)),
    resultCache: o.resultCache,
    dispatcher: dispatcherOption<Dispatcher>(options.dispatcher),
    accessTokenKeySet: options.accessTokenKeySet,
  }
}

/**
 * Validates {@link AccessTokenKeySetOptions} and builds the pin the JWKS cache applies; its admin
 * calls use the verifier's dispatcher, deadline and hooks.
 */
export function resolveKeySetPin(value: AccessTokenKeySetOptions, context: AdminAuthContext): KeySetPin {
  if (value === null || typeof value !== 'object') {
    throw new TypeError('accessTokenKeySet must be an object ({ adminUrl, ... })')
  }
  const adminUrl = requiredHttpUrl(value.adminUrl, 'accessTokenKeySet.adminUrl')
  const apiVersion = oneOf(value.apiVersion, ['v2', 'v1'], 'v2', 'accessTokenKeySet.apiVersion')
  const setName = nonEmptyString(value.setName, DEFAULT_SET_NAME, 'accessTokenKeySet.setName')
  const auth = createAdminAuthProvider(value.auth, context, 'accessTokenKeySet.auth')
  const base = adminUrl.replace(/\/+$/, '')
  const prefix = apiVersion === 'v2' ? '/admin' : ''
  return { url: `${base}${prefix}/keys/${encodeURIComponent(setName)}`, auth }
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

function requiredHttpUrl(value: unknown, path: string): string {
  if (value === undefined) throw new TypeError(`${path} is required`)
  return httpUrlString(value, path)
}

/** An absolute http(s) URL, returned exactly as given. */
function httpUrlString(value: unknown, path: string): string {
  httpUrl(value, path)
  return value as string
}

function issuerVariants(issuer: string): string[] {
  return issuer.endsWith('/') ? [issuer, issuer.slice(0, -1)] : [issuer, `${issuer}/`]
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

function resultCacheOption(value: unknown): { maxEntries: number; admission: JwtCacheAdmission } | false {
  if (value === false) return false
  if (value === undefined) return { maxEntries: DEFAULT_JWT_RESULT_CACHE_ENTRIES, admission: 'repeat' }
  if (value === null || typeof value !== 'object') {
    throw new TypeError('resultCache must be false or an object ({ maxEntries, admission })')
  }
  const o = value as JwtResultCacheOptions
  return {
    maxEntries: integer(o.maxEntries, DEFAULT_JWT_RESULT_CACHE_ENTRIES, 1, 'resultCache.maxEntries'),
    admission: oneOf(o.admission, ['repeat', 'always'], 'repeat', 'resultCache.admission'),
  }
}
