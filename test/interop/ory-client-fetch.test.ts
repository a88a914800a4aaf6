// Interop: Ory's official SDK (@ory/client-fetch, OAuth2Api) drives the mock's admin API. If the
// SDK can create clients, read/accept login and consent requests and introspect tokens against
// the mock, the paths, methods, bodies and status codes have Hydra's shapes.
import { createHash, randomBytes } from 'node:crypto'
import { Configuration, OAuth2Api, ResponseError } from '@ory/client-fetch'
import { createMockHydra } from '@hydrakit/hydra-mock'
import type { MockHydra } from '@hydrakit/hydra-mock'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const REDIRECT = 'http://127.0.0.1:5555/callback'
const LOGIN = 'http://127.0.0.1:5556/login'
const CONSENT = 'http://127.0.0.1:5556/consent'

let hydra: MockHydra
let api: OAuth2Api

beforeAll(async () => {
  hydra = await createMockHydra({ loginUrl: LOGIN, consentUrl: CONSENT })
  api = new OAuth2Api(new Configuration({ basePath: hydra.adminUrl }))
})
afterAll(() => hydra.close())

/** Follows one redirect by hand, carrying the public origin's cookies. */
async function hop(url: string, jar: Map<string, string>): Promise<string> {
  const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ')
  const res = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} })
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';')
    const eq = pair!.indexOf('=')
    jar.set(pair!.slice(0, eq), pair!.slice(eq + 1))
  }
  expect(res.status).toBe(302)
  return res.headers.get('location')!
}

async function bodyOf(error: unknown): Promise<{ status: number; body: unknown }> {
  expect(error).toBeInstanceOf(ResponseError)
  const response = (error as ResponseError).response
  return { status: response.status, body: await response.json() }
}

describe('@ory/client-fetch OAuth2Api against the mock', () => {
  it('createOAuth2Client, login and consent requests, introspectOAuth2Token', async () => {
    const client = await api.createOAuth2Client({
      oAuth2Client: {
        client_name: 'sdk interop',
        redirect_uris: [REDIRECT],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        scope: 'openid offline read',
        token_endpoint_auth_method: 'client_secret_post',
      },
    })
    expect(client.client_id).toBeTruthy()
    expect(client.client_secret).toBeTruthy()
    expect(client.created_at).toBeInstanceOf(Date)

    const verifier = randomBytes(32).toString('base64url')
    const auth = new URL(`${hydra.publicUrl}/oauth2/auth`)
    auth.search = new URLSearchParams({
      response_type: 'code',
      client_id: client.client_id!,
      redirect_uri: REDIRECT,
      scope: 'openid offline read',
      state: 'sdk-state-123',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString()
    const jar = new Map<string, string>()

    const loginChallenge = new URL(await hop(auth.toString(), jar)).searchParams.get('login_challenge')!
    const login = await api.getOAuth2LoginRequest({ loginChallenge })
    expect(login.challenge).toBe(loginChallenge)
    expect(login.skip).toBe(false)
    expect(login.client.client_id).toBe(client.client_id)
    expect(login.requested_scope).toEqual(['openid', 'offline', 'read'])

    const afterLogin = await api.acceptOAuth2LoginRequest({
      loginChallenge,
      acceptOAuth2LoginRequest: { subject: 'alice', remember: true, remember_for: 3600 },
    })
    const consentChallenge = new URL(await hop(afterLogin.redirect_to, jar)).searchParams.get(
      'consent_challenge',
    )!
    const consent = await api.getOAuth2ConsentRequest({ consentChallenge })
    expect(consent.subject).toBe('alice')
    expect(consent.login_challenge).toBe(loginChallenge)
    expect(consent.requested_scope).toEqual(['openid', 'offline', 'read'])

    const afterConsent = await api.acceptOAuth2ConsentRequest({
      consentChallenge,
      acceptOAuth2ConsentRequest: {
        grant_scope: consent.requested_scope,
        grant_access_token_audience: consent.requested_access_token_audience,
        remember: true,
        session: { access_token: { tenant: 'acme' }, id_token: { email: 'alice@example.com' } },
      },
    })
    const callback = new URL(await hop(afterConsent.redirect_to, jar))
    expect(callback.searchParams.get('state')).toBe('sdk-state-123')

    const tokenRes = await fetch(`${hydra.publicUrl}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: callback.searchParams.get('code')!,
        redirect_uri: REDIRECT,
        code_verifier: verifier,
        client_id: client.client_id!,
        client_secret: client.client_secret!,
      }).toString(),
    })
    expect(tokenRes.status).toBe(200)
    const tokens = (await tokenRes.json()) as { access_token: string; refresh_token: string }

    const introspected = await api.introspectOAuth2Token({ token: tokens.access_token })
    expect(introspected).toMatchObject({
      active: true,
      sub: 'alice',
      client_id: client.client_id,
      scope: 'openid offline read',
      aud: [],
      ext: { tenant: 'acme' },
      token_type: 'Bearer',
      token_use: 'access_token',
      iss: hydra.issuer,
    })
    expect(introspected.nbf).toBe(introspected.iat)
    expect(await api.introspectOAuth2Token({ token: tokens.access_token, scope: 'write' })).toEqual({
      active: false,
    })
    const refresh = await api.introspectOAuth2Token({ token: tokens.refresh_token })
    expect(refresh.token_use).toBe('refresh_token')

    const sessions = await api.listOAuth2ConsentSessions({ subject: 'alice' })
    expect(sessions[0]?.grant_scope).toEqual(['openid', 'offline', 'read'])
  })

  it('Hydra’s error statuses and bodies reach the SDK as ResponseError', async () => {
    const unknown = await bodyOf(
      await api.getOAuth2LoginRequest({ loginChallenge: 'nope' }).catch((e: unknown) => e),
    )
    expect(unknown).toEqual({
      status: 404,
      body: {
        error: 'Not Found',
        error_description: 'Unable to locate the requested resource',
        status_code: 404,
      },
    })
    const client = await api.createOAuth2Client({
      oAuth2Client: {
        redirect_uris: [REDIRECT],
        scope: 'openid',
        token_endpoint_auth_method: 'client_secret_basic',
      },
    })
    const auth = new URL(`${hydra.publicUrl}/oauth2/auth`)
    auth.search = new URLSearchParams({
      response_type: 'code',
      client_id: client.client_id!,
      redirect_uri: REDIRECT,
      scope: 'openid',
      state: 'sdk-state-456',
    }).toString()
    const loginChallenge = new URL(await hop(auth.toString(), new Map())).searchParams.get('login_challenge')!
    const empty = await bodyOf(
      await api
        .acceptOAuth2LoginRequest({ loginChallenge, acceptOAuth2LoginRequest: { subject: '' } })
        .catch((e: unknown) => e),
    )
    expect(empty.status).toBe(400)
    expect(empty.body).toMatchObject({ error: 'invalid_request' })
    const rejected = await api.rejectOAuth2LoginRequest({
      loginChallenge,
      rejectOAuth2Request: { error: 'access_denied', error_description: 'no' },
    })
    expect(rejected.redirect_to).toContain('login_verifier=')
  })

  it('clients CRUD round-trips through the SDK, including JSON Patch', async () => {
    const created = await api.createOAuth2Client({ oAuth2Client: { client_name: 'crud', audience: ['a'] } })
    const id = created.client_id!
    expect((await api.getOAuth2Client({ id })).client_name).toBe('crud')
    const patched = await api.patchOAuth2Client({
      id,
      jsonPatch: [
        { op: 'replace', path: '/client_name', value: 'patched' },
        { op: 'add', path: '/audience/-', value: 'b' },
      ],
    })
    expect(patched).toMatchObject({ client_name: 'patched', audience: ['a', 'b'] })
    const set = await api.setOAuth2Client({ id, oAuth2Client: { client_name: 'replaced' } })
    expect(set.client_name).toBe('replaced')
    const listed = await api.listOAuth2Clients({ clientName: 'replaced' })
    expect(listed.map((c) => c.client_id)).toContain(id)
    await api.deleteOAuth2Client({ id })
    const gone = await bodyOf(await api.getOAuth2Client({ id }).catch((e: unknown) => e))
    expect(gone.status).toBe(404)
  })
})
