import { Agent } from 'undici'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createHydraAdminClient, type HydraAdminClientOptions } from '../../src/hydra/admin-client.js'
import { HydraError } from '../../src/hydra/hydra-error.js'
import type { UpstreamEvent } from '../../src/hooks.js'
import * as fx from './helpers/fixtures.js'
import { startRecordingServer, type RecordingServer } from './helpers/recording-server.js'

let server: RecordingServer
beforeAll(async () => {
  server = await startRecordingServer()
})
afterAll(async () => {
  await server.close()
})
afterEach(() => {
  server.reset()
})

function client(extra: Partial<HydraAdminClientOptions> = {}) {
  return createHydraAdminClient({ adminUrl: server.url, retries: 0, ...extra })
}

describe('hostile ids and challenges never change the path or the query', () => {
  const hostile = 'a/b?c=d#e%2F..\\ f'
  const encoded = 'a%2Fb%3Fc%3Dd%23e%252F..%5C%20f'

  it.each([
    ['getOAuth2Client', `/admin/clients/${encoded}`, (c = client()) => c.getOAuth2Client(hostile)],
    ['deleteOAuth2Client', `/admin/clients/${encoded}`, (c = client()) => c.deleteOAuth2Client(hostile)],
    [
      'setOAuth2ClientLifespans',
      `/admin/clients/${encoded}/lifespans`,
      (c = client()) => c.setOAuth2ClientLifespans(hostile, {}),
    ],
    [
      'getJsonWebKey',
      `/admin/keys/${encoded}/${encoded}`,
      (c = client()) => c.getJsonWebKey(hostile, hostile),
    ],
    [
      'deleteJsonWebKey',
      `/admin/keys/${encoded}/..%2F..%2Fclients`,
      (c = client()) => c.deleteJsonWebKey(hostile, '../../clients'),
    ],
    [
      'getTrustedOAuth2JwtGrantIssuer',
      `/admin/trust/grants/jwt-bearer/issuers/${encoded}`,
      (c = client()) => c.getTrustedOAuth2JwtGrantIssuer(hostile),
    ],
  ])('%s', async (_op, path, call) => {
    server.setDefault((req) =>
      req.method === 'DELETE'
        ? { status: 204 }
        : req.path.includes('/keys/')
          ? { body: fx.jwks }
          : req.path.includes('/trust/')
            ? { body: fx.trustedIssuer }
            : { body: fx.client },
    )
    await call()
    expect(server.requests).toHaveLength(1)
    expect(server.requests[0]!.path).toBe(path)
    expect(server.requests[0]!.url).toBe(path)
  })

  it.each(['.', '..'])('a dot segment id %j is refused before any request', async (id) => {
    const c = client()
    await expect(c.getOAuth2Client(id)).rejects.toThrow(new TypeError(`id must not be "." or ".."`))
    await expect(c.getJsonWebKey('set', id)).rejects.toThrow(TypeError)
    expect(server.requests).toHaveLength(0)
    await c.close()
  })

  it('a challenge with &, = and # stays one query value', async () => {
    const c = client()
    const challenge = 'x&login_challenge=evil&subject=admin#frag é'
    server.queue({ body: fx.loginRequest })
    await c.getOAuth2LoginRequest(challenge)
    const req = server.requests[0]!
    expect(req.path).toBe('/admin/oauth2/auth/requests/login')
    expect(req.query.getAll('login_challenge')).toEqual([challenge])
    expect([...req.query.keys()]).toEqual(['login_challenge'])
    await c.close()
  })

  it('a subject with & stays one query value', async () => {
    const c = client()
    server.queue({ status: 204 })
    await c.revokeOAuth2ConsentSessions({ subject: 'a&all=true', client: 'c1' })
    expect(Object.fromEntries(server.requests[0]!.query)).toEqual({ subject: 'a&all=true', client: 'c1' })
    await c.close()
  })
})

describe('base URL', () => {
  it.each([
    ['no trailing slash', '/hydra', '/hydra/admin/clients/c1'],
    ['trailing slash', '/hydra/', '/hydra/admin/clients/c1'],
    ['several trailing slashes', '/hydra//', '/hydra/admin/clients/c1'],
    ['bare origin with slash', '/', '/admin/clients/c1'],
  ])('%s', async (_name, suffix, path) => {
    const c = createHydraAdminClient({ adminUrl: server.url + suffix })
    server.queue({ body: fx.client })
    await c.getOAuth2Client('c1')
    expect(server.requests[0]!.url).toBe(path)
    await c.close()
  })

  it('exposes the normalized URL and the version', async () => {
    const c = createHydraAdminClient({ adminUrl: `${server.url}/x/`, apiVersion: 'v1' })
    expect(c.adminUrl).toBe(`${server.url}/x`)
    expect(c.apiVersion).toBe('v1')
    await c.close()
  })
})

describe('Link header pagination', () => {
  it('v2: parses next and first tokens and follows them', async () => {
    const c = client()
    server.queue(
      {
        body: [fx.client, { ...fx.client, client_id: 'c2' }],
        headers: {
          link: '</admin/clients?page_size=2&page_token=eyJvZmZzZXQiOiIyIn0>; rel="next",</admin/clients?page_size=2&page_token=>; rel="first"',
        },
      },
      {
        body: [{ ...fx.client, client_id: 'c3' }],
        headers: { link: '</admin/clients?page_size=2&page_token=>; rel="first"' },
      },
    )
    const first = await c.listOAuth2Clients({ pageSize: 2, owner: 'o' })
    expect(first.items.map((x) => x.client_id)).toEqual(['c1', 'c2'])
    expect(first.next).toEqual({ pageToken: 'eyJvZmZzZXQiOiIyIn0', pageSize: 2 })
    expect(first.first).toEqual({ pageSize: 2 })
    const second = await c.listOAuth2Clients({ owner: 'o', ...first.next })
    expect(second.items.map((x) => x.client_id)).toEqual(['c3'])
    expect(second.next).toBeUndefined()
    expect(server.requests[1]!.url).toBe('/admin/clients?page_size=2&page_token=eyJvZmZzZXQiOiIyIn0&owner=o')
    await c.close()
  })

  it('v1: parses absolute limit/offset links into the same cursor', async () => {
    const c = client({ apiVersion: 'v1' })
    server.queue(
      {
        body: [fx.consentSession],
        headers: {
          link: '<http://hydra.example/oauth2/auth/sessions/consent?subject=u&limit=1&offset=0>; rel="first",<http://hydra.example/oauth2/auth/sessions/consent?subject=u&limit=1&offset=1>; rel="next",<http://hydra.example/oauth2/auth/sessions/consent?subject=u&limit=1&offset=4>; rel="last"',
        },
      },
      { body: [fx.consentSession] },
    )
    const page = await c.listOAuth2ConsentSessions('u', { pageSize: 1 })
    expect(page.next).toEqual({ pageToken: '1', pageSize: 1 })
    expect(page.first).toEqual({ pageToken: '0', pageSize: 1 })
    await c.listOAuth2ConsentSessions('u', page.next)
    expect(server.requests[1]!.url).toBe('/oauth2/auth/sessions/consent?limit=1&offset=1&subject=u')
    await c.close()
  })

  it('no Link header, a malformed one, or an empty page: no next', async () => {
    const c = client()
    server.queue(
      { body: [] },
      { body: [fx.client], headers: { link: 'garbage, <<>>; rel=' } },
      { body: [], headers: { link: '</admin/clients?page_token=zzz>; rel="next"' } },
    )
    expect((await c.listOAuth2Clients()).next).toBeUndefined()
    expect((await c.listOAuth2Clients()).next).toBeUndefined()
    expect((await c.listOAuth2Clients()).next).toBeUndefined()
    await c.close()
  })

  it('refuses cursors that cannot be sent', async () => {
    const v1 = client({ apiVersion: 'v1' })
    await expect(v1.listOAuth2Clients({ pageToken: 'abc' })).rejects.toThrow(
      'params.pageToken must be a decimal offset on Hydra v1',
    )
    const v2 = client()
    await expect(v2.listOAuth2Clients({ pageSize: 0 })).rejects.toThrow(
      'params.pageSize must be a positive integer',
    )
    await expect(v2.listOAuth2Clients({ pageToken: '' })).rejects.toThrow(
      'params.pageToken must be a non-empty string',
    )
    expect(server.requests).toHaveLength(0)
    await v1.close()
    await v2.close()
  })
})

describe('admin auth', () => {
  it('none sends no authorization header', async () => {
    const c = client()
    server.queue({ body: { status: 'ok' } })
    await c.isAlive()
    expect(server.requests[0]!.headers.authorization).toBeUndefined()
    await c.close()
  })

  it('basic', async () => {
    const c = client({ auth: { type: 'basic', username: 'admin', password: 'p@ss' } })
    server.queue({ body: { status: 'ok' } })
    await c.isAlive()
    expect(server.requests[0]!.headers.authorization).toBe(
      `Basic ${Buffer.from('admin:p@ss').toString('base64')}`,
    )
    await c.close()
  })

  it('client_credentials: fetches a token, uses it, and after a 401 refreshes it once', async () => {
    let issued = 0
    server.setDefault((req) => {
      if (req.path === '/oauth2/token')
        return { body: { access_token: `at-${++issued}`, expires_in: 3600, token_type: 'bearer' } }
      return req.headers.authorization === 'Bearer at-1'
        ? { status: 401, body: { error: 'request_unauthorized' } }
        : { body: fx.client }
    })
    const c = client({
      auth: {
        type: 'client_credentials',
        tokenUrl: `${server.url}/oauth2/token`,
        clientId: 'admin',
        clientSecret: 's',
      },
    })
    await expect(c.createOAuth2Client({})).resolves.toEqual(fx.client)
    expect(server.requests.map((r) => `${r.method} ${r.path} ${r.headers.authorization ?? ''}`)).toEqual([
      `POST /oauth2/token Basic ${Buffer.from('admin:s').toString('base64')}`,
      'POST /admin/clients Bearer at-1',
      `POST /oauth2/token Basic ${Buffer.from('admin:s').toString('base64')}`,
      'POST /admin/clients Bearer at-2',
    ])
    await c.close()
  })

  it('client_credentials: a second 401 is an error (no loop)', async () => {
    server.setDefault((req) =>
      req.path === '/oauth2/token'
        ? { body: { access_token: 'at', expires_in: 3600 } }
        : { status: 401, body: { error: 'request_unauthorized' } },
    )
    const c = client({
      auth: {
        type: 'client_credentials',
        tokenUrl: `${server.url}/oauth2/token`,
        clientId: 'admin',
        clientSecret: 's',
      },
    })
    const err = (await c.getOAuth2Client('c1').catch((e: unknown) => e)) as HydraError
    expect(err).toMatchObject({ kind: 'http', hydraStatus: 401, status: 502 })
    expect(server.requests.filter((r) => r.path === '/admin/clients/c1')).toHaveLength(2)
    await c.close()
  })

  it('bearer: a 401 is not retried', async () => {
    server.setDefault({ status: 401, body: { error: 'unauthorized' } })
    const c = client({ auth: { type: 'bearer', token: 'k' } })
    await expect(c.getOAuth2Client('c1')).rejects.toMatchObject({ hydraStatus: 401, status: 502 })
    expect(server.requests).toHaveLength(1)
    await c.close()
  })

  it('client_credentials: a refused token request is an "auth" HydraError without the secret', async () => {
    server.setDefault({ status: 401, body: { error: 'invalid_client' } })
    const c = client({
      auth: {
        type: 'client_credentials',
        tokenUrl: `${server.url}/oauth2/token`,
        clientId: 'admin',
        clientSecret: 'TOPSECRET',
      },
    })
    const err = (await c.getOAuth2Client('c1').catch((e: unknown) => e)) as HydraError
    expect(err).toMatchObject({
      kind: 'auth',
      code: 'ERR_HYDRA_AUTH',
      hydraStatus: 401,
      status: 502,
      isUnavailable: false,
    })
    expect(err.message).not.toContain('TOPSECRET')
    expect(server.requests.every((r) => r.path === '/oauth2/token')).toBe(true)
    await c.close()
  })

  it('client_credentials: an unreachable token endpoint is a transport HydraError', async () => {
    server.setDefault({ reset: true })
    const c = client({
      auth: {
        type: 'client_credentials',
        tokenUrl: `${server.url}/oauth2/token`,
        clientId: 'admin',
        clientSecret: 's',
      },
    })
    const err = (await c.getOAuth2Client('c1').catch((e: unknown) => e)) as HydraError
    expect(err).toMatchObject({ kind: 'transport', transportFailure: 'connection', isUnavailable: true })
    await c.close()
  })

  it('extra headers cannot replace the auth header', async () => {
    const c = client({
      auth: { type: 'bearer', token: 'real' },
      headers: { Authorization: 'Bearer forged', 'x-gw': '1' },
    })
    server.queue({ body: { status: 'ok' } })
    await c.isAlive()
    expect(server.requests[0]!.headers.authorization).toBe('Bearer real')
    expect(server.requests[0]!.headers['x-gw']).toBe('1')
    await c.close()
  })
})

describe('options are validated at construction (TypeError naming the option)', () => {
  it.each([
    [{}, 'adminUrl must be a non-empty string'],
    [{ adminUrl: 'hydra:4445/x y' }, 'adminUrl must be'],
    [{ adminUrl: '/admin' }, 'adminUrl must be an absolute URL'],
    [{ adminUrl: 'ftp://hydra' }, 'adminUrl must be an http: or https: URL'],
    [{ adminUrl: 'http://u:p@hydra' }, 'adminUrl must not contain credentials'],
    [{ adminUrl: 'http://hydra/?x=1' }, 'adminUrl must not have a query string or a fragment'],
    [{ adminUrl: 'http://hydra/#f' }, 'adminUrl must not have a query string or a fragment'],
    [{ adminUrl: 'http://hydra', apiVersion: 'v3' }, "apiVersion must be 'v2' or 'v1'"],
    [{ adminUrl: 'http://hydra', timeoutMs: 0 }, 'timeoutMs must be a number > 0'],
    [{ adminUrl: 'http://hydra', timeoutMs: Number.NaN }, 'timeoutMs must be a number > 0'],
    [{ adminUrl: 'http://hydra', retries: 1.5 }, 'retries must be an integer from 0 to 10'],
    [{ adminUrl: 'http://hydra', retries: 11 }, 'retries must be an integer from 0 to 10'],
    [{ adminUrl: 'http://hydra', retryBaseDelayMs: -1 }, 'retryBaseDelayMs must be a number from 0 to 60000'],
    [{ adminUrl: 'http://hydra', maxResponseBytes: 0 }, 'maxResponseBytes must be a number > 0'],
    [{ adminUrl: 'http://hydra', headers: { 'bad name': 'x' } }, 'headers has an invalid header name'],
    [
      { adminUrl: 'http://hydra', headers: { 'x-a': 'v\r\nx-injected: 1' } },
      'headers.x-a must be a string without CR, LF or NUL',
    ],
    [{ adminUrl: 'http://hydra', headers: { Host: 'evil' } }, 'headers.host cannot be set'],
    [{ adminUrl: 'http://hydra', dispatcher: {} }, 'dispatcher must be an undici Dispatcher'],
    [
      { adminUrl: 'http://hydra', auth: { type: 'bearer', token: '' } },
      'auth.token must be a non-empty string',
    ],
    [
      { adminUrl: 'http://hydra', auth: { type: 'magic' } },
      "auth.type must be 'none', 'basic', 'bearer' or 'client_credentials'",
    ],
  ])('%j', (options, message) => {
    expect(() => createHydraAdminClient(options as unknown as HydraAdminClientOptions)).toThrow(TypeError)
    expect(() => createHydraAdminClient(options as unknown as HydraAdminClientOptions)).toThrow(message)
  })
})

describe('arguments are checked before any request', () => {
  const c = createHydraAdminClient({ adminUrl: 'http://127.0.0.1:9' })
  const v1 = createHydraAdminClient({ adminUrl: 'http://127.0.0.1:9', apiVersion: 'v1' })
  afterAll(async () => {
    await c.close()
    await v1.close()
  })

  it.each([
    ['empty login challenge', () => c.getOAuth2LoginRequest(''), 'loginChallenge must be a non-empty string'],
    [
      'missing consent challenge',
      () => c.acceptOAuth2ConsentRequest(undefined as unknown as string, {}),
      'consentChallenge must be a non-empty string',
    ],
    [
      'accept login without subject',
      () => c.acceptOAuth2LoginRequest('ch', {} as never),
      'body.subject must be a non-empty string',
    ],
    [
      'accept login with a null body',
      () => c.acceptOAuth2LoginRequest('ch', null as never),
      'body must be an object',
    ],
    [
      'patch that is not an array',
      () => c.patchOAuth2Client('c1', {} as never),
      'patch must be a JSON Patch array',
    ],
    [
      'patch op without path',
      () => c.patchOAuth2Client('c1', [{ op: 'remove' }] as never),
      'patch[0].path must be a string',
    ],
    [
      'consent revoke without client or all',
      () => c.revokeOAuth2ConsentSessions({ subject: 'u' } as never),
      'target must have client, all: true, or consentRequestId',
    ],
    [
      'consent revoke with client and all',
      () => c.revokeOAuth2ConsentSessions({ subject: 'u', client: 'c', all: true } as never),
      'cannot be combined',
    ],
    [
      'consent revoke by request id and subject',
      () => c.revokeOAuth2ConsentSessions({ consentRequestId: 'x', subject: 'u' } as never),
      'cannot be combined',
    ],
    [
      'login revoke with both',
      () => c.revokeOAuth2LoginSessions({ subject: 'u', sid: 's' } as never),
      'exactly one of subject or sid',
    ],
    ['introspect empty token', () => c.introspectOAuth2Token(''), 'token must be a non-empty string'],
    ['introspect bad scope', () => c.introspectOAuth2Token('t', { scope: ['a b'] }), 'params.scope must be'],
    [
      'key set without alg',
      () => c.createJsonWebKeySet('s', { kid: 'k', use: 'sig' } as never),
      'body.alg must be a non-empty string',
    ],
    [
      'flush with an invalid date',
      () => v1.flushInactiveOAuth2Tokens({ notAfter: new Date('x') }),
      'params.notAfter must be a valid Date',
    ],
  ])('%s', async (_name, call, message) => {
    const err: unknown = await call().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TypeError)
    expect((err as Error).message).toContain(message)
  })

  it.each([
    [
      'acceptOAuth2LoginRequest',
      'body.identity_provider_session_id',
      () => v1.acceptOAuth2LoginRequest('ch', { subject: 'u', identity_provider_session_id: 'k' }),
    ],
    [
      'acceptOAuth2LoginRequest',
      'body.extend_session_lifespan',
      () => v1.acceptOAuth2LoginRequest('ch', { subject: 'u', extend_session_lifespan: true }),
    ],
    [
      'acceptOAuth2ConsentRequest',
      'body.context',
      () => v1.acceptOAuth2ConsentRequest('cc', { context: { a: 1 } }),
    ],
    [
      'listOAuth2ConsentSessions',
      'params.loginSessionId',
      () => v1.listOAuth2ConsentSessions('u', { loginSessionId: 's' }),
    ],
  ])('v1: %s with %s is refused as unsupported, naming the version', async (op, field, call) => {
    const err = (await call().catch((e: unknown) => e)) as HydraError
    expect(err).toBeInstanceOf(HydraError)
    expect(err).toMatchObject({ kind: 'unsupported', operation: op })
    expect(err.message).toBe(`Hydra ${op}: ${field} is not supported by the Hydra v1 admin API`)
  })

  it('v2: flushInactiveOAuth2Tokens names the version', async () => {
    const err = (await c.flushInactiveOAuth2Tokens().catch((e: unknown) => e)) as HydraError
    expect(err.message).toContain('not supported by the Hydra v2 admin API')
  })
})

describe('hooks, dispatcher and close()', () => {
  it('onUpstream sees method, URL without query (no challenge), status and kind', async () => {
    const events: UpstreamEvent[] = []
    const c = client({ hooks: { onUpstream: (e) => events.push(e) } })
    server.queue({ body: fx.loginRequest }, { body: fx.introspection })
    await c.getOAuth2LoginRequest('SECRET-CHALLENGE')
    await c.introspectOAuth2Token('SECRET-TOKEN')
    expect(events.map((e) => [e.kind, e.method, e.url, e.status])).toEqual([
      ['admin', 'GET', `${server.url}/admin/oauth2/auth/requests/login`, 200],
      ['introspection', 'POST', `${server.url}/admin/oauth2/introspect`, 200],
    ])
    expect(JSON.stringify(events)).not.toContain('SECRET')
    await c.close()
  })

  it('a throwing hook does not fail the call', async () => {
    const c = client({
      hooks: {
        onUpstream: () => {
          throw new Error('listener bug')
        },
      },
    })
    server.queue({ body: { status: 'ok' } })
    await expect(c.isAlive()).resolves.toEqual({ status: 'ok' })
    await c.close()
  })

  it('calls after close() reject without a request', async () => {
    const c = client()
    await c.close()
    await c.close()
    const err = (await c.isAlive().catch((e: unknown) => e)) as HydraError
    expect(err).toMatchObject({ kind: 'transport', message: 'Hydra isAlive: the client is closed' })
    expect(server.requests).toHaveLength(0)
  })

  it('keeps connections alive on its own agent and closes them on close()', async () => {
    const own = await startRecordingServer()
    own.setDefault({ body: { status: 'ok' } })
    const c = createHydraAdminClient({ adminUrl: own.url })
    for (let i = 0; i < 6; i++) await c.isAlive()
    // Sockets are reused (undici may open a second one while the first is being released).
    expect(own.connectionCount).toBeLessThanOrEqual(2)
    expect(await own.openConnections()).toBeGreaterThan(0)
    await c.close()
    await vi.waitFor(async () => expect(await own.openConnections()).toBe(0))
    await own.close()
  })

  it('uses a dispatcher it is given and does not close it', async () => {
    const agent = new Agent()
    const c = client({ dispatcher: agent })
    server.queue({ body: { status: 'ok' } }, { body: { status: 'ok' } })
    await c.isAlive()
    await c.close()
    expect(agent.closed).toBe(false)
    const other = client({ dispatcher: agent })
    await expect(other.isAlive()).resolves.toEqual({ status: 'ok' })
    await other.close()
    await agent.close()
  })
})
