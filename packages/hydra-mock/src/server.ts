import { createServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { routeAdmin } from './admin/router.js'
import { createClock } from './clock.js'
import { GENERIC_ERROR_OPERATIONS, OAuth2Error, oauthError } from './errors.js'
import { readBodyLimited } from './http/body.js'
import { parseCookies } from './http/cookies.js'
import type { MockRequest, MockResponse } from './http/message.js'
import { jsonResponse } from './http/message.js'
import type { Route } from './http/route.js'
import type { MockCallCounts, MockOperation, MockRequestRecord } from './operations.js'
import { emptyCounts } from './operations.js'
import type { MockHydraOptions } from './options.js'
import { resolveOptions } from './options.js'
import { routePublic } from './public/router.js'
import type { MockState, MockUrls } from './state.js'
import type { OAuth2Client } from './store/client-model.js'
import { ClientMetadataError } from './store/client-validation.js'
import { ClientStore } from './store/clients.js'
import { FlowStore } from './store/flows.js'
import { ACCESS_TOKEN_SET, ID_TOKEN_SET, KeyStore } from './store/keys.js'
import { LogoutStore } from './store/logouts.js'
import { SessionStore } from './store/sessions.js'
import { TokenStore } from './store/tokens.js'
import { TrustStore } from './store/trust.js'
import { randomToken } from './util/random.js'

/** Input of {@link MockHydra.issueToken}. */
export interface IssueTokenInput {
  /** `sub` of the token. Default: the client id (as a client-credentials token). */
  subject?: string | undefined
  /** `client_id` of the token; the client does not have to be registered. Default `'hydrakit-mock'`. */
  clientId?: string | undefined
  /** Granted scopes. `offline`/`offline_access` add a refresh token, `openid` an ID token. Default `[]`. */
  scopes?: string[] | undefined
  /** Granted audiences (`aud`). Default `[]`. */
  audience?: string[] | undefined
  /** Consent `session.access_token` data: the token's `ext`. Default `{}`. */
  ext?: Record<string, unknown> | undefined
  /** Consent `session.id_token` data: extra ID token and userinfo claims. Default `{}`. */
  idTokenClaims?: Record<string, unknown> | undefined
  /** Access token lifetime in seconds. Default `ttl.accessToken`. */
  expiresIn?: number | undefined
  /** Token format. Default: the registered client's `access_token_strategy`, else the server's. */
  strategy?: 'opaque' | 'jwt' | undefined
}

/** Result of {@link MockHydra.issueToken}: what the token endpoint would have returned. */
export interface IssuedTokens {
  accessToken: string
  tokenType: 'bearer'
  /** Seconds. */
  expiresIn: number
  expiresAt: Date
  /** Space-separated granted scopes. */
  scope: string
  refreshToken?: string
  idToken?: string
}

/** Result of {@link MockHydra.rotateKeys}: the new signing keys. */
export interface RotatedKeys {
  accessTokenKid: string
  idTokenKid: string
}

/** A running mock Hydra. */
export interface MockHydra {
  /** Public API base URL (Hydra's port 4444 listener), no trailing slash. */
  readonly publicUrl: string
  /** Admin API base URL (Hydra's port 4445 listener), no trailing slash. */
  readonly adminUrl: string
  /** The issuer (`iss`), verbatim. */
  readonly issuer: string
  /** Live call counts per Hydra operationId, e.g. `calls.introspectOAuth2Token`. */
  readonly calls: Readonly<MockCallCounts>
  /** The most recent requests (at most `requestLogSize`), oldest first; paths only. */
  readonly requests: readonly MockRequestRecord[]
  /** Zeroes {@link calls} and empties {@link requests}. */
  resetCalls(): void
  /**
   * Registers a client like `POST /admin/clients` and returns it with its `client_secret`
   * (generated for confidential clients unless given). Throws a TypeError naming the bad field.
   */
  createClient(client?: OAuth2Client): OAuth2Client & { client_id: string }
  /** Mints tokens without a browser flow, as if a consent had granted them. */
  issueToken(input?: IssueTokenInput): Promise<IssuedTokens>
  /** Revokes a token's grant (its access and refresh tokens). Returns false for an unknown token. */
  revoke(token: string): boolean
  /**
   * Adds a new signing key to `hydra.jwt.access-token` and `hydra.openid.id-token`. Old keys stay
   * published (tokens signed before still verify) unless `dropPrevious` is true.
   */
  rotateKeys(options?: { dropPrevious?: boolean }): Promise<RotatedKeys>
  /** The mock's current time. */
  now(): Date
  /** Sets the mock's clock to `time` (a Date or ms since the epoch); the whole server uses it. */
  setTime(time: Date | number): void
  /** Moves the mock's clock by `seconds`. */
  advanceTime(seconds: number): void
  /** Returns the clock to wall time. */
  resetTime(): void
  /** Stops both listeners and drops open connections. Idempotent. */
  close(): Promise<void>
}

function hostForUrl(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1'
  if (host === '::') return '[::1]'
  return host.includes(':') ? `[${host}]` : host
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve((server.address() as AddressInfo).port)
    })
  })
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve()
      return
    }
    server.close(() => resolve())
    server.closeAllConnections()
  })
}

function toResponse(
  error: unknown,
  onError: (e: unknown) => void,
  listener: 'public' | 'admin',
  operation: MockOperation,
): MockResponse {
  let e: OAuth2Error
  if (error instanceof OAuth2Error) {
    e = error
  } else {
    onError(error)
    e = oauthError('server_error')
  }
  const headers: Record<string, string> = { 'cache-control': 'no-store', ...e.headers }
  if (e.status === 413) headers.connection = 'close'
  const body = listener === 'admin' ? e.toAdminJSON(GENERIC_ERROR_OPERATIONS.has(operation)) : e.toJSON()
  return jsonResponse(e.status, body, headers)
}

function makeHandler(
  state: MockState,
  listener: 'public' | 'admin',
  route: (state: MockState, req: MockRequest) => Route,
  onError: (e: unknown) => void,
) {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const base = listener === 'public' ? state.urls.public : state.urls.admin
    const raw = req.url ?? '/'
    let url: URL
    try {
      url = new URL(`${base}${raw.startsWith('/') ? raw : `/${raw}`}`)
    } catch {
      url = new URL(`${base}/`)
    }
    let body: Promise<Buffer> | undefined
    const mreq: MockRequest = {
      method: req.method ?? 'GET',
      url,
      headers: req.headers,
      cookies: parseCookies(req.headers.cookie),
      readBody: () => (body ??= readBodyLimited(req, state.options.maxBodyBytes)),
    }
    const r = route(state, mreq)
    let response: MockResponse
    try {
      response = await r.run()
    } catch (e) {
      response = toResponse(e, onError, listener, r.operation)
    }
    state.calls[r.operation]++
    state.requests.push({
      listener,
      operation: r.operation,
      method: mreq.method,
      path: url.pathname,
      status: response.status,
      at: new Date(state.clock.nowMs()),
    })
    if (state.requests.length > state.options.requestLogSize) state.requests.shift()
    res.writeHead(response.status, response.headers)
    res.end(response.body)
    if (response.status === 413) req.resume()
  }
  return (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((e: unknown) => {
      onError(e)
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' })
        res.end(JSON.stringify(oauthError('server_error').toJSON()))
      } else {
        res.destroy()
      }
    })
  }
}

/** Extra, non-Hydra options of {@link createMockHydra}. */
export interface MockHydraRuntimeOptions {
  /**
   * Called with unexpected internal errors (the client gets a 500 `server_error` without details).
   * Default: `console.error`.
   */
  onError?: ((error: unknown) => void) | undefined
}

/**
 * Starts a mock Ory Hydra v26 (public and admin API on two listeners, default `127.0.0.1`, free
 * ports). For development and tests only: everything is in memory and nothing is hardened.
 * Rejects with a TypeError naming the option path when an option is invalid.
 *
 * @example
 * const hydra = await createMockHydra({ loginUrl: 'http://127.0.0.1:3000/login', consentUrl: '...' })
 * const { accessToken } = await hydra.issueToken({ subject: 'alice', scopes: ['read'] })
 * await hydra.close()
 */
export async function createMockHydra(
  options?: MockHydraOptions & MockHydraRuntimeOptions,
): Promise<MockHydra> {
  const resolved = resolveOptions(options)
  const onError = options?.onError ?? ((e: unknown) => console.error('[hydrakit-mock] unexpected error:', e))
  const clock = createClock()
  const keys = new KeyStore()
  const nowIso = (): string => new Date(clock.nowMs()).toISOString()
  const clients = new ClientStore(nowIso)
  resolved.clients.forEach((c, i) => {
    try {
      clients.create(c)
    } catch (e) {
      if (e instanceof ClientMetadataError) {
        throw new TypeError(`clients[${i}]${e.field ? `.${e.field}` : ''} ${e.message}`)
      }
      if (e instanceof OAuth2Error) throw new TypeError(`clients[${i}].client_id is registered twice`)
      throw e
    }
  })
  await keys.init()

  const urls: MockUrls = {
    public: '',
    admin: '',
    issuer: '',
    login: '',
    consent: '',
    logout: '',
    error: '',
    postLogoutRedirect: '',
  }
  const state: MockState = {
    options: resolved,
    clock,
    keys,
    clients,
    tokens: new TokenStore(resolved, clock, keys, () => urls.issuer),
    flows: new FlowStore(() => resolved.ttl.loginConsentRequest * 1000),
    sessions: new SessionStore(),
    logouts: new LogoutStore(),
    trust: new TrustStore(),
    urls,
    pairwiseSalt: resolved.pairwiseSalt ?? randomToken(16),
    calls: emptyCounts(),
    requests: [],
  }

  const publicServer = createServer(makeHandler(state, 'public', routePublic, onError))
  const adminServer = createServer(makeHandler(state, 'admin', routeAdmin, onError))
  let publicPort: number
  let adminPort: number
  try {
    publicPort = await listen(publicServer, resolved.port, resolved.host)
    adminPort = await listen(adminServer, resolved.adminPort, resolved.host)
  } catch (e) {
    await Promise.all([closeServer(publicServer), closeServer(adminServer)])
    throw e
  }
  const host = hostForUrl(resolved.host)
  urls.public = `http://${host}:${publicPort}`
  urls.admin = `http://${host}:${adminPort}`
  urls.issuer = resolved.issuer ?? `${urls.public}/`
  urls.login = resolved.loginUrl ?? `${urls.public}/oauth2/fallbacks/login`
  urls.consent = resolved.consentUrl ?? `${urls.public}/oauth2/fallbacks/consent`
  urls.logout = resolved.logoutUrl ?? `${urls.public}/oauth2/fallbacks/logout`
  urls.error = resolved.errorUrl ?? `${urls.public}/oauth2/fallbacks/error`
  urls.postLogoutRedirect =
    resolved.postLogoutRedirectUrl ?? `${urls.public}/oauth2/fallbacks/logout/callback`

  let closing: Promise<void> | undefined
  return {
    publicUrl: urls.public,
    adminUrl: urls.admin,
    issuer: urls.issuer,
    calls: state.calls,
    requests: state.requests,
    resetCalls() {
      Object.assign(state.calls, emptyCounts())
      state.requests.length = 0
    },
    createClient(client) {
      try {
        return clients.create(client ?? {})
      } catch (e) {
        if (e instanceof ClientMetadataError) {
          throw new TypeError(`createClient(client)${e.field ? `.${e.field}` : ''} ${e.message}`)
        }
        if (e instanceof OAuth2Error) throw new TypeError('createClient(client).client_id already exists')
        throw e
      }
    },
    async issueToken(input = {}) {
      return issueToken(state, input)
    },
    revoke(token) {
      return state.tokens.revoke(token)
    },
    async rotateKeys(opts = {}) {
      const a = await keys.generate(ACCESS_TOKEN_SET, 'RS256', 'sig')
      const i = await keys.generate(ID_TOKEN_SET, 'RS256', 'sig')
      if (opts.dropPrevious) {
        keys.keepNewest(ACCESS_TOKEN_SET)
        keys.keepNewest(ID_TOKEN_SET)
      }
      return { accessTokenKid: a.kid, idTokenKid: i.kid }
    },
    now: () => new Date(clock.nowMs()),
    setTime: (time) => clock.set(time),
    advanceTime: (seconds) => clock.advance(seconds),
    resetTime: () => clock.reset(),
    close() {
      closing ??= Promise.all([closeServer(publicServer), closeServer(adminServer)]).then(() => undefined)
      return closing
    },
  }
}

function stringList(value: unknown, name: string): string[] {
  if (value === undefined) return []
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new TypeError(`issueToken(input).${name} must be an array of strings`)
  }
  return [...value]
}

function record(value: unknown, name: string): Record<string, unknown> {
  if (value === undefined) return {}
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`issueToken(input).${name} must be a plain object`)
  }
  return structuredClone(value as Record<string, unknown>)
}

async function issueToken(state: MockState, input: IssueTokenInput): Promise<IssuedTokens> {
  const clientId = input.clientId ?? 'hydrakit-mock'
  if (typeof clientId !== 'string' || clientId === '') {
    throw new TypeError('issueToken(input).clientId must be a non-empty string')
  }
  const subject = input.subject ?? clientId
  if (typeof subject !== 'string' || subject === '') {
    throw new TypeError('issueToken(input).subject must be a non-empty string')
  }
  const scopes = stringList(input.scopes, 'scopes')
  const audience = stringList(input.audience, 'audience')
  const expiresIn = input.expiresIn ?? state.options.ttl.accessToken
  if (typeof expiresIn !== 'number' || !Number.isInteger(expiresIn) || expiresIn <= 0) {
    throw new TypeError('issueToken(input).expiresIn must be a positive integer (seconds)')
  }
  if (input.strategy !== undefined && input.strategy !== 'jwt' && input.strategy !== 'opaque') {
    throw new TypeError("issueToken(input).strategy must be 'jwt' or 'opaque'")
  }
  const client = state.clients.get(clientId)
  const registered = client?.client.access_token_strategy
  const strategy =
    input.strategy ??
    (registered === 'jwt' || registered === 'opaque' ? registered : state.options.accessTokenStrategy)
  const now = state.clock.nowSeconds()
  const grant = state.tokens.createGrant({
    clientId,
    subject,
    obfuscatedSubject: undefined,
    scopes,
    audience,
    ext: record(input.ext, 'ext'),
    idTokenClaims: record(input.idTokenClaims, 'idTokenClaims'),
    authTime: now,
    requestedAt: now,
    acr: undefined,
    amr: undefined,
    sid: undefined,
    nonce: undefined,
    consentRequestId: undefined,
    strategy,
  })
  const { token, record: rec } = await state.tokens.issueAccessToken(grant, scopes, expiresIn)
  const out: IssuedTokens = {
    accessToken: token,
    tokenType: 'bearer',
    expiresIn,
    expiresAt: new Date(rec.expiresAt * 1000),
    scope: scopes.join(' '),
  }
  if (scopes.includes('offline') || scopes.includes('offline_access')) {
    out.refreshToken = state.tokens.issueRefreshToken(grant)
  }
  if (scopes.includes('openid')) out.idToken = await state.tokens.issueIdToken(grant, token, false)
  return out
}
