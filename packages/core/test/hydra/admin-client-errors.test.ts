import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createHydraAdminClient, type HydraAdminClient } from '../../src/hydra/admin-client.js'
import { HydraError, isHydraError } from '../../src/hydra/hydra-error.js'
import * as fx from './helpers/fixtures.js'
import { refusedUrl, startRecordingServer, type RecordingServer } from './helpers/recording-server.js'

let server: RecordingServer
let admin: HydraAdminClient

beforeAll(async () => {
  server = await startRecordingServer()
  admin = createHydraAdminClient({ adminUrl: server.url, retries: 2, retryBaseDelayMs: 1, timeoutMs: 2000 })
})
afterAll(async () => {
  await admin.close()
  await server.close()
})
afterEach(() => {
  server.reset()
})

async function failure(p: Promise<unknown>): Promise<HydraError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(HydraError)
  return err as HydraError
}

const CHALLENGE = 'SECRET-CHALLENGE-0123456789'

describe('error answers become HydraError with the parsed fields', () => {
  it.each([
    {
      name: '400 v2 body',
      status: 400,
      body: { error: 'invalid_request', error_description: `Query parameter 'challenge' ${CHALLENGE}` },
      expected: { error: 'invalid_request', errorDescription: `Query parameter 'challenge' ${CHALLENGE}` },
    },
    {
      name: '401 expired login request',
      status: 401,
      body: {
        error: 'request_unauthorized',
        error_description: 'The login request has expired, please try again.',
      },
      expected: {
        error: 'request_unauthorized',
        errorDescription: 'The login request has expired, please try again.',
      },
    },
    {
      name: '404 Not Found (HTTP status text as error)',
      status: 404,
      body: { error: 'Not Found', error_description: 'Unable to locate the requested resource' },
      expected: { error: 'Not Found', errorDescription: 'Unable to locate the requested resource' },
    },
    {
      name: '409 v1 body with status_code',
      status: 409,
      body: {
        error: 'Conflict',
        error_description: 'The consent request was already used and can no longer be changed.',
        status_code: 409,
      },
      expected: { error: 'Conflict', bodyStatusCode: 409 },
    },
    {
      name: '500 with hint and debug',
      status: 500,
      body: {
        error: 'error',
        error_description: 'internal',
        error_hint: 'h',
        error_debug: 'goroutine 1 [running]',
      },
      expected: { error: 'error', errorHint: 'h', errorDebug: 'goroutine 1 [running]' },
    },
    {
      name: 'generic error wrapped in {error:{...}}',
      status: 404,
      body: {
        error: { code: 404, status: 'Not Found', message: 'Unable to locate the resource', reason: 'gone' },
      },
      expected: {
        error: 'Not Found',
        errorDescription: 'Unable to locate the resource',
        errorHint: 'gone',
        bodyStatusCode: 404,
      },
    },
    {
      name: 'bare generic error',
      status: 409,
      body: { message: 'already exists', code: 409, status: 'Conflict' },
      expected: { error: 'Conflict', errorDescription: 'already exists', bodyStatusCode: 409 },
    },
  ])('$name', async ({ status, body, expected }) => {
    server.queue({ status, body })
    const err = await failure(admin.acceptOAuth2LoginRequest(CHALLENGE, { subject: 'user-1' }))
    expect(err).toMatchObject({
      kind: 'http',
      code: 'ERR_HYDRA_HTTP',
      hydraStatus: status,
      operation: 'acceptOAuth2LoginRequest',
    })
    expect(err).toMatchObject(expected)
    expect(err.expose).toBe(false)
    expect(err.message).toContain(`HTTP ${status}`)
    // Never the challenge, the description or the debug text in the message.
    expect(err.message).not.toContain(CHALLENGE)
    expect(err.message).not.toContain('goroutine')
    expect(err.message).not.toContain('Unable to locate')
    expect(server.requests).toHaveLength(1)
  })

  it('puts a plain error code in the message but not an odd one', async () => {
    server.queue({ status: 400, body: { error: 'invalid_request' } })
    expect((await failure(admin.getOAuth2Client('c1'))).message).toBe(
      'Hydra getOAuth2Client failed with HTTP 400 (invalid_request)',
    )
    server.queue({ status: 400, body: { error: `<script>${CHALLENGE}</script>` } })
    const odd = await failure(admin.getOAuth2Client('c1'))
    expect(odd.message).toBe('Hydra getOAuth2Client failed with HTTP 400')
    expect(odd.error).toBe(`<script>${CHALLENGE}</script>`)
  })

  it.each([
    ['HTML from a proxy', '<html><body>502 Bad Gateway</body></html>'],
    ['plain text', 'upstream connect error'],
    ['truncated JSON', '{"error":"inva'],
    ['JSON array', '[1,2,3]'],
    ['JSON string', '"oops"'],
    ['empty body', ''],
  ])('a non-JSON or foreign error body (%s) is still a HydraError', async (_name, body) => {
    server.queue({ status: 418, body, headers: { 'content-type': 'text/html' } })
    const err = await failure(admin.deleteOAuth2Client('c1'))
    expect(err).toMatchObject({
      kind: 'http',
      hydraStatus: 418,
      error: undefined,
      errorDescription: undefined,
    })
    expect(err).not.toBeInstanceOf(SyntaxError)
  })

  it('429 carries Retry-After and counts as unavailable', async () => {
    server.queue({ status: 429, body: { error: 'too_many_requests' }, headers: { 'retry-after': '7' } })
    const err = await failure(admin.deleteOAuth2Client('c1'))
    expect(err).toMatchObject({ hydraStatus: 429, retryAfter: '7', isUnavailable: true })
  })

  it('4xx is not "unavailable", 5xx is', async () => {
    server.queue({ status: 404, body: { error: 'Not Found' } })
    expect((await failure(admin.deleteOAuth2Client('c1'))).isUnavailable).toBe(false)
    server.queue({ status: 500, body: { error: 'error' } })
    expect((await failure(admin.deleteOAuth2Client('c1'))).isUnavailable).toBe(true)
    expect(isHydraError(new Error('x'))).toBe(false)
  })
})

describe('a success with a body of the wrong shape is a "response" HydraError naming the field', () => {
  it.each([
    ['non-JSON body', 'not json', 'body is not JSON'],
    ['array instead of object', [], 'body must be an object'],
    ['missing challenge', { ...fx.loginRequest, challenge: undefined }, 'field "challenge" must be a string'],
    ['empty challenge', { ...fx.loginRequest, challenge: '' }, 'field "challenge" must not be empty'],
    ['skip as a string', { ...fx.loginRequest, skip: 'false' }, 'field "skip" must be a boolean'],
    ['subject as a number', { ...fx.loginRequest, subject: 7 }, 'field "subject" must be a string'],
    [
      'requested_scope as a string',
      { ...fx.loginRequest, requested_scope: 'openid' },
      'field "requested_scope" must be an array of strings',
    ],
    [
      'requested_scope missing',
      { ...fx.loginRequest, requested_scope: undefined },
      'field "requested_scope" is missing',
    ],
    [
      'requested_scope with a number',
      { ...fx.loginRequest, requested_scope: ['openid', 1] },
      'field "requested_scope" must be an array',
    ],
    ['client missing', { ...fx.loginRequest, client: undefined }, 'field "client" must be an object'],
    ['client as a string', { ...fx.loginRequest, client: 'c1' }, 'field "client" must be an object'],
    [
      'client without client_id',
      { ...fx.loginRequest, client: { client_name: 'x' } },
      'field "client.client_id" must be a string',
    ],
    [
      'request_url missing',
      { ...fx.loginRequest, request_url: undefined },
      'field "request_url" must be a string',
    ],
  ])('getOAuth2LoginRequest: %s', async (_name, body, message) => {
    server.queue({ status: 200, body: typeof body === 'string' ? body : body })
    const err = await failure(admin.getOAuth2LoginRequest(CHALLENGE))
    expect(err).toMatchObject({
      kind: 'response',
      code: 'ERR_HYDRA_INVALID_RESPONSE',
      operation: 'getOAuth2LoginRequest',
    })
    expect(err.message).toContain(message)
    expect(err.message).not.toContain(CHALLENGE)
  })

  it.each([
    ['missing', {}],
    ['not a string', { redirect_to: 42 }],
    ['relative', { redirect_to: '/oauth2/auth' }],
    ['javascript: URL', { redirect_to: 'javascript:alert(document.cookie)' }],
    ['data: URL', { redirect_to: 'data:text/html,<script>alert(1)</script>' }],
  ])('accept with redirect_to %s is refused (no open redirect into the flow)', async (_name, body) => {
    server.queue({ status: 200, body })
    const err = await failure(admin.acceptOAuth2ConsentRequest('cc-1', { grant_scope: ['openid'] }))
    expect(err.kind).toBe('response')
    expect(err.message).toContain('"redirect_to"')
  })

  it('checks the other models too', async () => {
    server.queue({ body: { active: 'yes' } })
    expect((await failure(admin.introspectOAuth2Token('t'))).message).toContain('"active" must be a boolean')
    server.queue({ body: { active: true, aud: 'api' } })
    expect((await failure(admin.introspectOAuth2Token('t'))).message).toContain('"aud" must be an array')
    server.queue({ body: { keys: [{ kid: 'k1' }] } })
    expect((await failure(admin.getJsonWebKeySet('s'))).message).toContain('"keys[0].kty"')
    server.queue({ body: [{ client_id: 'a' }, { client_id: 3 }] })
    expect((await failure(admin.listOAuth2Clients())).message).toContain('"[1].client_id"')
    server.queue({ body: { ...fx.consentRequest, requested_scope: {} } })
    expect((await failure(admin.getOAuth2ConsentRequest('cc-1'))).message).toContain('"requested_scope"')
    server.queue({ body: { ...fx.logoutRequest, rp_initiated: 'true' } })
    expect((await failure(admin.getOAuth2LogoutRequest('lo-1'))).message).toContain('"rp_initiated"')
    server.queue({ body: [{ id: 5 }] })
    expect((await failure(admin.listTrustedOAuth2JwtGrantIssuers())).message).toContain('"[0].id"')
    server.queue({ body: { version: 26 } })
    expect((await failure(admin.getVersion())).message).toContain('"version"')
    server.queue({ status: 204 })
    expect((await failure(admin.getOAuth2Client('c1'))).message).toContain('body is not JSON')
  })

  it('normalizes null arrays, fills a missing consent skip, and passes unknown fields through', async () => {
    server.queue({
      body: { ...fx.loginRequest, requested_scope: null, requested_access_token_audience: null },
    })
    const login = await admin.getOAuth2LoginRequest('ch-1')
    expect(login.request?.requested_scope).toEqual([])
    expect(login.request?.requested_access_token_audience).toEqual([])
    expect((login.request as unknown as Record<string, unknown>).some_future_field).toEqual({ kept: true })
    const { skip: _skip, requested_access_token_audience: _a, ...noSkip } = fx.consentRequest
    server.queue({ body: noSkip })
    const consent = await admin.getOAuth2ConsentRequest('cc-1')
    expect(consent.request).toMatchObject({ skip: false, requested_access_token_audience: [] })
  })
})

describe('410 Gone (already handled) is data, not an exception', () => {
  it.each([
    ['getOAuth2LoginRequest', (c: HydraAdminClient) => c.getOAuth2LoginRequest(CHALLENGE)],
    ['getOAuth2ConsentRequest', (c: HydraAdminClient) => c.getOAuth2ConsentRequest(CHALLENGE)],
    ['getOAuth2LogoutRequest', (c: HydraAdminClient) => c.getOAuth2LogoutRequest(CHALLENGE)],
  ])('%s resolves { status: "handled", redirectTo }', async (_op, call) => {
    server.queue({
      status: 410,
      body: { redirect_to: 'http://hydra.example/oauth2/auth?client_id=c1&state=x' },
    })
    const result = await call(admin)
    expect(result).toEqual({
      status: 'handled',
      redirectTo: 'http://hydra.example/oauth2/auth?client_id=c1&state=x',
    })
    expect(server.requests).toHaveLength(1)
  })

  it('a 410 whose redirect_to is not an http(s) URL is refused', async () => {
    server.queue({ status: 410, body: { redirect_to: 'javascript:alert(1)' } })
    const err = await failure(admin.getOAuth2LoginRequest('ch-1'))
    expect(err.kind).toBe('response')
    server.queue({ status: 410, body: 'Gone' })
    expect((await failure(admin.getOAuth2LoginRequest('ch-1'))).kind).toBe('response')
  })

  it('a 410 on another call is an error that still carries a safe redirectTo', async () => {
    server.queue({ status: 410, body: { redirect_to: 'https://hydra.example/back' } })
    const err = await failure(admin.acceptOAuth2LoginRequest('ch-1', { subject: 'u' }))
    expect(err).toMatchObject({ kind: 'http', hydraStatus: 410, redirectTo: 'https://hydra.example/back' })
    server.queue({ status: 410, body: { redirect_to: 'javascript:alert(1)' } })
    expect(
      (await failure(admin.acceptOAuth2LoginRequest('ch-1', { subject: 'u' }))).redirectTo,
    ).toBeUndefined()
  })

  it('rejectOAuth2LogoutRequest resolves undefined on 204', async () => {
    server.queue({ status: 204 })
    await expect(admin.rejectOAuth2LogoutRequest('lo-1')).resolves.toBeUndefined()
  })
})

describe('transport failures are HydraError kind "transport" with no status', () => {
  it('timeout', async () => {
    server.queue({ hang: true }, { hang: true }, { hang: true })
    const err = await failure(admin.getOAuth2Client('c1', { timeoutMs: 150 }))
    expect(err).toMatchObject({
      kind: 'transport',
      code: 'ERR_HYDRA_TRANSPORT',
      hydraStatus: undefined,
      transportFailure: 'timeout',
      isUnavailable: true,
    })
    expect(err.message).toContain('timed out after 150 ms')
    // A timeout is not retried, even on a GET.
    expect(server.requests).toHaveLength(1)
  })

  it('a client-wide timeoutMs applies too', async () => {
    const quick = createHydraAdminClient({ adminUrl: server.url, timeoutMs: 150 })
    server.queue({ hang: true })
    const err = await failure(quick.acceptOAuth2LogoutRequest('lo-1'))
    expect(err.transportFailure).toBe('timeout')
    await quick.close()
  })

  it('connection refused, after the GET retries', async () => {
    const c = createHydraAdminClient({ adminUrl: await refusedUrl(), retries: 1, retryBaseDelayMs: 1 })
    const err = await failure(c.getOAuth2LoginRequest(CHALLENGE))
    expect(err).toMatchObject({ kind: 'transport', transportFailure: 'connection', hydraStatus: undefined })
    expect(err.message).not.toContain(CHALLENGE)
    await c.close()
  })

  it('connection reset', async () => {
    server.queue({ reset: true })
    const err = await failure(admin.acceptOAuth2LogoutRequest('lo-1'))
    expect(err).toMatchObject({ kind: 'transport', transportFailure: 'connection' })
    expect(server.requests).toHaveLength(1)
  })

  it('oversized answer', async () => {
    const small = createHydraAdminClient({ adminUrl: server.url, maxResponseBytes: 100 })
    server.queue({ body: { ...fx.client, padding: 'x'.repeat(500) } })
    const err = await failure(small.getOAuth2Client('c1'))
    expect(err).toMatchObject({ kind: 'transport', transportFailure: 'too_large' })
    await small.close()
  })

  it('aborted by the caller signal', async () => {
    server.queue({ hang: true })
    const ac = new AbortController()
    const p = admin.getOAuth2Client('c1', { signal: ac.signal })
    setTimeout(() => ac.abort(), 50)
    const err = await failure(p)
    expect(err).toMatchObject({ kind: 'transport', transportFailure: 'aborted' })
  })

  it('an already aborted signal sends nothing', async () => {
    const err = await failure(admin.getOAuth2Client('c1', { signal: AbortSignal.abort() }))
    expect(err.transportFailure).toBe('aborted')
    expect(server.requests).toHaveLength(0)
  })
})

describe('retries: idempotent GETs only', () => {
  it('a GET is retried on 5xx and succeeds', async () => {
    server.queue(
      { status: 503, body: 'busy' },
      { status: 502, body: { error: 'bad gateway' } },
      { body: fx.client },
    )
    await expect(admin.getOAuth2Client('c1')).resolves.toEqual(fx.client)
    expect(server.requests.map((r) => r.method)).toEqual(['GET', 'GET', 'GET'])
  })

  it('a GET gives up after `retries` retries with the last answer', async () => {
    server.setDefault({ status: 500, body: { error: 'error', error_description: 'db down' } })
    const err = await failure(admin.getJsonWebKeySet('hydra.openid.id-token'))
    expect(err).toMatchObject({ hydraStatus: 500, errorDescription: 'db down' })
    expect(server.requests).toHaveLength(3)
  })

  it('a GET is retried after a connection reset', async () => {
    server.queue({ reset: true }, { body: fx.client })
    await expect(admin.getOAuth2Client('c1')).resolves.toEqual(fx.client)
    expect(server.requests).toHaveLength(2)
  })

  it('a GET is not retried on 4xx', async () => {
    server.setDefault({ status: 404, body: { error: 'Not Found' } })
    await failure(admin.getOAuth2Client('c1'))
    expect(server.requests).toHaveLength(1)
  })

  it('retries: 0 disables retries', async () => {
    const once = createHydraAdminClient({ adminUrl: server.url, retries: 0 })
    server.setDefault({ status: 503 })
    await failure(once.getOAuth2Client('c1'))
    expect(server.requests).toHaveLength(1)
    await once.close()
  })

  it.each([
    ['POST introspect', (c: HydraAdminClient) => c.introspectOAuth2Token('t')],
    ['POST create client', (c: HydraAdminClient) => c.createOAuth2Client({})],
    ['PUT accept login', (c: HydraAdminClient) => c.acceptOAuth2LoginRequest('ch', { subject: 'u' })],
    ['PUT set client', (c: HydraAdminClient) => c.setOAuth2Client('c1', {})],
    ['PATCH client', (c: HydraAdminClient) => c.patchOAuth2Client('c1', [])],
    ['DELETE client', (c: HydraAdminClient) => c.deleteOAuth2Client('c1')],
  ])('%s is never retried on 5xx', async (_name, call) => {
    server.setDefault({ status: 503, body: { error: 'unavailable' } })
    const err = await failure(call(admin))
    expect(err.hydraStatus).toBe(503)
    expect(server.requests).toHaveLength(1)
  })

  it.each([
    ['POST introspect', (c: HydraAdminClient) => c.introspectOAuth2Token('t')],
    ['PUT accept consent', (c: HydraAdminClient) => c.acceptOAuth2ConsentRequest('cc', {})],
  ])('%s is never retried after a connection reset', async (_name, call) => {
    server.setDefault({ reset: true })
    expect((await failure(call(admin))).transportFailure).toBe('connection')
    expect(server.requests).toHaveLength(1)
  })

  it('isReady: a 503 is an answer ({ready:false}), not retried', async () => {
    server.setDefault({ status: 503, body: { errors: { database: 'connection refused' } } })
    await expect(admin.isReady()).resolves.toEqual({
      ready: false,
      errors: { database: 'connection refused' },
    })
    expect(server.requests).toHaveLength(1)
    server.reset()
    server.queue({ status: 503, body: '' })
    await expect(admin.isReady()).resolves.toEqual({ ready: false, errors: {} })
    server.queue({ status: 503, body: '<html>Service Unavailable</html>' })
    await expect(admin.isReady()).resolves.toEqual({ ready: false, errors: {} })
    server.queue({ status: 503, body: { errors: { db: 'down', weird: 5 } } })
    await expect(admin.isReady()).resolves.toEqual({ ready: false, errors: { db: 'down' } })
  })

  it('isReady: a 500 is an error (after the GET retries)', async () => {
    server.setDefault({ status: 500, body: 'boom' })
    await expect(admin.isReady()).rejects.toMatchObject({
      kind: 'http',
      hydraStatus: 500,
      operation: 'isReady',
    })
    expect(server.requests).toHaveLength(3)
  })
})
