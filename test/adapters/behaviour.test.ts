// One behaviour table, run against Express 4/5, Koa 2/3, Fastify 4/5 and Hono (on node through
// @hono/node-server) apps started as real servers, in every verification mode: the same requests must get the same status, the same
// WWW-Authenticate challenge and the same JSON body everywhere.
import { createServer } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FRAMEWORKS, startApp, type Framework, type RunningApp, type SharedOptions } from '../support/apps.js'
import { startTestIssuer, type TestIssuer } from '../support/issuer.js'

type TokenMode = 'jwt' | 'introspection' | 'hybrid-jwt' | 'hybrid-opaque'
const TOKEN_MODES: TokenMode[] = ['jwt', 'introspection', 'hybrid-jwt', 'hybrid-opaque']
const META = 'http://localhost:4000/.well-known/oauth-protected-resource'

interface Tokens {
  grant(scopes: string[], claims?: Record<string, unknown>): Promise<string>
  expired(): Promise<string>
  badSignature(): Promise<string>
  wrongAudience(): Promise<string>
  wrongIssuer(): Promise<string>
}

function tokensFor(mode: TokenMode, issuer: TestIssuer): Tokens {
  const jwtMode = mode === 'jwt' || mode === 'hybrid-jwt'
  return jwtMode
    ? {
        grant: (scopes, claims) => issuer.jwt({ scp: scopes, ...claims }),
        expired: () => issuer.jwt({ scp: ['read'] }, { expiresIn: -120 }),
        badSignature: () => issuer.jwt({ scp: ['read'] }, { key: 'other' }),
        wrongAudience: () => issuer.jwt({ scp: ['read'], aud: ['billing'] }),
        wrongIssuer: () => issuer.jwt({ scp: ['read'], iss: 'https://evil.example' }),
      }
    : {
        grant: (scopes, claims) => Promise.resolve(issuer.opaque({ scope: scopes.join(' '), ...claims })),
        expired: () => Promise.resolve(issuer.opaque({ scope: 'read' }, { expiresIn: -120 })),
        badSignature: () => Promise.resolve('ory_at_' + 'x'.repeat(40)),
        wrongAudience: () => Promise.resolve(issuer.opaque({ scope: 'read', aud: ['billing'] })),
        wrongIssuer: () => Promise.resolve(issuer.opaque({ scope: 'read', iss: 'https://evil.example' })),
      }
}

interface Req {
  method?: string
  path: string
  headers?: Record<string, string>
  body?: string
}
interface Row {
  name: string
  request: (t: Tokens, issuer: TestIssuer) => Promise<Req>
  status: number
  /** Exact challenge, a pattern, or null for "no WWW-Authenticate". */
  challenge?: string | RegExp | null
  body?: Record<string, unknown>
  error?: string
  only?: TokenMode[]
  app?: 'main' | 'down'
}

const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` })
const challenge = (error: string, extra = ''): RegExp =>
  new RegExp(
    `^Bearer realm="api", error="${error}", error_description="[^"]+"${extra}, resource_metadata="${META.replace(/[./]/g, '\\$&')}"$`,
  )

const rows: Row[] = [
  {
    name: 'public route needs nothing',
    request: () => Promise.resolve({ path: '/public' }),
    status: 200,
    body: { ok: true },
  },
  {
    name: 'missing token → 401 with a bare challenge',
    request: () => Promise.resolve({ path: '/me' }),
    status: 401,
    challenge: `Bearer realm="api", resource_metadata="${META}"`,
    error: 'unauthorized',
  },
  {
    name: 'wrong scheme → 400 invalid_request',
    request: () => Promise.resolve({ path: '/me', headers: { authorization: 'Basic YTpi' } }),
    status: 400,
    challenge: challenge('invalid_request'),
    error: 'invalid_request',
  },
  {
    name: 'malformed bearer value → 400',
    request: () => Promise.resolve({ path: '/me', headers: { authorization: 'Bearer a b' } }),
    status: 400,
    challenge: challenge('invalid_request'),
    error: 'invalid_request',
  },
  {
    name: 'oversized token → 400 before any verification',
    request: () => Promise.resolve({ path: '/me', headers: bearer('a'.repeat(9000)) }),
    status: 400,
    error: 'invalid_request',
  },
  {
    name: 'valid token → 200 with req.auth',
    request: async (t) => ({ path: '/me', headers: bearer(await t.grant(['read'])) }),
    status: 200,
    body: { subject: 'alice', scopes: ['read'], anonymous: false },
  },
  {
    name: 'bad signature / unknown token → 401 invalid_token',
    request: async (t) => ({ path: '/me', headers: bearer(await t.badSignature()) }),
    status: 401,
    challenge: challenge('invalid_token'),
    error: 'invalid_token',
  },
  {
    name: 'expired → 401',
    request: async (t) => ({ path: '/me', headers: bearer(await t.expired()) }),
    status: 401,
    challenge: challenge('invalid_token'),
    error: 'invalid_token',
  },
  {
    name: 'wrong audience → 401',
    request: async (t) => ({ path: '/me', headers: bearer(await t.wrongAudience()) }),
    status: 401,
    error: 'invalid_token',
  },
  {
    name: 'wrong issuer → 401',
    request: async (t) => ({ path: '/me', headers: bearer(await t.wrongIssuer()) }),
    status: 401,
    error: 'invalid_token',
  },
  {
    name: 'refresh token presented as an access token → 401',
    only: ['introspection', 'hybrid-opaque'],
    request: (_t, issuer) =>
      Promise.resolve({
        path: '/me',
        headers: bearer(issuer.opaque({ scope: 'read' }, { tokenUse: 'refresh_token' })),
      }),
    status: 401,
    error: 'invalid_token',
  },
  {
    name: 'ID token (signed by the ID-token key) → 401',
    only: ['jwt', 'hybrid-jwt'],
    request: async (_t, issuer) => ({
      path: '/me',
      headers: bearer(await issuer.jwt({ scp: ['read'] }, { key: 'id' })),
    }),
    status: 401,
    error: 'invalid_token',
  },
  {
    name: 'insufficient scope → 403 naming the scope',
    request: async (t) => ({ path: '/read', headers: bearer(await t.grant(['profile'])) }),
    status: 403,
    challenge: challenge('insufficient_scope', ', scope="read"'),
    error: 'insufficient_scope',
  },
  {
    name: 'all-of scopes: one missing → 403 listing both',
    request: async (t) => ({ path: '/write', headers: bearer(await t.grant(['read'])) }),
    status: 403,
    challenge: challenge('insufficient_scope', ', scope="read write"'),
  },
  {
    name: 'all-of scopes: both → 200',
    request: async (t) => ({ path: '/write', headers: bearer(await t.grant(['read', 'write'])) }),
    status: 200,
  },
  {
    name: 'any-of scopes: one of them → 200',
    request: async (t) => ({ path: '/any', headers: bearer(await t.grant(['write'])) }),
    status: 200,
  },
  {
    name: 'any-of scopes: none → 403',
    request: async (t) => ({ path: '/any', headers: bearer(await t.grant(['read'])) }),
    status: 403,
    challenge: challenge('insufficient_scope', ', scope="admin write"'),
  },
  {
    name: 'exact strategy: photos.* does not grant photos.read',
    request: async (t) => ({ path: '/photos/exact', headers: bearer(await t.grant(['photos.*'])) }),
    status: 403,
  },
  {
    name: 'wildcard strategy: photos.* grants photos.read',
    request: async (t) => ({ path: '/photos/wild', headers: bearer(await t.grant(['photos.*'])) }),
    status: 200,
  },
  {
    name: 'wildcard strategy: photos does not grant photos.read',
    request: async (t) => ({ path: '/photos/wild', headers: bearer(await t.grant(['photos'])) }),
    status: 403,
  },
  {
    name: 'hierarchic strategy: photos grants photos.read',
    request: async (t) => ({ path: '/photos/hier', headers: bearer(await t.grant(['photos'])) }),
    status: 200,
  },
  {
    name: 'claims: matching tenant → 200',
    request: async (t) => ({ path: '/tenant', headers: bearer(await t.grant([], { tenant: 'acme' })) }),
    status: 200,
  },
  {
    name: 'claims: other tenant → 403',
    request: async (t) => ({ path: '/tenant', headers: bearer(await t.grant([], { tenant: 'evil' })) }),
    status: 403,
    error: 'insufficient_scope',
  },
  {
    name: 'optional auth: no token → anonymous 200',
    request: () => Promise.resolve({ path: '/feed' }),
    status: 200,
    body: { anonymous: true },
  },
  {
    name: 'optional auth: an invalid token is still refused',
    request: async (t) => ({ path: '/feed', headers: bearer(await t.expired()) }),
    status: 401,
    error: 'invalid_token',
  },
  {
    name: 'token in header and query → 400',
    request: async (t) => {
      const tok = await t.grant(['read'])
      return { path: `/read?access_token=${tok}`, headers: bearer(tok) }
    },
    status: 400,
    error: 'invalid_request',
  },
  {
    name: 'token in the query (enabled) → 200',
    request: async (t) => ({ path: `/read?access_token=${await t.grant(['read'])}` }),
    status: 200,
  },
  {
    name: 'token in a form body (enabled) → 200',
    request: async (t) => ({
      method: 'POST',
      path: '/read',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `access_token=${await t.grant(['read'])}`,
    }),
    status: 200,
  },
  {
    name: 'CORS preflight passes without a token',
    request: () =>
      Promise.resolve({
        method: 'OPTIONS',
        path: '/read',
        headers: { 'access-control-request-method': 'GET', origin: 'https://app.example' },
      }),
    status: 204,
  },
  {
    name: 'a plain OPTIONS (not a preflight) still needs a token',
    request: () => Promise.resolve({ method: 'OPTIONS', path: '/read' }),
    status: 401,
  },
  {
    name: 'RFC 9728 metadata is served',
    request: () => Promise.resolve({ path: '/.well-known/oauth-protected-resource' }),
    status: 200,
    body: { resource: 'http://localhost:4000', bearer_methods_supported: ['header', 'body', 'query'] },
  },
  {
    name: 'verification upstream down → 503 temporarily_unavailable, no challenge',
    app: 'down',
    request: async (t) => ({ path: '/me', headers: bearer(await t.grant(['read'])) }),
    status: 503,
    challenge: null,
    error: 'temporarily_unavailable',
  },
]

async function closedPortUrl(): Promise<string> {
  const srv = createServer()
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve))
  const port = (srv.address() as { port: number }).port
  await new Promise<void>((resolve) => srv.close(() => resolve()))
  return `http://127.0.0.1:${port}`
}

function optionsFor(mode: TokenMode, issuer: TestIssuer, down?: string): SharedOptions {
  const common = {
    issuer: issuer.issuer,
    audience: 'api',
    token: { query: true, body: true },
    protectedResource: { resource: 'http://localhost:4000', authorizationServers: [issuer.issuer] },
  }
  const jwt = { allowedKids: ['access-1'], ...(down ? { jwksUri: `${down}/.well-known/jwks.json` } : {}) }
  const introspection = { timeoutMs: 2000 }
  if (mode === 'jwt') return { ...common, mode: 'jwt', jwt }
  if (mode === 'introspection')
    return { ...common, mode: 'introspection', adminUrl: down ?? issuer.adminUrl, introspection }
  return { ...common, mode: 'hybrid', adminUrl: down ?? issuer.adminUrl, jwt, introspection }
}

let issuer: TestIssuer
const apps = new Map<string, RunningApp>()

beforeAll(async () => {
  issuer = await startTestIssuer()
  const down = await closedPortUrl()
  for (const mode of TOKEN_MODES) {
    for (const fw of FRAMEWORKS) {
      apps.set(`${mode}/${fw}/main`, await startApp(fw, optionsFor(mode, issuer)))
      apps.set(`${mode}/${fw}/down`, await startApp(fw, optionsFor(mode, issuer, down)))
    }
  }
})

afterAll(async () => {
  await Promise.all([...apps.values()].map((a) => a.close()))
  await issuer?.close()
})

describe.each(TOKEN_MODES)('mode %s', (mode) => {
  describe.each(FRAMEWORKS)('%s', (fw: Framework) => {
    const applicable = rows.filter((r) => r.only === undefined || r.only.includes(mode))
    it.each(applicable.map((r) => [r.name, r] as const))('%s', async (_name, row) => {
      const app = apps.get(`${mode}/${fw}/${row.app ?? 'main'}`)!
      const req = await row.request(tokensFor(mode, issuer), issuer)
      const res = await fetch(app.url + req.path, {
        method: req.method ?? 'GET',
        headers: req.headers,
        body: req.body,
      })
      const text = await res.text()
      expect(res.status, text).toBe(row.status)
      const www = res.headers.get('www-authenticate')
      if (row.challenge === null) expect(www).toBeNull()
      else if (typeof row.challenge === 'string') expect(www).toBe(row.challenge)
      else if (row.challenge instanceof RegExp) expect(www).toMatch(row.challenge)
      if (row.status >= 400 && row.status !== 404) {
        expect(res.headers.get('content-type')).toMatch(/^application\/json/)
        const body = JSON.parse(text) as { error: string; error_description: string }
        expect(Object.keys(body).sort()).toEqual(['error', 'error_description'])
        if (row.error !== undefined) expect(body.error).toBe(row.error)
        // Never echo the token or internals.
        expect(text).not.toMatch(/ory_at_|eyJ|stack|Error:/)
      }
      if (row.body !== undefined) expect(JSON.parse(text)).toMatchObject(row.body)
    })
  })
})

describe('verification happens once per request', () => {
  it.each(FRAMEWORKS)('%s: a scope guard after authenticate does not introspect again', async (fw) => {
    const app = apps.get(`introspection/${fw}/main`)!
    const token = issuer.opaque({ scope: 'read write' })
    const before = issuer.calls.introspection
    const res = await fetch(`${app.url}/write`, { headers: bearer(token) })
    expect(res.status).toBe(200)
    expect(issuer.calls.introspection - before).toBe(1)
    // Cached: a second request makes no upstream call.
    expect((await fetch(`${app.url}/write`, { headers: bearer(token) })).status).toBe(200)
    expect(issuer.calls.introspection - before).toBe(1)
  })
})
