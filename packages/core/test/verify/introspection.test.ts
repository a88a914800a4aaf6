import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Agent } from 'undici'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryCacheStore } from '../../src/cache/memory-store.js'
import type { CacheStore, JsonValue } from '../../src/cache/store.js'
import { tokenCacheKey } from '../../src/cache/token-key.js'
import { InvalidTokenError, UpstreamUnavailableError } from '../../src/errors/errors.js'
import { ignoresSuccesses, type CacheEvent, type UpstreamEvent, type VerifyEvent } from '../../src/hooks.js'
import {
  createIntrospectionVerifier,
  type IntrospectionVerifier,
  type IntrospectionVerifierOptions,
} from '../../src/verify/introspection.js'

// ---------------------------------------------------------------------------------------------
// A real introspection endpoint (and client-credentials token endpoint) on 127.0.0.1, port 0.

type Mode =
  | 'ok'
  | 'slow'
  | '500'
  | '503'
  | '429'
  | '401'
  | '403'
  | '404'
  | 'garbage'
  | 'html'
  | 'not-boolean'
  | 'bad-exp'
  | 'bad-aud'
  | 'array'
  | 'huge'
  | '400-unsupported-token-type'
  | '400-invalid-token'
  | '400-invalid-request'
  | '400-invalid-client'
  | '400-no-code'

interface SeenRequest {
  path: string
  headers: IncomingMessage['headers']
  form: URLSearchParams
}

interface FakeHydra {
  /** `http://127.0.0.1:port` */
  base: string
  mode: Mode
  /** Delay before every introspection answer, in ms. */
  delayMs: number
  /** Answers by token; unknown tokens are `{active:false}`. */
  tokens: Map<string, Record<string, unknown>>
  introspectCalls: number
  tokenCalls: number
  seen: SeenRequest[]
  /** When set, introspection answers 401 unless `authorization` is exactly this. */
  requireAuthorization: string | undefined
  /** Access tokens issued by the token endpoint: cc-1, cc-2, … */
  issued: string[]
  ccExpiresIn: number
  reset(): void
  close(): Promise<void>
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
  res.end(text)
}

async function startFakeHydra(): Promise<FakeHydra> {
  const timers = new Set<NodeJS.Timeout>()
  const state: FakeHydra = {
    base: '',
    mode: 'ok',
    delayMs: 0,
    tokens: new Map(),
    introspectCalls: 0,
    tokenCalls: 0,
    seen: [],
    requireAuthorization: undefined,
    issued: [],
    ccExpiresIn: 3600,
    reset() {
      this.mode = 'ok'
      this.delayMs = 0
      this.tokens.clear()
      this.introspectCalls = 0
      this.tokenCalls = 0
      this.seen = []
      this.requireAuthorization = undefined
      this.issued = []
      this.ccExpiresIn = 3600
    },
    close: () => Promise.resolve(),
  }

  const introspect = (req: IncomingMessage, res: ServerResponse, form: URLSearchParams): void => {
    state.introspectCalls++
    if (
      state.requireAuthorization !== undefined &&
      req.headers.authorization !== state.requireAuthorization
    ) {
      sendJson(res, 401, { error: 'request_unauthorized', error_description: 'bad credentials' })
      return
    }
    switch (state.mode) {
      case 'ok':
      case 'slow': {
        const token = form.get('token') ?? ''
        const answer = state.tokens.get(token)
        if (answer === undefined) return sendJson(res, 200, { active: false })
        // Hydra answers active:false when a requested scope was not granted.
        const wanted = form.get('scope')
        if (wanted !== null) {
          const granted = typeof answer.scope === 'string' ? answer.scope.split(' ') : []
          if (!wanted.split(' ').every((s) => granted.includes(s)))
            return sendJson(res, 200, { active: false })
        }
        return sendJson(res, 200, answer)
      }
      case '500':
        return sendJson(res, 500, { error: 'server_error', error_description: 'UPSTREAM-SECRET-DETAIL' })
      case '503':
        return sendJson(res, 503, { error: 'unavailable' }, { 'retry-after': '11' })
      case '429':
        return sendJson(res, 429, { error: 'rate_limited' }, { 'retry-after': '7' })
      case '401':
        return sendJson(res, 401, { error: 'request_unauthorized' })
      case '403':
        return sendJson(res, 403, { error: 'forbidden' })
      case '404':
        return sendJson(res, 404, { error: 'Not Found' })
      case 'garbage':
        res.writeHead(200, { 'content-type': 'application/json' })
        return void res.end('{"active": tru UPSTREAM-SECRET-DETAIL')
      case 'html':
        res.writeHead(200, { 'content-type': 'text/html' })
        return void res.end('<html>UPSTREAM-SECRET-DETAIL</html>')
      case 'not-boolean':
        return sendJson(res, 200, { active: 'true', token_use: 'access_token' })
      case 'bad-exp':
        return sendJson(res, 200, { active: true, token_use: 'access_token', exp: 'tomorrow' })
      case 'bad-aud':
        return sendJson(res, 200, { active: true, token_use: 'access_token', aud: [1, 2] })
      case 'array':
        return sendJson(res, 200, [{ active: true }])
      case '400-unsupported-token-type':
        return sendJson(res, 400, { error: 'unsupported_token_type' })
      case '400-invalid-token':
        return sendJson(res, 400, { error: 'invalid_token' })
      case '400-invalid-request':
        return sendJson(res, 400, { error: 'invalid_request', error_description: 'token missing' })
      case '400-invalid-client':
        return sendJson(res, 400, { error: 'invalid_client' })
      case '400-no-code':
        return sendJson(res, 400, 'Bad Request')
      case 'huge':
        return sendJson(res, 200, {
          active: true,
          token_use: 'access_token',
          ext: { blob: 'x'.repeat(200 * 1024) },
        })
    }
  }

  const tokenEndpoint = (req: IncomingMessage, res: ServerResponse, form: URLSearchParams): void => {
    state.tokenCalls++
    const expected = 'Basic ' + Buffer.from('svc:s3cret').toString('base64')
    if (req.headers.authorization !== expected || form.get('grant_type') !== 'client_credentials') {
      return sendJson(res, 401, { error: 'invalid_client' })
    }
    const token = `cc-${state.issued.length + 1}`
    state.issued.push(token)
    state.requireAuthorization = `Bearer ${token}`
    sendJson(res, 200, { access_token: token, token_type: 'bearer', expires_in: state.ccExpiresIn })
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
      if (path === '/oauth2/token') return tokenEndpoint(req, res, form)
      state.seen.push({ path, headers: req.headers, form })
      const delay = state.mode === 'slow' ? 2_000 : state.delayMs
      if (delay === 0) return introspect(req, res, form)
      const t = setTimeout(() => {
        timers.delete(t)
        if (!res.destroyed) introspect(req, res, form)
      }, delay)
      timers.add(t)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  state.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  state.close = async () => {
    for (const t of timers) clearTimeout(t)
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
  return state
}

async function closedPortUrl(): Promise<string> {
  const s = createServer()
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  const port = (s.address() as AddressInfo).port
  await new Promise<void>((resolve) => s.close(() => resolve()))
  return `http://127.0.0.1:${port}`
}

// ---------------------------------------------------------------------------------------------

const now = (): number => Math.floor(Date.now() / 1000)
const mintOpaque = (): string =>
  `ory_at_${randomBytes(32).toString('base64url')}.${randomBytes(32).toString('base64url')}`

function activeAnswer(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    active: true,
    scope: 'read write offline',
    client_id: 'client-1',
    sub: 'user-1',
    exp: now() + 3600,
    iat: now(),
    nbf: now(),
    aud: ['https://api.example', 'billing'],
    iss: 'https://auth.example/',
    token_type: 'Bearer',
    token_use: 'access_token',
    ext: { tenant: 't1', roles: ['admin'] },
    ...extra,
  }
}

/** A CacheStore that records what it is asked to do, backed by the real memory store. */
function recordingStore(): CacheStore & { sets: Array<{ key: string; value: JsonValue; ttlMs: number }> } {
  const inner = createMemoryCacheStore()
  const sets: Array<{ key: string; value: JsonValue; ttlMs: number }> = []
  return {
    sets,
    get: (key) => inner.get(key),
    set: (key, value, ttlMs) => {
      sets.push({ key, value, ttlMs })
      return inner.set(key, value, ttlMs)
    },
    delete: (key) => inner.delete(key),
  }
}

let hydra: FakeHydra
const verifiers: IntrospectionVerifier[] = []

function make(options: Partial<IntrospectionVerifierOptions> = {}): IntrospectionVerifier {
  const v = createIntrospectionVerifier({ adminUrl: hydra.base, audience: false, ...options })
  verifiers.push(v)
  return v
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p
  } catch (err) {
    return err as Error
  }
  throw new Error('expected a rejection')
}

beforeAll(async () => {
  hydra = await startFakeHydra()
})
afterAll(async () => {
  await hydra.close()
})
beforeEach(() => {
  hydra.reset()
})
afterEach(async () => {
  vi.useRealTimers()
  await Promise.all(verifiers.splice(0).map((v) => v.close()))
})

// ---------------------------------------------------------------------------------------------

describe('createIntrospectionVerifier: option validation', () => {
  const base = (): string => hydra.base
  it.each<[string, () => Partial<IntrospectionVerifierOptions>, RegExp]>([
    ['no URL at all', () => ({ adminUrl: undefined }), /^adminUrl must be set/],
    ['relative adminUrl', () => ({ adminUrl: '/admin' }), /^adminUrl must be an absolute URL/],
    ['non-http adminUrl', () => ({ adminUrl: 'ftp://hydra' }), /^adminUrl must be an http: or https: URL/],
    ['adminUrl with a query', () => ({ adminUrl: `${base()}/?x=1` }), /^adminUrl must not have a query/],
    [
      'credentials in adminUrl',
      () => ({ adminUrl: 'http://u:p@hydra' }),
      /^adminUrl must not contain credentials/,
    ],
    [
      'bad introspectionUrl',
      () => ({ introspectionUrl: 'nope' }),
      /^introspectionUrl must be an absolute URL/,
    ],
    ['apiVersion v3', () => ({ apiVersion: 'v3' as 'v2' }), /^apiVersion must be 'v2' or 'v1'/],
    ['timeoutMs 0', () => ({ timeoutMs: 0 }), /^timeoutMs must be an integer >= 1/],
    ['maxResponseBytes 1.5', () => ({ maxResponseBytes: 1.5 }), /^maxResponseBytes must be an integer >= 1/],
    ['clockTolerance -1', () => ({ clockTolerance: -1 }), /^clockTolerance must be a finite number >= 0/],
    [
      'allowMissingTokenUse "yes"',
      () => ({ allowMissingTokenUse: 'yes' as unknown as boolean }),
      /^allowMissingTokenUse must be a boolean/,
    ],
    ['empty audience list', () => ({ audience: [] }), /^audience must not be an empty array/],
    ['empty audience entry', () => ({ audience: ['a', ''] }), /^audience\[1\] must be a non-empty string/],
    ['empty issuer', () => ({ issuer: '' }), /^issuer must be a non-empty string/],
    ['scope with a quote', () => ({ scope: ['read', 'a"b'] }), /^scope has an invalid scope token/],
    ['blank scope', () => ({ scope: '  ' }), /^scope must be a space-separated string or a non-empty array/],
    ['empty realm', () => ({ realm: '' }), /^realm must be a non-empty string/],
    [
      'header overriding content-type',
      () => ({ headers: { 'Content-Type': 'text/plain' } }),
      /^headers\.Content-Type cannot be overridden/,
    ],
    [
      'header with CRLF',
      () => ({ headers: { 'x-a': 'b\r\nx-evil: 1' } }),
      /^headers\.x-a must be a string without CR, LF or NUL/,
    ],
    [
      'authorization header and auth',
      () => ({ headers: { authorization: 'x' }, auth: { type: 'bearer', token: 't' } }),
      /^headers\.authorization conflicts with auth/,
    ],
    [
      'basic auth without username',
      () => ({ auth: { type: 'basic', username: '', password: 'p' } }),
      /^auth\.username must be a non-empty string/,
    ],
    ['unknown auth type', () => ({ auth: { type: 'magic' } as never }), /^auth\.type must be/],
    [
      'client_credentials without tokenUrl',
      () => ({ auth: { type: 'client_credentials', tokenUrl: '', clientId: 'a', clientSecret: 'b' } }),
      /^auth\.tokenUrl must be a non-empty string/,
    ],
    ['cache not an object', () => ({ cache: 'yes' as never }), /^cache must be an object or false/],
    ['negative cache.ttlMs', () => ({ cache: { ttlMs: -1 } }), /^cache\.ttlMs must be an integer >= 0/],
    [
      'fractional cache.negativeTtlMs',
      () => ({ cache: { negativeTtlMs: 0.5 } }),
      /^cache\.negativeTtlMs must be an integer >= 0/,
    ],
    [
      'cache.maxEntries 0',
      () => ({ cache: { maxEntries: 0 } }),
      /^cache\.maxEntries must be an integer >= 1/,
    ],
    [
      'cache.maxEntries with a store',
      () => ({ cache: { store: createMemoryCacheStore(), maxEntries: 5 } }),
      /^cache\.maxEntries applies only to the built-in store/,
    ],
    [
      'cache.store without delete',
      () => ({
        cache: { store: { get: () => Promise.resolve(undefined), set: () => Promise.resolve() } as never },
      }),
      /^cache\.store must implement get, set and delete/,
    ],
    [
      'cache.store.getSync not a function',
      () => ({ cache: { store: { ...createMemoryCacheStore(), getSync: 'yes' as never } } }),
      /^cache\.store\.getSync must be a function when present/,
    ],
    [
      'cache.keyPrefix number',
      () => ({ cache: { keyPrefix: 1 as never } }),
      /^cache\.keyPrefix must be a string/,
    ],
    [
      'hooks.onVerify not a function',
      () => ({ hooks: { onVerify: 'log' as never } }),
      /^hooks\.onVerify must be a function/,
    ],
    [
      'dispatcher without dispatch',
      () => ({ dispatcher: {} as never }),
      /^dispatcher must be an undici Dispatcher/,
    ],
  ])('%s → TypeError naming the option', (_name, opts, message) => {
    expect(() => createIntrospectionVerifier({ adminUrl: base(), audience: false, ...opts() })).toThrow(
      TypeError,
    )
    expect(() => createIntrospectionVerifier({ adminUrl: base(), audience: false, ...opts() })).toThrow(
      message,
    )
  })

  it('rejects a non-object options argument', () => {
    expect(() => createIntrospectionVerifier(null as never)).toThrow(
      new TypeError('options must be an object'),
    )
  })
})

describe('endpoint and request', () => {
  it('v2 (default): POST {adminUrl}/admin/oauth2/introspect with a form body and accept: application/json', async () => {
    const token = mintOpaque()
    hydra.tokens.set(token, activeAnswer())
    const v = make()
    expect(v.introspectionUrl).toBe(`${hydra.base}/admin/oauth2/introspect`)
    await v.verify(token)
    expect(hydra.introspectCalls).toBe(1)
    const seen = hydra.seen[0]!
    expect(seen.path).toBe('/admin/oauth2/introspect')
    expect(seen.headers['content-type']).toBe('application/x-www-form-urlencoded')
    expect(seen.headers.accept).toBe('application/json')
    expect(seen.headers.authorization).toBeUndefined()
    expect(seen.form.get('token')).toBe(token)
    expect(seen.form.has('scope')).toBe(false)
  })

  it.each([
    ['v1, trailing slash', { apiVersion: 'v1' as const, slash: '/' }, '/oauth2/introspect'],
    ['v1, no trailing slash', { apiVersion: 'v1' as const, slash: '' }, '/oauth2/introspect'],
    ['v2, trailing slash', { apiVersion: 'v2' as const, slash: '/' }, '/admin/oauth2/introspect'],
    [
      'v2, path prefix with trailing slash',
      { apiVersion: 'v2' as const, slash: '/gw/hydra/' },
      '/gw/hydra/admin/oauth2/introspect',
    ],
  ])('%s → %s', async (_name, { apiVersion, slash }, path) => {
    const token = mintOpaque()
    hydra.tokens.set(token, activeAnswer())
    const v = make({ adminUrl: hydra.base + slash, apiVersion })
    await v.verify(token)
    expect(hydra.seen.map((s) => s.path)).toEqual([path])
  })

  it('introspectionUrl overrides adminUrl and apiVersion', async () => {
    const token = mintOpaque()
    hydra.tokens.set(token, activeAnswer())
    const v = make({
      adminUrl: 'http://unused.invalid',
      apiVersion: 'v1',
      introspectionUrl: `${hydra.base}/custom/introspect`,
    })
    await v.verify(token)
    expect(hydra.seen.map((s) => s.path)).toEqual(['/custom/introspect'])
  })

  it('sends the configured scope; Hydra answers inactive when it was not granted', async () => {
    const token = mintOpaque()
    hydra.tokens.set(token, activeAnswer({ scope: 'read' }))
    const ok = make({ scope: 'read' })
    await expect(ok.verify(token)).resolves.toMatchObject({ scopes: ['read'] })
    const strict = make({ scope: ['read', 'admin'] })
    const err = await rejection(strict.verify(token))
    expect(err).toBeInstanceOf(InvalidTokenError)
    expect((err as InvalidTokenError).reason).toBe('inactive')
    expect(hydra.seen.map((s) => s.form.get('scope'))).toEqual(['read', 'read admin'])
  })
})

describe('active tokens', () => {
  it('returns the normalized AuthInfo with source introspection', async () => {
    const token = mintOpaque()
    const answer = activeAnswer()
    hydra.tokens.set(token, answer)
    const info = await make().verify(token)
    expect(info).toEqual({
      token,
      active: true,
      subject: 'user-1',
      clientId: 'client-1',
      scopes: ['read', 'write', 'offline'],
      audience: ['https://api.example', 'billing'],
      issuer: 'https://auth.example/',
      expiresAt: answer.exp,
      issuedAt: answer.iat,
      notBefore: answer.nbf,
      tokenUse: 'access_token',
      ext: { tenant: 't1', roles: ['admin'] },
      claims: answer,
      source: 'introspection',
    })
  })

  it('treats null optional fields as absent (aud null → [], ext null → {})', async () => {
    const token = mintOpaque()
    hydra.tokens.set(token, activeAnswer({ aud: null, ext: null, sub: null }))
    const info = await make().verify(token)
    expect([info.audience, info.ext, info.subject]).toEqual([[], {}, undefined])
  })

  it('audience: any-of match passes, no match or no aud is refused with reason audience', async () => {
    const token = mintOpaque()
    hydra.tokens.set(token, activeAnswer())
    await expect(make({ audience: ['other', 'billing'] }).verify(token)).resolves.toMatchObject({
      subject: 'user-1',
    })
    const err = await rejection(make({ audience: 'https://other.example' }).verify(token))
    expect(err).toBeInstanceOf(InvalidTokenError)
    expect((err as InvalidTokenError).reason).toBe('audience')
    const bare = mintOpaque()
    hydra.tokens.set(bare, activeAnswer({ aud: [] }))
    expect(((await rejection(make({ audience: 'billing' }).verify(bare))) as InvalidTokenError).reason).toBe(
      'audience',
    )
  })

  it('issuer: exact match only (no trailing-slash normalisation)', async () => {
    const token = mintOpaque()
    hydra.tokens.set(token, activeAnswer())
    await expect(make({ issuer: 'https://auth.example/' }).verify(token)).resolves.toMatchObject({
      issuer: 'https://auth.example/',
    })
    const err = await rejection(make({ issuer: 'https://auth.example' }).verify(token))
    expect(err).toBeInstanceOf(InvalidTokenError)
    expect((err as InvalidTokenError).reason).toBe('issuer')
  })
})

describe('refused tokens (attacks)', () => {
  it('inactive token → 401 invalid_token, reason inactive, description never echoes the token', async () => {
    const token = mintOpaque()
    const err = await rejection(make({ realm: 'orders' }).verify(token))
    expect(err).toBeInstanceOf(InvalidTokenError)
    const e = err as InvalidTokenError
    expect([e.status, e.reason, e.error]).toEqual([401, 'inactive', 'invalid_token'])
    expect(e.headers['www-authenticate']).toBe(
      'Bearer realm="orders", error="invalid_token", error_description="the access token is not active"',
    )
    expect(JSON.stringify(e.toJSON()) + e.message).not.toContain(token)
  })

  it('refresh token (token_use refresh_token) is refused with reason token_use', async () => {
    const token = `ory_rt_${randomBytes(32).toString('base64url')}`
    hydra.tokens.set(token, activeAnswer({ token_use: 'refresh_token' }))
    const err = await rejection(make().verify(token))
    expect(err).toBeInstanceOf(InvalidTokenError)
    expect([(err as InvalidTokenError).status, (err as InvalidTokenError).reason]).toEqual([401, 'token_use'])
  })

  it.each<[string, Record<string, unknown>, string | undefined]>([
    ['token_type Bearer', { token_type: 'Bearer', aud: undefined }, undefined],
    ['token_type DPoP', { token_type: 'DPoP', aud: undefined }, undefined],
    ['only an audience', { token_type: undefined }, undefined],
    ['Keycloak typ Bearer', { token_type: undefined, aud: undefined, typ: 'Bearer' }, undefined],
    ['token_type refresh_token', { token_type: 'refresh_token' }, 'token_use'],
    ['Keycloak typ Refresh', { token_type: undefined, aud: undefined, typ: 'Refresh' }, 'token_use'],
    ['no marker at all (a refresh token)', { token_type: undefined, aud: undefined }, 'token_use'],
  ])('without token_use and with allowMissingTokenUse: %s', async (_n, extra, reason) => {
    const token = mintOpaque()
    const answer = { ...activeAnswer(), ...extra }
    delete answer.token_use
    for (const k of Object.keys(answer)) if (answer[k] === undefined) delete answer[k]
    hydra.tokens.set(token, answer)
    const v = make({ allowMissingTokenUse: true })
    if (reason === undefined) {
      await expect(v.verify(token)).resolves.toMatchObject({ subject: 'user-1' })
    } else {
      const err = await rejection(v.verify(token))
      expect([(err as InvalidTokenError).status, (err as InvalidTokenError).reason]).toEqual([401, reason])
    }
  })

  it('issuer trailing slash: exact by default, either spelling with tolerateIssuerTrailingSlash', async () => {
    const token = mintOpaque()
    hydra.tokens.set(token, activeAnswer({ iss: 'https://auth.example' }))
    const strict = make({ issuer: 'https://auth.example/' })
    expect(((await rejection(strict.verify(token))) as InvalidTokenError).reason).toBe('issuer')
    const tolerant = make({ issuer: 'https://auth.example/', tolerateIssuerTrailingSlash: true })
    await expect(tolerant.verify(token)).resolves.toMatchObject({ subject: 'user-1' })
    const other = mintOpaque()
    hydra.tokens.set(other, activeAnswer({ iss: 'https://auth.example/x' }))
    expect(((await rejection(tolerant.verify(other))) as InvalidTokenError).reason).toBe('issuer')
  })

  it('missing token_use is refused by default and accepted with allowMissingTokenUse', async () => {
    const token = mintOpaque()
    const answer = activeAnswer()
    delete answer.token_use
    hydra.tokens.set(token, answer)
    expect(((await rejection(make().verify(token))) as InvalidTokenError).reason).toBe('token_use')
    await expect(make({ allowMissingTokenUse: true }).verify(token)).resolves.toMatchObject({
      tokenUse: undefined,
    })
  })

  it('exp in the past beyond the clock tolerance → 401 expired; within it → accepted but not cached', async () => {
    const stale = mintOpaque()
    hydra.tokens.set(stale, activeAnswer({ exp: now() - 60 }))
    const err = await rejection(make().verify(stale))
    expect(err).toBeInstanceOf(InvalidTokenError)
    expect((err as InvalidTokenError).reason).toBe('expired')

    const edge = mintOpaque()
    hydra.tokens.set(edge, activeAnswer({ exp: now() - 2 }))
    const store = createMemoryCacheStore()
    const v = make({ clockTolerance: 30, cache: { store } })
    await expect(v.verify(edge)).resolves.toMatchObject({ subject: 'user-1' })
    expect(store.size).toBe(0)
    await v.verify(edge)
    expect(hydra.introspectCalls).toBe(3)
  })

  it.each([
    ['empty', ''],
    ['with a space', 'abc def'],
    ['with a newline', 'abc\ndef'],
    ['non-ASCII', 'tök'],
    ['too long', 'a'.repeat(16 * 1024 + 1)],
    ['not a string', 42 as unknown as string],
  ])('malformed token (%s) → 401 malformed without an upstream call', async (_n, token) => {
    const err = await rejection(make().verify(token))
    expect(err).toBeInstanceOf(InvalidTokenError)
    expect((err as InvalidTokenError).reason).toBe('malformed')
    expect(hydra.introspectCalls).toBe(0)
  })
})

describe('upstream failures are 503, never 401', () => {
  it.each<[Mode, string | undefined]>([
    ['500', undefined],
    ['503', '11'],
    ['429', '7'],
    ['401', undefined],
    ['403', undefined],
    ['404', undefined],
    ['garbage', undefined],
    ['html', undefined],
    ['not-boolean', undefined],
    ['bad-exp', undefined],
    ['bad-aud', undefined],
    ['array', undefined],
    ['huge', undefined],
    ['slow', undefined],
    ['400-invalid-request', undefined],
    ['400-invalid-client', undefined],
    ['400-no-code', undefined],
  ])('%s → UpstreamUnavailableError (Retry-After %s), not cached', async (mode, retryAfter) => {
    hydra.mode = mode
    const token = mintOpaque()
    hydra.tokens.set(token, activeAnswer())
    const store = createMemoryCacheStore()
    const v = make({ timeoutMs: 300, cache: { store } })
    const err = await rejection(v.verify(token))
    expect(err).toBeInstanceOf(UpstreamUnavailableError)
    const e = err as UpstreamUnavailableError
    expect([e.status, e.reason, e.error]).toEqual([
      503,
      'introspection_unavailable',
      'temporarily_unavailable',
    ])
    expect(e.headers['www-authenticate']).toBeUndefined()
    expect(e.headers['retry-after']).toBe(retryAfter)
    const rendered = JSON.stringify(e.toJSON()) + e.message
    expect(rendered).not.toContain('UPSTREAM-SECRET-DETAIL')
    expect(rendered).not.toContain(token)
    expect(store.size).toBe(0)
    // Upstream recovers: the failure was not remembered.
    hydra.mode = 'ok'
    await expect(v.verify(token)).resolves.toMatchObject({ subject: 'user-1' })
  })

  it.each<Mode>(['400-unsupported-token-type', '400-invalid-token'])(
    '%s is about the client’s token: 401 invalid_token, negative-cached',
    async (mode) => {
      hydra.mode = mode
      const token = mintOpaque()
      const v = make()
      const err = await rejection(v.verify(token))
      expect(err).toBeInstanceOf(InvalidTokenError)
      const e = err as InvalidTokenError
      expect([e.status, e.reason, e.error]).toEqual([401, 'inactive', 'invalid_token'])
      expect(e.headers['www-authenticate']).toMatch(/^Bearer realm="api", error="invalid_token"/)
      await rejection(v.verify(token))
      expect(hydra.introspectCalls).toBe(1)
    },
  )

  it('connection refused → 503', async () => {
    const v = make({ adminUrl: await closedPortUrl() })
    const err = await rejection(v.verify(mintOpaque()))
    expect(err).toBeInstanceOf(UpstreamUnavailableError)
    expect((err as UpstreamUnavailableError).debug).toEqual({ failure: 'connection' })
  })

  it('oversized body is refused at the configured maxResponseBytes', async () => {
    const token = mintOpaque()
    hydra.tokens.set(token, activeAnswer({ ext: { note: 'y'.repeat(2000) } }))
    const err = await rejection(make({ maxResponseBytes: 1024 }).verify(token))
    expect(err).toBeInstanceOf(UpstreamUnavailableError)
    expect((err as UpstreamUnavailableError).debug).toEqual({ failure: 'too_large' })
    await expect(make().verify(token)).resolves.toMatchObject({ subject: 'user-1' })
  })

  it('timeout → 503 with failure timeout', async () => {
    hydra.mode = 'slow'
    const err = await rejection(make({ timeoutMs: 100 }).verify(mintOpaque()))
    expect((err as UpstreamUnavailableError).debug).toEqual({ failure: 'timeout' })
  })
})

describe('admin API auth', () => {
  it('basic auth header, plus extra headers', async () => {
    const token = mintOpaque()
    hydra.tokens.set(token, activeAnswer())
    await make({
      auth: { type: 'basic', username: 'admin', password: 'pw' },
      headers: { 'X-Tenant': 'acme' },
    }).verify(token)
    expect(hydra.seen[0]!.headers.authorization).toBe('Basic ' + Buffer.from('admin:pw').toString('base64'))
    expect(hydra.seen[0]!.headers['x-tenant']).toBe('acme')
  })

  it('bearer API key (Ory Network)', async () => {
    const token = mintOpaque()
    hydra.tokens.set(token, activeAnswer())
    await make({ auth: { type: 'bearer', token: 'ory_pat_key' } }).verify(token)
    expect(hydra.seen[0]!.headers.authorization).toBe('Bearer ory_pat_key')
  })

  const cc = (): IntrospectionVerifierOptions['auth'] => ({
    type: 'client_credentials',
    tokenUrl: `${hydra.base}/oauth2/token`,
    clientId: 'svc',
    clientSecret: 's3cret',
  })

  it('client_credentials: the token is fetched once, reused until expiry, then refreshed', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    hydra.ccExpiresIn = 120
    const v = make({ auth: cc(), cache: false })
    const a = mintOpaque()
    const b = mintOpaque()
    hydra.tokens.set(a, activeAnswer())
    hydra.tokens.set(b, activeAnswer())
    await v.verify(a)
    await v.verify(b)
    expect(hydra.tokenCalls).toBe(1)
    expect(hydra.seen.map((s) => s.headers.authorization)).toEqual(['Bearer cc-1', 'Bearer cc-1'])
    // 120 s lifetime minus the 30 s refresh skew: at +91 s a new token is fetched.
    vi.setSystemTime(Date.now() + 91_000)
    hydra.tokens.set(a, activeAnswer())
    await v.verify(a)
    expect(hydra.tokenCalls).toBe(2)
    expect(hydra.seen.at(-1)!.headers.authorization).toBe('Bearer cc-2')
  })

  it('client_credentials: a 401 from introspection drops the cached token and retries once', async () => {
    const v = make({ auth: cc() })
    const token = mintOpaque()
    hydra.tokens.set(token, activeAnswer())
    await v.verify(mintOpaque()).catch(() => undefined) // obtains cc-1
    // The admin side rotates credentials: cc-1 is no longer accepted.
    hydra.requireAuthorization = 'Bearer rotated'
    hydra.introspectCalls = 0
    const next = hydra.issued.length
    const info = await v.verify(token)
    expect(info.subject).toBe('user-1')
    expect(hydra.tokenCalls).toBe(2)
    expect(hydra.issued.length).toBe(next + 1)
    expect(hydra.introspectCalls).toBe(2)
  })

  it('client_credentials: a second 401 is an outage (503), after exactly one retry', async () => {
    const v = make({ auth: cc() })
    hydra.mode = '401'
    const err = await rejection(v.verify(mintOpaque()))
    expect(err).toBeInstanceOf(UpstreamUnavailableError)
    expect(hydra.introspectCalls).toBe(2)
    expect(hydra.tokenCalls).toBe(2)
  })

  it('client_credentials: a failing token endpoint is a 503', async () => {
    const v = make({
      auth: { ...(cc() as object), clientSecret: 'wrong' } as IntrospectionVerifierOptions['auth'],
    })
    const err = await rejection(v.verify(mintOpaque()))
    expect(err).toBeInstanceOf(UpstreamUnavailableError)
    expect((err as UpstreamUnavailableError).debug).toEqual({ stage: 'admin_auth' })
    expect(hydra.introspectCalls).toBe(0)
  })

  it('basic auth: a 401 is not retried', async () => {
    hydra.mode = '401'
    const err = await rejection(
      make({ auth: { type: 'basic', username: 'a', password: 'b' } }).verify(mintOpaque()),
    )
    expect(err).toBeInstanceOf(UpstreamUnavailableError)
    expect(hydra.introspectCalls).toBe(1)
  })
})

describe('cache', () => {
  it('a second verify is served from the cache; the result is frozen, so no caller can change it', async () => {
    const token = mintOpaque()
    hydra.tokens.set(token, activeAnswer())
    const events: CacheEvent[] = []
    const v = make({ hooks: { onCache: (e) => events.push(e) } })
    const first = await v.verify(token)
    expect(() => first.scopes.push('admin')).toThrow(TypeError)
    expect(() => {
      first.claims.sub = 'attacker'
    }).toThrow(TypeError)
    expect(() => {
      first.ext.tenant = 'evil'
    }).toThrow(TypeError)
    const second = await v.verify(token)
    expect(second).toBe(first)
    expect(hydra.introspectCalls).toBe(1)
    expect(second.subject).toBe('user-1')
    expect(second.scopes).toEqual(['read', 'write', 'offline'])
    expect(second.claims.sub).toBe('user-1')
    expect(second.ext).toEqual({ tenant: 't1', roles: ['admin'] })
    expect(events).toEqual([
      { cache: 'introspection', tier: 'l1', outcome: 'miss' },
      { cache: 'introspection', tier: 'l1', outcome: 'hit' },
    ])
  })

  it('keys are prefixed SHA-256 hashes; the raw token is never stored; one changed char is a miss', async () => {
    const token = mintOpaque()
    hydra.tokens.set(token, activeAnswer())
    const store = createMemoryCacheStore()
    const v = make({ cache: { store, keyPrefix: 'svc-a:' } })
    await v.verify(token)
    const entries = store.entries()
    expect(entries.map(([k]) => k)).toEqual([tokenCacheKey(token, 'svc-a:')])
    expect(JSON.stringify(entries)).not.toContain(token)
    expect(JSON.stringify(entries)).not.toContain(token.slice(7, 40))
    // Cache poisoning: a forged sibling token must not ride on the cached entry.
    const sibling = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A')
    const err = await rejection(v.verify(sibling))
    expect((err as InvalidTokenError).reason).toBe('inactive')
    expect(hydra.introspectCalls).toBe(2)
  })

  it('TTL = min(ttlMs, exp − now); negative answers get negativeTtlMs', async () => {
    const store = recordingStore()
    const v = make({ cache: { store, ttlMs: 60_000, negativeTtlMs: 4_000 } })
    const soon = mintOpaque()
    hydra.tokens.set(soon, activeAnswer({ exp: now() + 10 }))
    const later = mintOpaque()
    hydra.tokens.set(later, activeAnswer({ exp: now() + 3600 }))
    await v.verify(soon)
    await v.verify(later)
    await v.verify(mintOpaque()).catch(() => undefined)
    const [a, b, c] = store.sets
    expect(a!.ttlMs).toBeGreaterThan(8_000)
    expect(a!.ttlMs).toBeLessThanOrEqual(10_000)
    expect(b!.ttlMs).toBe(60_000)
    expect(c).toMatchObject({ value: { active: false }, ttlMs: 4_000 })
  })

  it('never serves an entry past exp: refused without upstream beyond the tolerance, re-asked within it', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const store = createMemoryCacheStore()
    const v = make({ cache: { store, ttlMs: 600_000 }, clockTolerance: 5 })
    const token = mintOpaque()
    hydra.tokens.set(token, activeAnswer({ exp: now() + 30 }))
    await v.verify(token)
    expect(hydra.introspectCalls).toBe(1)

    // 2 s past exp (inside the tolerance): the cached entry is dropped and Hydra decides.
    vi.setSystemTime(Date.now() + 32_000)
    hydra.tokens.delete(token) // Hydra now says inactive
    expect(((await rejection(v.verify(token))) as InvalidTokenError).reason).toBe('inactive')
    expect(hydra.introspectCalls).toBe(2)

    // Far past exp: refused as expired straight from the cache entry, no upstream call.
    const other = mintOpaque()
    hydra.tokens.set(other, activeAnswer({ exp: now() + 30 }))
    await v.verify(other)
    vi.setSystemTime(Date.now() + 120_000)
    hydra.introspectCalls = 0
    expect(((await rejection(v.verify(other))) as InvalidTokenError).reason).toBe('expired')
    expect(hydra.introspectCalls).toBe(0)
    expect(await store.get(tokenCacheKey(other, 'hydrakit:introspection:'))).toBeUndefined()
  })

  it('negative cache: an inactive token reaches Hydra once per negativeTtlMs', async () => {
    const events: CacheEvent[] = []
    const v = make({ hooks: { onCache: (e) => events.push(e) } })
    const token = mintOpaque()
    for (let i = 0; i < 3; i++) {
      expect(((await rejection(v.verify(token))) as InvalidTokenError).reason).toBe('inactive')
    }
    expect(hydra.introspectCalls).toBe(1)
    expect(events.map((e) => e.outcome)).toEqual(['miss', 'negative_hit', 'negative_hit'])
  })

  it('negativeTtlMs 0 disables negative caching; ttlMs 0 disables positive caching', async () => {
    const v = make({ cache: { negativeTtlMs: 0, ttlMs: 0 } })
    const dead = mintOpaque()
    await v.verify(dead).catch(() => undefined)
    await v.verify(dead).catch(() => undefined)
    const live = mintOpaque()
    hydra.tokens.set(live, activeAnswer())
    await v.verify(live)
    await v.verify(live)
    expect(hydra.introspectCalls).toBe(4)
  })

  it('cache: false introspects every time', async () => {
    const token = mintOpaque()
    hydra.tokens.set(token, activeAnswer())
    const v = make({ cache: false })
    await v.verify(token)
    await v.verify(token)
    expect(hydra.introspectCalls).toBe(2)
  })

  it('refused active answers (refresh tokens) are cached too, and still refused on a hit', async () => {
    const token = mintOpaque()
    hydra.tokens.set(token, activeAnswer({ token_use: 'refresh_token' }))
    const v = make()
    for (let i = 0; i < 3; i++) {
      expect(((await rejection(v.verify(token))) as InvalidTokenError).reason).toBe('token_use')
    }
    expect(hydra.introspectCalls).toBe(1)
  })

  it('an upstream that echoes the token is not cached', async () => {
    const token = mintOpaque()
    hydra.tokens.set(token, activeAnswer({ username: token }))
    const store = createMemoryCacheStore()
    const v = make({ cache: { store } })
    await v.verify(token)
    await v.verify(token)
    expect(store.size).toBe(0)
    expect(hydra.introspectCalls).toBe(2)
  })

  it('a broken store never fails a request (reported as cache errors)', async () => {
    const token = mintOpaque()
    hydra.tokens.set(token, activeAnswer())
    const broken: CacheStore = {
      get: () => Promise.reject(new Error('redis down')),
      set: () => Promise.reject(new Error('redis down')),
      delete: () => Promise.reject(new Error('redis down')),
    }
    const events: CacheEvent[] = []
    const v = make({ cache: { store: broken }, hooks: { onCache: (e) => events.push(e) } })
    await expect(v.verify(token)).resolves.toMatchObject({ subject: 'user-1' })
    expect(events.map((e) => e.outcome)).toEqual(['error', 'miss', 'error'])
  })

  it('a tampered shared-store entry is a miss, not a grant', async () => {
    const store = createMemoryCacheStore()
    const token = mintOpaque() // unknown to Hydra
    const key = tokenCacheKey(token, 'hydrakit:introspection:')
    await store.set(key, { active: true, claims: { active: 'yes', token_use: 'access_token' } }, 60_000)
    const v = make({ cache: { store } })
    expect(((await rejection(v.verify(token))) as InvalidTokenError).reason).toBe('inactive')
    expect(hydra.introspectCalls).toBe(1)
  })
})

describe('coalescing (single flight)', () => {
  it('50 concurrent verifies of one new token make exactly one upstream call', async () => {
    hydra.delayMs = 50
    const token = mintOpaque()
    hydra.tokens.set(token, activeAnswer())
    const v = make()
    const results = await Promise.all(Array.from({ length: 50 }, () => v.verify(token)))
    expect(hydra.introspectCalls).toBe(1)
    expect(results.every((r) => r.subject === 'user-1')).toBe(true)
    // One answer, shared by every waiter: frozen whole, so no caller can change what another sees.
    expect(
      results.every((r) => Object.isFrozen(r) && Object.isFrozen(r.claims) && Object.isFrozen(r.scopes)),
    ).toBe(true)
  })

  it('coalesces with the cache disabled too', async () => {
    hydra.delayMs = 50
    const token = mintOpaque()
    hydra.tokens.set(token, activeAnswer())
    const v = make({ cache: false })
    await Promise.all(Array.from({ length: 20 }, () => v.verify(token)))
    expect(hydra.introspectCalls).toBe(1)
  })

  it('a failure of the shared call reaches every waiter and is not cached', async () => {
    hydra.delayMs = 50
    hydra.mode = '500'
    const token = mintOpaque()
    hydra.tokens.set(token, activeAnswer())
    const v = make()
    const settled = await Promise.allSettled(Array.from({ length: 50 }, () => v.verify(token)))
    expect(hydra.introspectCalls).toBe(1)
    expect(
      settled.every((s) => s.status === 'rejected' && s.reason instanceof UpstreamUnavailableError),
    ).toBe(true)
    hydra.mode = 'ok'
    await v.verify(token)
    expect(hydra.introspectCalls).toBe(2)
  })

  it('an aborted caller stops waiting (503) while the others get the answer', async () => {
    hydra.delayMs = 100
    const token = mintOpaque()
    hydra.tokens.set(token, activeAnswer())
    const v = make()
    const ac = new AbortController()
    const aborted = v.verify(token, { signal: ac.signal })
    const patient = v.verify(token)
    setTimeout(() => ac.abort(), 10)
    const err = await rejection(aborted)
    expect(err).toBeInstanceOf(UpstreamUnavailableError)
    expect((err as UpstreamUnavailableError).debug).toEqual({ failure: 'aborted' })
    await expect(patient).resolves.toMatchObject({ subject: 'user-1' })
    expect(hydra.introspectCalls).toBe(1)
  })

  it('an already aborted signal makes no upstream call', async () => {
    const err = await rejection(make().verify(mintOpaque(), { signal: AbortSignal.abort() }))
    expect(err).toBeInstanceOf(UpstreamUnavailableError)
    expect(hydra.introspectCalls).toBe(0)
  })
})

describe('hooks', () => {
  it('onVerify, onUpstream and onCache report outcomes; a throwing hook is ignored', async () => {
    const verifies: VerifyEvent[] = []
    const upstream: UpstreamEvent[] = []
    const v = make({
      hooks: {
        onVerify: (e) => {
          verifies.push(e)
          throw new Error('broken listener')
        },
        onUpstream: (e) => upstream.push(e),
        onCache: () => {
          throw new Error('broken listener')
        },
      },
    })
    const token = mintOpaque()
    hydra.tokens.set(token, activeAnswer())
    await v.verify(token)
    await v.verify(token)
    await v.verify(mintOpaque()).catch(() => undefined)
    expect(verifies.map((e) => [e.outcome, e.source, e.cached, e.reason])).toEqual([
      ['success', 'introspection', false, undefined],
      ['success', 'introspection', true, undefined],
      ['failure', 'introspection', false, 'inactive'],
    ])
    expect(upstream.map((e) => [e.kind, e.method, e.url, e.status])).toEqual([
      ['introspection', 'POST', `${hydra.base}/admin/oauth2/introspect`, 200],
      ['introspection', 'POST', `${hydra.base}/admin/oauth2/introspect`, 200],
    ])
    expect(JSON.stringify(verifies)).not.toContain(token)
  })
})

describe('lifecycle', () => {
  it('close() is idempotent, aborts calls in flight, and later verifies are 503', async () => {
    hydra.mode = 'slow'
    const v = make({ timeoutMs: 10_000 })
    const pending = rejection(v.verify(mintOpaque()))
    await new Promise((r) => setTimeout(r, 50))
    await Promise.all([v.close(), v.close()])
    expect(await pending).toBeInstanceOf(UpstreamUnavailableError)
    expect(hydra.seen.length).toBe(1)
    hydra.mode = 'ok'
    const err = await rejection(v.verify(mintOpaque()))
    expect((err as UpstreamUnavailableError).debug).toEqual({ failure: 'closed' })
  })

  it('uses a caller-provided dispatcher and leaves it open on close()', async () => {
    const agent = new Agent()
    try {
      const token = mintOpaque()
      hydra.tokens.set(token, activeAnswer())
      const v = make({ dispatcher: agent, cache: false })
      await v.verify(token)
      await v.close()
      const again = make({ dispatcher: agent, cache: false })
      await expect(again.verify(token)).resolves.toMatchObject({ subject: 'user-1' })
      expect(agent.closed).toBe(false)
    } finally {
      await agent.close()
    }
  })
})

describe('verifyNow (cache hits without a promise)', () => {
  it('settles a memory-store hit synchronously: the same frozen result, reported like verify()', async () => {
    const token = mintOpaque()
    hydra.tokens.set(token, activeAnswer())
    const verifies: VerifyEvent[] = []
    const caches: CacheEvent[] = []
    const v = make({ hooks: { onVerify: (e) => verifies.push(e), onCache: (e) => caches.push(e) } })
    expect(v.verifyNow(token)).toBeUndefined() // nothing cached yet: verify() must ask
    const first = await v.verify(token)
    const now = v.verifyNow(token)
    expect(now).toBe(first)
    expect(now?.subject).toBe('user-1')
    expect(hydra.introspectCalls).toBe(1)
    expect(verifies.map((e) => [e.outcome, e.cached])).toEqual([
      ['success', false],
      ['success', true],
    ])
    expect(caches.map((e) => e.outcome)).toEqual(['miss', 'hit'])
  })

  it('a listener that reads failures only is sent no event for a synchronous hit', async () => {
    const token = mintOpaque()
    hydra.tokens.set(token, activeAnswer())
    const heard: VerifyEvent[] = []
    const v = make({ hooks: { onVerify: ignoresSuccesses((e: VerifyEvent) => heard.push(e)) } })
    await v.verify(token)
    expect(v.verifyNow(token)?.token).toBe(token)
    expect(heard.map((e) => [e.outcome, e.cached])).toEqual([['success', false]])
  })

  it('leaves negative, expired, foreign-audience and malformed cases to verify()', async () => {
    const inactive = mintOpaque()
    const soon = mintOpaque()
    const foreign = mintOpaque()
    hydra.tokens.set(foreign, activeAnswer({ aud: ['other'] }))
    const v = make({ audience: 'api' })
    hydra.tokens.set(soon, activeAnswer({ exp: now() + 2, aud: ['api'] }))
    await rejection(v.verify(inactive))
    expect(v.verifyNow(inactive)).toBeUndefined()
    expect(await rejection(v.verify(inactive))).toMatchObject({ reason: 'inactive' })
    await v.verify(soon)
    expect(v.verifyNow(soon)).toBeDefined()
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      vi.setSystemTime(Date.now() + 3_000)
      expect(v.verifyNow(soon)).toBeUndefined()
    } finally {
      vi.useRealTimers()
    }
    expect(await rejection(v.verify(foreign))).toMatchObject({ reason: 'audience' })
    expect(v.verifyNow(foreign)).toBeUndefined()
    expect(v.verifyNow('has space')).toBeUndefined()
    expect(v.verifyNow(42 as unknown as string)).toBeUndefined()
  })

  it('a store without getSync (Redis-like) and no cache at all: always undefined', async () => {
    const token = mintOpaque()
    hydra.tokens.set(token, activeAnswer())
    const backing = createMemoryCacheStore()
    const asyncOnly: CacheStore = {
      get: (k) => backing.get(k),
      set: (k, val, ttl) => backing.set(k, val, ttl),
      delete: (k) => backing.delete(k),
    }
    const a = make({ cache: { store: asyncOnly } })
    const b = make({ cache: false })
    await a.verify(token)
    await b.verify(token)
    expect(a.verifyNow(token)).toBeUndefined()
    expect(b.verifyNow(token)).toBeUndefined()
    await a.verify(token)
    expect(hydra.introspectCalls).toBe(2) // a's second verify was a cache hit; b has no cache
  })

  it('a revoked token is never settled from what was remembered', async () => {
    const token = mintOpaque()
    hydra.tokens.set(token, activeAnswer())
    const v = make()
    await v.verify(token)
    expect(v.verifyNow(token)).toBeDefined()
    await v.revoke(token)
    expect(v.verifyNow(token)).toBeUndefined()
    expect(await rejection(v.verify(token))).toMatchObject({ reason: 'inactive' })
  })

  it('a store that answers one value for every key never hands out another token’s result', async () => {
    const a = mintOpaque()
    const b = mintOpaque()
    hydra.tokens.set(a, activeAnswer())
    let only: JsonValue | undefined
    const confused: CacheStore = {
      get: () => Promise.resolve(only),
      getSync: () => only,
      set: (_k, value) => {
        only = value
        return Promise.resolve()
      },
      delete: () => Promise.resolve(),
    }
    const v = make({ cache: { store: confused } })
    const forA = await v.verify(a)
    const forB = v.verifyNow(b)
    expect(forB).not.toBe(forA)
    expect(forB?.token).toBe(b)
  })
  it('two tokens ending in the same 43 characters are two tokens: neither gets the other’s answer', async () => {
    const tail = mintOpaque().slice(-43)
    const active = `ory_at_first.${tail}`
    const unknown = `ory_at_other.${tail}`
    hydra.tokens.set(active, activeAnswer())
    const v = make()
    expect((await v.verify(active)).token).toBe(active)
    expect(v.verifyNow(unknown)).toBeUndefined()
    expect(await rejection(v.verify(unknown))).toMatchObject({ reason: 'inactive' })
    expect(hydra.introspectCalls).toBe(2)
    // Each went to its own store entry, and both stay answered from the cache.
    expect(v.verifyNow(active)?.token).toBe(active)
    expect(await rejection(v.verify(unknown))).toMatchObject({ reason: 'inactive' })
    expect((await v.verify(active)).token).toBe(active)
    expect(hydra.introspectCalls).toBe(2)
  })

  it('a remembered token and a fresh verifier sharing the store agree on its store key', async () => {
    const token = mintOpaque()
    hydra.tokens.set(token, activeAnswer())
    const store = createMemoryCacheStore()
    const first = make({ cache: { store } })
    await first.verify(token)
    await first.verify(token) // the second lookup goes through the remembered key
    const second = make({ cache: { store } })
    expect(second.verifyNow(token)?.token).toBe(token)
    expect(hydra.introspectCalls).toBe(1)
  })
})
