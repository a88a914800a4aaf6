import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { HydraError } from '../../src/hydra/hydra-error.js'
import { computeCodeChallenge } from '../../src/hydra/pkce.js'
import {
  createHydraPublicClient,
  type HydraPublicClient,
  type HydraPublicClientOptions,
} from '../../src/hydra/public-client.js'
import * as fx from './helpers/fixtures.js'
import { startRecordingServer, type RecordingServer } from './helpers/recording-server.js'

let server: RecordingServer
const clients: HydraPublicClient[] = []

beforeAll(async () => {
  server = await startRecordingServer()
})
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()))
  await server.close()
})
afterEach(() => {
  server.reset()
})

function pub(extra: Partial<HydraPublicClientOptions> = {}): HydraPublicClient {
  const c = createHydraPublicClient({
    publicUrl: `${server.url}/`,
    clientId: 'my app',
    clientSecret: 's:e/c+r%t',
    redirectUri: 'https://app.example/cb',
    retryBaseDelayMs: 1,
    ...extra,
  })
  clients.push(c)
  return c
}

const tokens = {
  access_token: 'ory_at_x',
  token_type: 'bearer',
  expires_in: 3599,
  scope: 'openid',
  refresh_token: 'ory_rt_y',
}
const basic = `Basic ${Buffer.from('my+app:s%3Ae%2Fc%2Br%25t').toString('base64')}`

function form(i = 0): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(server.requests[i]!.body))
}

describe('oAuth2Authorize', () => {
  it('builds the authorization URL with every parameter encoded', () => {
    const url = new URL(
      pub().oAuth2Authorize({
        state: 'state-123456',
        nonce: 'nonce-123456',
        scope: ['openid', 'offline_access'],
        codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        prompt: 'login',
        maxAge: 300,
        loginHint: 'a&b@example.com',
        acrValues: ['urn:a', 'urn:b'],
        uiLocales: 'de en',
        audience: ['https://api.example'],
        extraParams: { display: 'page' },
      }),
    )
    expect(url.origin + url.pathname).toBe(`${server.url}/oauth2/auth`)
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'my app',
      redirect_uri: 'https://app.example/cb',
      scope: 'openid offline_access',
      state: 'state-123456',
      nonce: 'nonce-123456',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
      prompt: 'login',
      max_age: '300',
      login_hint: 'a&b@example.com',
      acr_values: 'urn:a urn:b',
      ui_locales: 'de en',
      audience: 'https://api.example',
      display: 'page',
    })
  })

  it.each([
    [{ state: 'short' }, 'params.state must be at least 8 characters'],
    [{ state: '' }, 'params.state must be a non-empty string'],
    [{ state: 'state-123456', nonce: 'n' }, 'params.nonce must be at least 8 characters'],
    [{ state: 'state-123456', redirectUri: '/cb' }, 'params.redirectUri must be an absolute URL'],
    [
      { state: 'state-123456', extraParams: { state: 'other' } },
      'params.extraParams.state cannot replace a standard parameter',
    ],
    [
      { state: 'state-123456', extraParams: { client_id: 'evil' } },
      'params.extraParams.client_id cannot replace',
    ],
    [
      { state: 'state-123456', codeChallengeMethod: 'S256' },
      'params.codeChallengeMethod needs params.codeChallenge',
    ],
    [{ state: 'state-123456', scope: ['a b'] }, 'params.scope must be'],
    [{ state: 'state-123456', maxAge: -1 }, 'params.maxAge must be an integer >= 0'],
  ])('refuses %j', (params, message) => {
    expect(() => pub().oAuth2Authorize(params as never)).toThrow(TypeError)
    expect(() => pub().oAuth2Authorize(params as never)).toThrow(message)
  })

  it('needs a redirect URI from the params or the options', () => {
    const c = pub({ redirectUri: undefined })
    expect(() => c.oAuth2Authorize({ state: 'state-123456' })).toThrow(
      'params.redirectUri (or the redirectUri option) is required',
    )
    expect(c.oAuth2Authorize({ state: 'state-123456', redirectUri: 'http://127.0.0.1:3000/cb' })).toContain(
      'redirect_uri=http%3A%2F%2F127.0.0.1%3A3000%2Fcb',
    )
  })

  it('createAuthorizationRequest adds fresh state, nonce and an S256 challenge of the returned verifier', () => {
    const c = pub()
    const a = c.createAuthorizationRequest({ scope: 'openid' })
    const b = c.createAuthorizationRequest({ scope: 'openid' })
    const q = new URL(a.url).searchParams
    expect(q.get('state')).toBe(a.state)
    expect(q.get('nonce')).toBe(a.nonce)
    expect(q.get('code_challenge')).toBe(computeCodeChallenge(a.codeVerifier))
    expect(q.get('code_challenge_method')).toBe('S256')
    expect(q.get('scope')).toBe('openid')
    expect(a.state).not.toBe(b.state)
    expect(a.codeVerifier).not.toBe(b.codeVerifier)
  })
})

describe('oauth2TokenExchange', () => {
  it('authorization_code with client_secret_basic (form-urlencoded credentials, RFC 6749 §2.3.1)', async () => {
    server.queue({ body: tokens })
    const result = await pub().oauth2TokenExchange({
      grantType: 'authorization_code',
      code: 'ory_ac_1',
      codeVerifier: 'v'.repeat(43),
    })
    expect(result).toEqual(tokens)
    const req = server.requests[0]!
    expect(req.method).toBe('POST')
    expect(req.url).toBe('/oauth2/token')
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded')
    expect(req.headers.authorization).toBe(basic)
    expect(form()).toEqual({
      grant_type: 'authorization_code',
      code: 'ory_ac_1',
      redirect_uri: 'https://app.example/cb',
      code_verifier: 'v'.repeat(43),
    })
  })

  it('client_secret_post puts the credentials in the body', async () => {
    server.queue({ body: tokens })
    await pub({ tokenEndpointAuthMethod: 'client_secret_post' }).oauth2TokenExchange({
      grantType: 'client_credentials',
      scope: ['read', 'write'],
      audience: ['https://api.example', 'https://b.example'],
    })
    expect(server.requests[0]!.headers.authorization).toBeUndefined()
    expect(form()).toEqual({
      grant_type: 'client_credentials',
      scope: 'read write',
      audience: 'https://api.example https://b.example',
      client_id: 'my app',
      client_secret: 's:e/c+r%t',
    })
  })

  it('none (public client) sends only client_id', async () => {
    server.queue({ body: tokens })
    await pub({ clientSecret: undefined }).oauth2TokenExchange({
      grantType: 'authorization_code',
      code: 'c',
      redirectUri: 'https://app.example/other',
    })
    expect(server.requests[0]!.headers.authorization).toBeUndefined()
    expect(form()).toEqual({
      grant_type: 'authorization_code',
      code: 'c',
      redirect_uri: 'https://app.example/other',
      client_id: 'my app',
    })
  })

  it('refresh_token', async () => {
    server.queue({ body: tokens })
    await pub().oauth2TokenExchange({
      grantType: 'refresh_token',
      refreshToken: 'ory_rt_1',
      scope: 'openid',
      extraParams: { foo: 'bar' },
    })
    expect(form()).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'ory_rt_1',
      scope: 'openid',
      foo: 'bar',
    })
  })

  it('an OAuth error is a HydraError with the code but no secret, code or token in the message', async () => {
    server.setDefault({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'The authorization code ory_ac_SECRET has expired' },
    })
    const err = (await pub()
      .oauth2TokenExchange({ grantType: 'authorization_code', code: 'ory_ac_SECRET' })
      .catch((e: unknown) => e)) as HydraError
    expect(err).toBeInstanceOf(HydraError)
    expect(err).toMatchObject({
      kind: 'http',
      hydraStatus: 400,
      error: 'invalid_grant',
      operation: 'oauth2TokenExchange',
    })
    expect(err.message).toBe('Hydra oauth2TokenExchange failed with HTTP 400 (invalid_grant)')
    expect(server.requests).toHaveLength(1)
  })

  it('is never retried on 5xx', async () => {
    server.setDefault({ status: 503 })
    await expect(pub().oauth2TokenExchange({ grantType: 'client_credentials' })).rejects.toMatchObject({
      hydraStatus: 503,
    })
    expect(server.requests).toHaveLength(1)
  })

  it('an answer without access_token is a response error', async () => {
    server.queue({ body: { token_type: 'bearer' } })
    await expect(pub().oauth2TokenExchange({ grantType: 'client_credentials' })).rejects.toMatchObject({
      kind: 'response',
      message: expect.stringContaining('"access_token"') as unknown,
    })
  })

  it.each([
    [
      { grantType: 'password', username: 'u' },
      "grant.grantType must be 'authorization_code', 'client_credentials' or 'refresh_token'",
    ],
    [{ grantType: 'authorization_code', code: '' }, 'grant.code must be a non-empty string'],
    [{ grantType: 'refresh_token' }, 'grant.refreshToken must be a non-empty string'],
    [
      { grantType: 'client_credentials', extraParams: { grant_type: 'x' } },
      'grant.extraParams.grant_type cannot replace',
    ],
  ])('refuses %j', async (grant, message) => {
    await expect(pub().oauth2TokenExchange(grant as never)).rejects.toThrow(message)
    expect(server.requests).toHaveLength(0)
  })

  it('client_credentials needs a secret', async () => {
    await expect(
      pub({ clientSecret: undefined }).oauth2TokenExchange({ grantType: 'client_credentials' }),
    ).rejects.toThrow('the client_credentials grant needs a client secret')
  })
})

describe('revokeOAuth2Token, discovery, JWKS, userinfo', () => {
  it('revokes with the client credentials and a hint', async () => {
    server.queue({ status: 200 })
    await expect(
      pub().revokeOAuth2Token('ory_at_x', { tokenTypeHint: 'access_token' }),
    ).resolves.toBeUndefined()
    const req = server.requests[0]!
    expect([req.method, req.url, req.headers.authorization]).toEqual(['POST', '/oauth2/revoke', basic])
    expect(form()).toEqual({ token: 'ory_at_x', token_type_hint: 'access_token' })
  })

  it('revoke as a public client sends client_id', async () => {
    server.queue({ status: 200 })
    await pub({ clientSecret: undefined }).revokeOAuth2Token('ory_rt_x')
    expect(form()).toEqual({ token: 'ory_rt_x', client_id: 'my app' })
  })

  it('discovers the OpenID configuration (GET, retried on 5xx)', async () => {
    const doc = {
      issuer: `${server.url}/`,
      authorization_endpoint: `${server.url}/oauth2/auth`,
      token_endpoint: `${server.url}/oauth2/token`,
      jwks_uri: `${server.url}/.well-known/jwks.json`,
      subject_types_supported: ['public'],
    }
    server.queue({ status: 502 }, { body: doc })
    await expect(pub().discoverOidcConfiguration()).resolves.toEqual(doc)
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET /.well-known/openid-configuration',
      'GET /.well-known/openid-configuration',
    ])
    expect(server.requests[1]!.headers.authorization).toBeUndefined()
  })

  it('a discovery document without issuer is a response error', async () => {
    server.queue({ body: { token_endpoint: 'x', authorization_endpoint: 'y', jwks_uri: 'z' } })
    await expect(pub().discoverOidcConfiguration()).rejects.toMatchObject({
      kind: 'response',
      operation: 'discoverOidcConfiguration',
    })
  })

  it('fetches the JWKS', async () => {
    server.queue({ body: fx.jwks })
    await expect(pub().discoverJsonWebKeys()).resolves.toEqual(fx.jwks)
    expect(server.requests[0]!.url).toBe('/.well-known/jwks.json')
  })

  it('calls userinfo with the access token as bearer', async () => {
    server.queue({ body: { sub: 'user-1', email: 'a@example.com' } })
    await expect(pub().getOidcUserInfo('ory_at_x')).resolves.toEqual({
      sub: 'user-1',
      email: 'a@example.com',
    })
    expect(server.requests[0]!.headers.authorization).toBe('Bearer ory_at_x')
    expect(server.requests[0]!.url).toBe('/userinfo')
  })

  it('userinfo 401 is a HydraError, not retried', async () => {
    server.setDefault({
      status: 401,
      body: { error: 'request_unauthorized' },
      headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
    })
    await expect(pub().getOidcUserInfo('ory_at_x')).rejects.toMatchObject({
      hydraStatus: 401,
      error: 'request_unauthorized',
    })
    expect(server.requests).toHaveLength(1)
  })

  it('refuses an access token that would inject a header', async () => {
    await expect(pub().getOidcUserInfo('a\r\nx-evil: 1')).rejects.toThrow(
      'accessToken has characters a header cannot carry',
    )
    expect(server.requests).toHaveLength(0)
  })
})

describe('options are validated at construction', () => {
  it.each([
    [{ clientId: 'a' }, 'publicUrl must be a non-empty string'],
    [{ publicUrl: 'hydra', clientId: 'a' }, 'publicUrl must be an absolute URL'],
    [{ publicUrl: 'http://h' }, 'clientId must be a non-empty string'],
    [
      { publicUrl: 'http://h', clientId: 'a', tokenEndpointAuthMethod: 'client_secret_basic' },
      "clientSecret is required when tokenEndpointAuthMethod is 'client_secret_basic'",
    ],
    [
      { publicUrl: 'http://h', clientId: 'a', tokenEndpointAuthMethod: 'private_key_jwt' },
      "tokenEndpointAuthMethod must be 'client_secret_basic', 'client_secret_post' or 'none'",
    ],
    [{ publicUrl: 'http://h', clientId: 'a', clientSecret: '' }, 'clientSecret must be a non-empty string'],
    [{ publicUrl: 'http://h', clientId: 'a', redirectUri: 'cb' }, 'redirectUri must be an absolute URL'],
    [{ publicUrl: 'http://h', clientId: 'a', timeoutMs: -5 }, 'timeoutMs must be a number > 0'],
  ])('%j', (options, message) => {
    expect(() => createHydraPublicClient(options as never)).toThrow(TypeError)
    expect(() => createHydraPublicClient(options as never)).toThrow(message)
  })

  it('defaults to none without a secret and basic with one', async () => {
    server.queue({ status: 200 }, { status: 200 })
    await pub({ clientSecret: undefined }).revokeOAuth2Token('t')
    await pub().revokeOAuth2Token('t')
    expect(server.requests.map((r) => r.headers.authorization)).toEqual([undefined, basic])
  })
})
