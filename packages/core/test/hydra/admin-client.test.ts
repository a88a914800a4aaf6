import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createHydraAdminClient, type HydraAdminClient } from '../../src/hydra/admin-client.js'
import { HydraError } from '../../src/hydra/hydra-error.js'
import * as fx from './helpers/fixtures.js'
import { startRecordingServer, type CannedReply, type RecordingServer } from './helpers/recording-server.js'

type Version = 'v2' | 'v1'

interface Case {
  /** The operationId under test. */
  op: string
  call: (c: HydraAdminClient, v: Version) => Promise<unknown>
  method: string
  /** Exact raw request target per version; `null`: refused on that version without a request. */
  url: Record<Version, string | null>
  /** Expected JSON body. */
  json?: unknown
  /** Expected form body. */
  form?: Record<string, string>
  reply: CannedReply
  /** Expected resolved value. */
  result: unknown
  accept?: string
}

const date = new Date('2026-02-03T04:05:06.000Z')
const newIssuer = {
  issuer: 'https://issuer.example',
  scope: ['read'],
  jwk: fx.jwk,
  expires_at: '2030-01-01T00:00:00Z',
}

const cases: Case[] = [
  // OAuth 2.0 clients
  {
    op: 'createOAuth2Client',
    call: (c) => c.createOAuth2Client({ client_name: 'Example', redirect_uris: ['https://app.example/cb'] }),
    method: 'POST',
    url: { v2: '/admin/clients', v1: '/clients' },
    json: { client_name: 'Example', redirect_uris: ['https://app.example/cb'] },
    reply: { status: 201, body: { ...fx.client, client_secret: 's3cret' } },
    result: { ...fx.client, client_secret: 's3cret' },
  },
  {
    op: 'getOAuth2Client',
    call: (c) => c.getOAuth2Client('c1'),
    method: 'GET',
    url: { v2: '/admin/clients/c1', v1: '/clients/c1' },
    reply: { body: fx.client },
    result: fx.client,
  },
  {
    op: 'listOAuth2Clients',
    call: (c, v) =>
      c.listOAuth2Clients({
        pageSize: 2,
        pageToken: v === 'v2' ? 'tok' : '4',
        clientName: 'Example',
        owner: 'o',
      }),
    method: 'GET',
    url: {
      v2: '/admin/clients?page_size=2&page_token=tok&client_name=Example&owner=o',
      v1: '/clients?limit=2&offset=4&client_name=Example&owner=o',
    },
    reply: { body: [fx.client] },
    result: { items: [fx.client], next: undefined, first: undefined },
  },
  {
    op: 'setOAuth2Client',
    call: (c) => c.setOAuth2Client('c1', { client_name: 'Renamed' }),
    method: 'PUT',
    url: { v2: '/admin/clients/c1', v1: '/clients/c1' },
    json: { client_name: 'Renamed' },
    reply: { body: { ...fx.client, client_name: 'Renamed' } },
    result: { ...fx.client, client_name: 'Renamed' },
  },
  {
    op: 'patchOAuth2Client',
    call: (c) => c.patchOAuth2Client('c1', [{ op: 'replace', path: '/client_name', value: 'P' }]),
    method: 'PATCH',
    url: { v2: '/admin/clients/c1', v1: '/clients/c1' },
    json: [{ op: 'replace', path: '/client_name', value: 'P' }],
    reply: { body: { ...fx.client, client_name: 'P' } },
    result: { ...fx.client, client_name: 'P' },
  },
  {
    op: 'deleteOAuth2Client',
    call: (c) => c.deleteOAuth2Client('c1'),
    method: 'DELETE',
    url: { v2: '/admin/clients/c1', v1: '/clients/c1' },
    reply: { status: 204 },
    result: undefined,
  },
  {
    op: 'setOAuth2ClientLifespans',
    call: (c) => c.setOAuth2ClientLifespans('c1', { authorization_code_grant_access_token_lifespan: '1h' }),
    method: 'PUT',
    url: { v2: '/admin/clients/c1/lifespans', v1: '/clients/c1/lifespans' },
    json: { authorization_code_grant_access_token_lifespan: '1h' },
    reply: { body: fx.client },
    result: fx.client,
  },
  // Login
  {
    op: 'getOAuth2LoginRequest',
    call: (c) => c.getOAuth2LoginRequest('ch-1'),
    method: 'GET',
    url: {
      v2: '/admin/oauth2/auth/requests/login?login_challenge=ch-1',
      v1: '/oauth2/auth/requests/login?login_challenge=ch-1',
    },
    reply: { body: fx.loginRequest },
    result: { status: 'pending', request: fx.loginRequest },
  },
  {
    op: 'acceptOAuth2LoginRequest',
    call: (c) =>
      c.acceptOAuth2LoginRequest('ch-1', { subject: 'user-1', remember: true, remember_for: 3600 }),
    method: 'PUT',
    url: {
      v2: '/admin/oauth2/auth/requests/login/accept?login_challenge=ch-1',
      v1: '/oauth2/auth/requests/login/accept?login_challenge=ch-1',
    },
    json: { subject: 'user-1', remember: true, remember_for: 3600 },
    reply: { body: fx.redirect },
    result: fx.redirect,
  },
  {
    op: 'rejectOAuth2LoginRequest',
    call: (c) => c.rejectOAuth2LoginRequest('ch-1', { error: 'access_denied', error_description: 'no' }),
    method: 'PUT',
    url: {
      v2: '/admin/oauth2/auth/requests/login/reject?login_challenge=ch-1',
      v1: '/oauth2/auth/requests/login/reject?login_challenge=ch-1',
    },
    json: { error: 'access_denied', error_description: 'no' },
    reply: { body: fx.redirect },
    result: fx.redirect,
  },
  // Consent
  {
    op: 'getOAuth2ConsentRequest',
    call: (c) => c.getOAuth2ConsentRequest('cc-1'),
    method: 'GET',
    url: {
      v2: '/admin/oauth2/auth/requests/consent?consent_challenge=cc-1',
      v1: '/oauth2/auth/requests/consent?consent_challenge=cc-1',
    },
    reply: { body: fx.consentRequest },
    result: { status: 'pending', request: fx.consentRequest },
  },
  {
    op: 'acceptOAuth2ConsentRequest',
    call: (c) =>
      c.acceptOAuth2ConsentRequest('cc-1', {
        grant_scope: ['openid'],
        grant_access_token_audience: ['api'],
        remember: true,
        remember_for: 0,
        session: { access_token: { role: 'admin' }, id_token: { email: 'a@example.com' } },
      }),
    method: 'PUT',
    url: {
      v2: '/admin/oauth2/auth/requests/consent/accept?consent_challenge=cc-1',
      v1: '/oauth2/auth/requests/consent/accept?consent_challenge=cc-1',
    },
    json: {
      grant_scope: ['openid'],
      grant_access_token_audience: ['api'],
      remember: true,
      remember_for: 0,
      session: { access_token: { role: 'admin' }, id_token: { email: 'a@example.com' } },
    },
    reply: { body: fx.redirect },
    result: fx.redirect,
  },
  {
    op: 'rejectOAuth2ConsentRequest',
    call: (c) => c.rejectOAuth2ConsentRequest('cc-1', { error: 'access_denied', status_code: 403 }),
    method: 'PUT',
    url: {
      v2: '/admin/oauth2/auth/requests/consent/reject?consent_challenge=cc-1',
      v1: '/oauth2/auth/requests/consent/reject?consent_challenge=cc-1',
    },
    json: { error: 'access_denied', status_code: 403 },
    reply: { body: fx.redirect },
    result: fx.redirect,
  },
  // Logout
  {
    op: 'getOAuth2LogoutRequest',
    call: (c) => c.getOAuth2LogoutRequest('lo-1'),
    method: 'GET',
    url: {
      v2: '/admin/oauth2/auth/requests/logout?logout_challenge=lo-1',
      v1: '/oauth2/auth/requests/logout?logout_challenge=lo-1',
    },
    reply: { body: fx.logoutRequest },
    result: { status: 'pending', request: fx.logoutRequest },
  },
  {
    op: 'acceptOAuth2LogoutRequest',
    call: (c) => c.acceptOAuth2LogoutRequest('lo-1'),
    method: 'PUT',
    url: {
      v2: '/admin/oauth2/auth/requests/logout/accept?logout_challenge=lo-1',
      v1: '/oauth2/auth/requests/logout/accept?logout_challenge=lo-1',
    },
    reply: { body: { redirect_to: 'http://hydra.example/oauth2/sessions/logout?logout_verifier=x' } },
    result: { redirect_to: 'http://hydra.example/oauth2/sessions/logout?logout_verifier=x' },
  },
  {
    op: 'rejectOAuth2LogoutRequest',
    call: (c) => c.rejectOAuth2LogoutRequest('lo-1'),
    method: 'PUT',
    url: {
      v2: '/admin/oauth2/auth/requests/logout/reject?logout_challenge=lo-1',
      v1: '/oauth2/auth/requests/logout/reject?logout_challenge=lo-1',
    },
    reply: { status: 204 },
    result: undefined,
  },
  // Sessions
  {
    op: 'listOAuth2ConsentSessions',
    call: (c) => c.listOAuth2ConsentSessions('user-1', { pageSize: 5 }),
    method: 'GET',
    url: {
      v2: '/admin/oauth2/auth/sessions/consent?page_size=5&subject=user-1',
      v1: '/oauth2/auth/sessions/consent?limit=5&subject=user-1',
    },
    reply: { body: [fx.consentSession] },
    result: {
      items: [{ ...fx.consentSession, grant_access_token_audience: [] }],
      next: undefined,
      first: undefined,
    },
  },
  {
    op: 'revokeOAuth2ConsentSessions',
    call: (c) => c.revokeOAuth2ConsentSessions({ subject: 'user-1', client: 'c1' }),
    method: 'DELETE',
    url: {
      v2: '/admin/oauth2/auth/sessions/consent?subject=user-1&client=c1',
      v1: '/oauth2/auth/sessions/consent?subject=user-1&client=c1',
    },
    reply: { status: 204 },
    result: undefined,
  },
  {
    op: 'revokeOAuth2ConsentSessions',
    call: (c) => c.revokeOAuth2ConsentSessions({ subject: 'user-1', all: true }),
    method: 'DELETE',
    url: {
      v2: '/admin/oauth2/auth/sessions/consent?subject=user-1&all=true',
      v1: '/oauth2/auth/sessions/consent?subject=user-1&all=true',
    },
    reply: { status: 204 },
    result: undefined,
  },
  {
    op: 'revokeOAuth2ConsentSessions',
    call: (c) => c.revokeOAuth2ConsentSessions({ consentRequestId: 'cr-1' }),
    method: 'DELETE',
    url: { v2: '/admin/oauth2/auth/sessions/consent?consent_request_id=cr-1', v1: null },
    reply: { status: 204 },
    result: undefined,
  },
  {
    op: 'revokeOAuth2LoginSessions',
    call: (c) => c.revokeOAuth2LoginSessions({ subject: 'user-1' }),
    method: 'DELETE',
    url: {
      v2: '/admin/oauth2/auth/sessions/login?subject=user-1',
      v1: '/oauth2/auth/sessions/login?subject=user-1',
    },
    reply: { status: 204 },
    result: undefined,
  },
  {
    op: 'revokeOAuth2LoginSessions',
    call: (c) => c.revokeOAuth2LoginSessions({ sid: 'sess-1' }),
    method: 'DELETE',
    url: { v2: '/admin/oauth2/auth/sessions/login?sid=sess-1', v1: null },
    reply: { status: 204 },
    result: undefined,
  },
  // Tokens
  {
    op: 'introspectOAuth2Token',
    call: (c) => c.introspectOAuth2Token('ory_at_abc', { scope: ['read', 'write'] }),
    method: 'POST',
    url: { v2: '/admin/oauth2/introspect', v1: '/oauth2/introspect' },
    form: { token: 'ory_at_abc', scope: 'read write' },
    reply: { body: fx.introspection },
    result: fx.introspection,
  },
  {
    op: 'deleteOAuth2Token',
    call: (c) => c.deleteOAuth2Token('c1'),
    method: 'DELETE',
    url: { v2: '/admin/oauth2/tokens?client_id=c1', v1: '/oauth2/tokens?client_id=c1' },
    reply: { status: 204 },
    result: undefined,
  },
  {
    op: 'flushInactiveOAuth2Tokens',
    call: (c) => c.flushInactiveOAuth2Tokens({ notAfter: date }),
    method: 'POST',
    url: { v2: null, v1: '/oauth2/flush' },
    json: { notAfter: '2026-02-03T04:05:06.000Z' },
    reply: { status: 204 },
    result: undefined,
  },
  // JSON Web Keys
  {
    op: 'createJsonWebKeySet',
    call: (c) => c.createJsonWebKeySet('set1', { alg: 'RS256', kid: 'k1', use: 'sig' }),
    method: 'POST',
    url: { v2: '/admin/keys/set1', v1: '/keys/set1' },
    json: { alg: 'RS256', kid: 'k1', use: 'sig' },
    reply: { status: 201, body: fx.jwks },
    result: fx.jwks,
  },
  {
    op: 'getJsonWebKeySet',
    call: (c) => c.getJsonWebKeySet('set1'),
    method: 'GET',
    url: { v2: '/admin/keys/set1', v1: '/keys/set1' },
    reply: { body: fx.jwks },
    result: fx.jwks,
  },
  {
    op: 'getJsonWebKey',
    call: (c) => c.getJsonWebKey('set1', 'k1'),
    method: 'GET',
    url: { v2: '/admin/keys/set1/k1', v1: '/keys/set1/k1' },
    reply: { body: fx.jwks },
    result: fx.jwks,
  },
  {
    op: 'setJsonWebKeySet',
    call: (c) => c.setJsonWebKeySet('set1', fx.jwks),
    method: 'PUT',
    url: { v2: '/admin/keys/set1', v1: '/keys/set1' },
    json: fx.jwks,
    reply: { body: fx.jwks },
    result: fx.jwks,
  },
  {
    op: 'setJsonWebKey',
    call: (c) => c.setJsonWebKey('set1', 'k1', fx.jwk),
    method: 'PUT',
    url: { v2: '/admin/keys/set1/k1', v1: '/keys/set1/k1' },
    json: fx.jwk,
    reply: { body: fx.jwk },
    result: fx.jwk,
  },
  {
    op: 'deleteJsonWebKeySet',
    call: (c) => c.deleteJsonWebKeySet('set1'),
    method: 'DELETE',
    url: { v2: '/admin/keys/set1', v1: '/keys/set1' },
    reply: { status: 204 },
    result: undefined,
  },
  {
    op: 'deleteJsonWebKey',
    call: (c) => c.deleteJsonWebKey('set1', 'k1'),
    method: 'DELETE',
    url: { v2: '/admin/keys/set1/k1', v1: '/keys/set1/k1' },
    reply: { status: 204 },
    result: undefined,
  },
  // Trusted JWT grant issuers
  {
    op: 'trustOAuth2JwtGrantIssuer',
    call: (c) => c.trustOAuth2JwtGrantIssuer(newIssuer),
    method: 'POST',
    url: { v2: '/admin/trust/grants/jwt-bearer/issuers', v1: '/trust/grants/jwt-bearer/issuers' },
    json: newIssuer,
    reply: { status: 201, body: fx.trustedIssuer },
    result: fx.trustedIssuer,
  },
  {
    op: 'getTrustedOAuth2JwtGrantIssuer',
    call: (c) => c.getTrustedOAuth2JwtGrantIssuer('t1'),
    method: 'GET',
    url: { v2: '/admin/trust/grants/jwt-bearer/issuers/t1', v1: '/trust/grants/jwt-bearer/issuers/t1' },
    reply: { body: fx.trustedIssuer },
    result: fx.trustedIssuer,
  },
  {
    op: 'listTrustedOAuth2JwtGrantIssuers',
    call: (c) => c.listTrustedOAuth2JwtGrantIssuers({ pageSize: 10, issuer: 'https://issuer.example' }),
    method: 'GET',
    url: {
      v2: '/admin/trust/grants/jwt-bearer/issuers?page_size=10&issuer=https%3A%2F%2Fissuer.example',
      v1: '/trust/grants/jwt-bearer/issuers?limit=10&issuer=https%3A%2F%2Fissuer.example',
    },
    reply: { body: [fx.trustedIssuer] },
    result: { items: [fx.trustedIssuer], next: undefined, first: undefined },
  },
  {
    op: 'deleteTrustedOAuth2JwtGrantIssuer',
    call: (c) => c.deleteTrustedOAuth2JwtGrantIssuer('t1'),
    method: 'DELETE',
    url: { v2: '/admin/trust/grants/jwt-bearer/issuers/t1', v1: '/trust/grants/jwt-bearer/issuers/t1' },
    reply: { status: 204 },
    result: undefined,
  },
  // Health and version
  {
    op: 'isAlive',
    call: (c) => c.isAlive(),
    method: 'GET',
    url: { v2: '/health/alive', v1: '/health/alive' },
    reply: { body: { status: 'ok' } },
    result: { status: 'ok' },
  },
  {
    op: 'isReady',
    call: (c) => c.isReady(),
    method: 'GET',
    url: { v2: '/health/ready', v1: '/health/ready' },
    reply: { body: { status: 'ok' } },
    result: { ready: true, status: 'ok' },
  },
  {
    op: 'getVersion',
    call: (c) => c.getVersion(),
    method: 'GET',
    url: { v2: '/version', v1: '/version' },
    reply: { body: { version: 'v26.2.0' } },
    result: { version: 'v26.2.0' },
  },
  {
    op: 'getPrometheusMetrics',
    call: (c) => c.getPrometheusMetrics(),
    method: 'GET',
    url: { v2: '/admin/metrics/prometheus', v1: '/metrics/prometheus' },
    accept: 'text/plain',
    reply: {
      body: '# TYPE go_goroutines gauge\ngo_goroutines 42\n',
      headers: { 'content-type': 'text/plain' },
    },
    result: '# TYPE go_goroutines gauge\ngo_goroutines 42\n',
  },
]

let server: RecordingServer
beforeAll(async () => {
  server = await startRecordingServer()
})
afterAll(async () => {
  await server.close()
})

describe.each(['v2', 'v1'] as const)('every admin operation on the %s API', (version) => {
  let client: HydraAdminClient
  beforeAll(() => {
    // A base path and a trailing slash: both must be kept/ignored correctly.
    client = createHydraAdminClient({
      adminUrl: `${server.url}/`,
      apiVersion: version,
      auth: { type: 'bearer', token: 'ory_pat_test' },
      headers: { 'X-Extra': 'yes' },
      retries: 0,
    })
  })
  afterAll(async () => {
    await client.close()
  })
  afterEach(() => {
    server.reset()
  })

  it.each(cases.map((c, i) => [`${c.op} #${i}`, c] as const))('%s', async (_name, c) => {
    server.queue(c.reply)
    const expected = c.url[version]
    if (expected === null) {
      const err = await c.call(client, version).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(HydraError)
      expect(err).toMatchObject({ kind: 'unsupported', code: 'ERR_HYDRA_UNSUPPORTED', operation: c.op })
      expect((err as Error).message).toContain(version)
      expect(server.requests).toHaveLength(0)
      return
    }
    const result = await c.call(client, version)
    expect(result).toEqual(c.result)
    expect(server.requests).toHaveLength(1)
    const req = server.requests[0]!
    expect(req.method).toBe(c.method)
    expect(req.url).toBe(expected)
    expect(req.headers.authorization).toBe('Bearer ory_pat_test')
    expect(req.headers['x-extra']).toBe('yes')
    expect(req.headers.accept).toBe(c.accept ?? 'application/json')
    if (c.json !== undefined) {
      expect(req.headers['content-type']).toBe('application/json')
      expect(JSON.parse(req.body)).toEqual(c.json)
    } else if (c.form !== undefined) {
      expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded')
      expect(Object.fromEntries(new URLSearchParams(req.body))).toEqual(c.form)
    } else {
      expect(req.body).toBe('')
      expect(req.headers['content-type']).toBeUndefined()
    }
  })
})

describe('coverage of the table', () => {
  it('has a case for every method of the client', () => {
    const c = createHydraAdminClient({ adminUrl: 'http://127.0.0.1:1' })
    const methods = Object.keys(c).filter(
      (k) => typeof (c as unknown as Record<string, unknown>)[k] === 'function' && k !== 'close',
    )
    const covered = new Set(cases.map((x) => x.op))
    expect(methods.filter((m) => !covered.has(m))).toEqual([])
    expect(methods).toHaveLength(37)
    return c.close()
  })
})
