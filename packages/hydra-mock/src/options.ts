import type { OAuth2Client } from './store/client-model.js'

/** Token and request lifetimes, in seconds. Defaults are Hydra's (`ttl.*`). */
export interface MockHydraTtl {
  /** Access token lifetime in seconds. Default 3600 (1 hour, Hydra `ttl.access_token`). */
  accessToken?: number | undefined
  /** Refresh token lifetime in seconds. Default 2592000 (720 hours, Hydra `ttl.refresh_token`). */
  refreshToken?: number | undefined
  /** ID token lifetime in seconds. Default 3600 (1 hour, Hydra `ttl.id_token`). */
  idToken?: number | undefined
  /** Authorization code lifetime in seconds. Default 600 (10 minutes, Hydra `ttl.auth_code`). */
  authCode?: number | undefined
  /**
   * How long a login, consent or logout challenge (and its verifier) stays valid, in seconds.
   * Default 1800 (30 minutes, Hydra `ttl.login_consent_request`). Older challenges get 401
   * `request_unauthorized` from the admin API.
   */
  loginConsentRequest?: number | undefined
}

/**
 * What the admin API does with a login or consent challenge whose verifier the browser has already
 * brought back to `/oauth2/auth` (the flow moved on):
 * - `'reuse'` (default, Hydra v2.2+ / v26): challenges are stateless, so GET still answers 200 and
 *   accept/reject answer 200 with a fresh `redirect_to`; the replay is refused later, when the new
 *   verifier reaches `/oauth2/auth` (`access_denied`, "The login verifier has already been used.").
 * - `'gone'` (Hydra v1.x to v2.1, DB-backed flows): GET, accept and reject answer 410
 *   `{"redirect_to": <original request_url>}`.
 */
export type HandledChallengeMode = 'reuse' | 'gone'

/** When the authorize endpoint requires PKCE. */
export type PkceEnforcement = 'public' | 'always' | 'never'

/** Options of {@link createMockHydra}. Every field is optional. */
export interface MockHydraOptions {
  /** Port of the public API (Hydra: 4444). Default 0 (a free port). */
  port?: number | undefined
  /** Port of the admin API (Hydra: 4445). Default 0 (a free port). */
  adminPort?: number | undefined
  /** Interface both listeners bind to. Default `'127.0.0.1'`. */
  host?: string | undefined
  /**
   * Issuer (`iss` of every token, `issuer` of discovery), used verbatim as Hydra v2+ does with
   * `urls.self.issuer`. Default `<publicUrl>/` (Hydra's fallback, with a trailing slash).
   */
  issuer?: string | undefined
  /** Access token format: `'opaque'` (`ory_at_…`, Hydra's default) or `'jwt'`. Default `'opaque'`. */
  accessTokenStrategy?: 'opaque' | 'jwt' | undefined
  /**
   * Where JWT access tokens carry scopes (Hydra `strategies.jwt.scope_claim`): `'list'` = `scp`
   * array (Hydra's default), `'string'` = `scope` string, `'both'`. Default `'list'`.
   */
  scopeClaim?: 'list' | 'string' | 'both' | undefined
  /**
   * Login app URL (Hydra `urls.login`); the browser is sent there with `?login_challenge=`.
   * Default: the mock's own page `<publicUrl>/oauth2/fallbacks/login`, which only explains that
   * no login app is configured.
   */
  loginUrl?: string | undefined
  /** Consent app URL (Hydra `urls.consent`), gets `?consent_challenge=`. Default: a fallback page. */
  consentUrl?: string | undefined
  /** Logout app URL (Hydra `urls.logout`), gets `?logout_challenge=`. Default: a fallback page. */
  logoutUrl?: string | undefined
  /**
   * Error page (Hydra `urls.error`) for errors that cannot go back to a client, with `?error=` and
   * `?error_description=`. Default: the mock's page `<publicUrl>/oauth2/fallbacks/error`.
   */
  errorUrl?: string | undefined
  /**
   * Where a logout that was not started by a client (no `post_logout_redirect_uri`) ends
   * (Hydra `urls.post_logout_redirect`). Default `<publicUrl>/oauth2/fallbacks/logout/callback`.
   */
  postLogoutRedirectUrl?: string | undefined
  /** Lifetimes. See {@link MockHydraTtl}. */
  ttl?: MockHydraTtl | undefined
  /**
   * Clients registered at start, in the admin API's `oAuth2Client` format. Give `client_id` and
   * `client_secret` to get fixed credentials. Invalid entries throw a TypeError naming
   * `clients[i].<field>`. Default none.
   */
  clients?: OAuth2Client[] | undefined
  /** See {@link HandledChallengeMode}. Default `'reuse'` (Hydra v26). */
  handledChallenges?: HandledChallengeMode | undefined
  /**
   * When `/oauth2/auth` requires a PKCE `code_challenge` (S256 only, `plain` is always refused as
   * Hydra does): `'public'` = for clients with `token_endpoint_auth_method: none`, `'always'`,
   * `'never'`. Default `'public'`, which is Hydra with `oauth2.pkce.enforced_for_public_clients: true`
   * (Hydra itself ships with PKCE optional).
   */
  pkce?: PkceEnforcement | undefined
  /**
   * Keys of the consent session's `access_token` data that JWT access tokens also carry as
   * top-level claims (Hydra `oauth2.allowed_top_level_claims`). Reserved claims are never
   * overwritten. Default `[]`.
   */
  allowedTopLevelClaims?: string[] | undefined
  /**
   * Salt of pairwise subject identifiers (Hydra `oidc.subject_identifiers.pairwise.salt`).
   * Default: random per instance.
   */
  pairwiseSalt?: string | undefined
  /** Largest request body accepted, in bytes; larger bodies get 413. Default 1048576 (1 MiB). */
  maxBodyBytes?: number | undefined
  /** Version reported by `GET /version`. Default `'v26.2.0'`. */
  version?: string | undefined
  /** How many entries {@link MockHydra.requests} keeps (oldest dropped). Default 1000. */
  requestLogSize?: number | undefined
}

/** Options after defaults and validation. URLs that depend on the bound port are filled in later. */
export interface ResolvedOptions {
  port: number
  adminPort: number
  host: string
  issuer: string | undefined
  accessTokenStrategy: 'opaque' | 'jwt'
  scopeClaim: 'list' | 'string' | 'both'
  loginUrl: string | undefined
  consentUrl: string | undefined
  logoutUrl: string | undefined
  errorUrl: string | undefined
  postLogoutRedirectUrl: string | undefined
  ttl: Required<{ [K in keyof MockHydraTtl]: number }>
  clients: OAuth2Client[]
  handledChallenges: HandledChallengeMode
  pkce: PkceEnforcement
  allowedTopLevelClaims: string[]
  pairwiseSalt: string | undefined
  maxBodyBytes: number
  version: string
  requestLogSize: number
}

const TTL_DEFAULTS: ResolvedOptions['ttl'] = {
  accessToken: 3600,
  refreshToken: 720 * 3600,
  idToken: 3600,
  authCode: 600,
  loginConsentRequest: 1800,
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function port(value: unknown, name: string): number {
  if (value === undefined) return 0
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 65535) {
    throw new TypeError(`${name} must be an integer from 0 to 65535, got ${JSON.stringify(value)}`)
  }
  return value
}

function url(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string') throw new TypeError(`${name} must be an absolute http(s) URL string`)
  let parsed: URL
  try {
    parsed = new URL(value)
  } catch {
    throw new TypeError(`${name} must be an absolute http(s) URL, got ${JSON.stringify(value)}`)
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(`${name} must be an http(s) URL, got ${JSON.stringify(value)}`)
  }
  if (parsed.hash) throw new TypeError(`${name} must not contain a fragment`)
  return value
}

function oneOf<T extends string>(value: unknown, name: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T
  throw new TypeError(
    `${name} must be ${allowed.map((a) => `'${a}'`).join(', ')}, got ${JSON.stringify(value)}`,
  )
}

function positiveInt(value: unknown, name: string, fallback: number, unit: string): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new TypeError(`${name} must be a positive integer (${unit}), got ${JSON.stringify(value)}`)
  }
  return value
}

/** Applies defaults and validates every option; throws a TypeError naming the option path. */
export function resolveOptions(options: MockHydraOptions | undefined): ResolvedOptions {
  const o: MockHydraOptions = options ?? {}
  if (!isRecord(o)) throw new TypeError('options must be an object')
  if (o.host !== undefined && (typeof o.host !== 'string' || o.host === '')) {
    throw new TypeError('host must be a non-empty string')
  }
  const ttlInput: unknown = o.ttl ?? {}
  if (!isRecord(ttlInput)) throw new TypeError('ttl must be an object')
  const ttl = { ...TTL_DEFAULTS }
  for (const key of Object.keys(TTL_DEFAULTS) as (keyof typeof TTL_DEFAULTS)[]) {
    ttl[key] = positiveInt(ttlInput[key], `ttl.${key}`, TTL_DEFAULTS[key], 'seconds')
  }
  if (o.clients !== undefined && !Array.isArray(o.clients)) {
    throw new TypeError('clients must be an array of oAuth2Client objects')
  }
  const allowed = o.allowedTopLevelClaims ?? []
  if (!Array.isArray(allowed) || !allowed.every((c) => typeof c === 'string')) {
    throw new TypeError('allowedTopLevelClaims must be an array of strings')
  }
  if (o.pairwiseSalt !== undefined && (typeof o.pairwiseSalt !== 'string' || o.pairwiseSalt === '')) {
    throw new TypeError('pairwiseSalt must be a non-empty string')
  }
  if (o.version !== undefined && (typeof o.version !== 'string' || o.version === '')) {
    throw new TypeError('version must be a non-empty string')
  }
  const issuer = url(o.issuer, 'issuer')
  return {
    port: port(o.port, 'port'),
    adminPort: port(o.adminPort, 'adminPort'),
    host: o.host ?? '127.0.0.1',
    issuer,
    accessTokenStrategy: oneOf(o.accessTokenStrategy, 'accessTokenStrategy', ['opaque', 'jwt'], 'opaque'),
    scopeClaim: oneOf(o.scopeClaim, 'scopeClaim', ['list', 'string', 'both'], 'list'),
    loginUrl: url(o.loginUrl, 'loginUrl'),
    consentUrl: url(o.consentUrl, 'consentUrl'),
    logoutUrl: url(o.logoutUrl, 'logoutUrl'),
    errorUrl: url(o.errorUrl, 'errorUrl'),
    postLogoutRedirectUrl: url(o.postLogoutRedirectUrl, 'postLogoutRedirectUrl'),
    ttl,
    clients: (o.clients ?? []) as OAuth2Client[],
    handledChallenges: oneOf(o.handledChallenges, 'handledChallenges', ['reuse', 'gone'], 'reuse'),
    pkce: oneOf(o.pkce, 'pkce', ['public', 'always', 'never'], 'public'),
    allowedTopLevelClaims: [...allowed],
    pairwiseSalt: o.pairwiseSalt,
    maxBodyBytes: positiveInt(o.maxBodyBytes, 'maxBodyBytes', 1024 * 1024, 'bytes'),
    version: o.version ?? 'v26.2.0',
    requestLogSize: positiveInt(o.requestLogSize, 'requestLogSize', 1000, 'entries'),
  }
}
