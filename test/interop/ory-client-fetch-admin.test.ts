// Interop, part two: Ory's official SDK (@ory/client-fetch) drives every other operation it has
// against the mock: client lifespans and secrets, paging, JSON Web Keys, trusted JWT-bearer
// issuers, the logout and reject branches, session and token revocation, metadata and discovery.
// Each call is a realistic one and its typed result is asserted.
import { randomUUID } from 'node:crypto'
import {
  Configuration,
  JwkApi,
  MetadataApi,
  OAuth2Api,
  OidcApi,
  ResponseError,
  WellknownApi,
} from '@ory/client-fetch'
import { createMockHydra } from '@hydrakit/hydra-mock'
import type { MockHydra } from '@hydrakit/hydra-mock'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const REDIRECT = 'http://127.0.0.1:5555/callback'
const LOGIN = 'http://127.0.0.1:5556/login'
const CONSENT = 'http://127.0.0.1:5556/consent'
const LOGOUT = 'http://127.0.0.1:5556/logout'

let hydra: MockHydra
let api: OAuth2Api
let jwkApi: JwkApi

beforeAll(async () => {
  hydra = await createMockHydra({ loginUrl: LOGIN, consentUrl: CONSENT, logoutUrl: LOGOUT })
  const config = new Configuration({ basePath: hydra.adminUrl })
  api = new OAuth2Api(config)
  jwkApi = new JwkApi(config)
})
afterAll(() => hydra.close())

/** The OAuth2Api of the public listener, authenticating as a client with HTTP Basic. */
function publicApi(id: string, secret: string): OAuth2Api {
  return new OAuth2Api(new Configuration({ basePath: hydra.publicUrl, username: id, password: secret }))
}

async function statusOf(promise: Promise<unknown>): Promise<number> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ResponseError)
  return (error as ResponseError).response.status
}

/** A browser hop with a cookie jar: returns the Location of the expected 302. */
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

describe('@ory/client-fetch: clients, lifespans, secrets, paging', () => {
  it('setOAuth2ClientLifespans changes expires_in of oauth2TokenExchange; patch rotates the secret', async () => {
    const client = await api.createOAuth2Client({
      oAuth2Client: { client_name: 'svc', grant_types: ['client_credentials'], scope: 'read' },
    })
    const id = client.client_id!
    const updated = await api.setOAuth2ClientLifespans({
      id,
      oAuth2ClientTokenLifespans: { client_credentials_grant_access_token_lifespan: '15m' },
    })
    expect(updated.client_credentials_grant_access_token_lifespan).toBe('15m0s')
    expect(updated.client_name).toBe('svc')
    const token = await publicApi(id, client.client_secret!).oauth2TokenExchange({
      grantType: 'client_credentials',
    })
    expect(token).toMatchObject({ token_type: 'bearer', expires_in: 900 })

    const patched = await api.patchOAuth2Client({
      id,
      jsonPatch: [{ op: 'replace', path: '/client_secret', value: 'rotated-secret-123' }],
    })
    expect(patched.client_secret).toBe('rotated-secret-123')
    expect(
      (await publicApi(id, 'rotated-secret-123').oauth2TokenExchange({ grantType: 'client_credentials' }))
        .access_token,
    ).toMatch(/^ory_at_/)
    expect(
      await statusOf(
        publicApi(id, client.client_secret!).oauth2TokenExchange({ grantType: 'client_credentials' }),
      ),
    ).toBe(401)
    expect(await statusOf(api.setOAuth2ClientLifespans({ id: 'nope', oAuth2ClientTokenLifespans: {} }))).toBe(
      404,
    )
  })

  it('listOAuth2Clients pages with pageSize and the page_token of the Link header', async () => {
    for (let i = 0; i < 3; i++) await api.createOAuth2Client({ oAuth2Client: { owner: 'paging-team' } })
    const first = await api.listOAuth2ClientsRaw({ owner: 'paging-team', pageSize: 2 })
    const page1 = await first.value()
    expect(page1).toHaveLength(2)
    const next = /<([^>]+)>; rel="next"/.exec(first.raw.headers.get('link')!)![1]!
    const pageToken = new URL(next, hydra.adminUrl).searchParams.get('page_token')!
    const page2 = await api.listOAuth2Clients({ owner: 'paging-team', pageSize: 2, pageToken })
    expect(page2).toHaveLength(1)
    expect(page2[0]!.owner).toBe('paging-team')
    expect(new Set([...page1, ...page2].map((c) => c.client_id)).size).toBe(3)
  })
})

describe('@ory/client-fetch: JwkApi', () => {
  it('create, get, set (key and set), delete', async () => {
    const created = await jwkApi.createJsonWebKeySet({
      set: 'sdk-set',
      createJsonWebKeySet: { alg: 'ES256', kid: 'first', use: 'sig' },
    })
    expect(created.keys![0]).toMatchObject({ kid: 'first', alg: 'ES256', kty: 'EC', use: 'sig' })
    expect((await jwkApi.getJsonWebKeySet({ set: 'sdk-set' })).keys!.map((k) => k.kid)).toEqual(['first'])
    expect((await jwkApi.getJsonWebKey({ set: 'sdk-set', kid: 'first' })).keys![0]!.d).toBeTruthy()

    const { privateKey } = await generateKeyPair('RS256', { extractable: true })
    const rsa = { ...(await exportJWK(privateKey)), kid: 'second', alg: 'RS256', use: 'sig' } as {
      kty: string
      kid: string
      alg: string
      use: string
    }
    const put = await jwkApi.setJsonWebKey({ set: 'sdk-set', kid: 'second', jsonWebKey: rsa })
    expect(put).toMatchObject({ kid: 'second', kty: 'RSA', alg: 'RS256' })
    const replaced = await jwkApi.setJsonWebKeySet({ set: 'sdk-set', jsonWebKeySet: { keys: [rsa] } })
    expect(replaced.keys!.map((k) => k.kid)).toEqual(['second'])
    await jwkApi.deleteJsonWebKey({ set: 'sdk-set', kid: 'second' })
    expect(await statusOf(jwkApi.getJsonWebKeySet({ set: 'sdk-set' }))).toBe(404)
    await jwkApi.createJsonWebKeySet({
      set: 'sdk-set',
      createJsonWebKeySet: { alg: 'RS256', kid: 'x', use: 'sig' },
    })
    await jwkApi.deleteJsonWebKeySet({ set: 'sdk-set' })
    expect(await statusOf(jwkApi.getJsonWebKey({ set: 'sdk-set', kid: 'x' }))).toBe(404)
  })
})

describe('@ory/client-fetch: trusted JWT-bearer issuers', () => {
  it('trust, get, list, use for the jwt-bearer grant, delete', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
    const jwk = { ...(await exportJWK(publicKey)), kid: 'idp-1', alg: 'ES256', use: 'sig' } as {
      kty: string
      kid: string
      alg: string
      use: string
    }
    const expires = new Date(hydra.now().getTime() + 3600_000)
    const trusted = await api.trustOAuth2JwtGrantIssuer({
      trustOAuth2JwtGrantIssuer: {
        issuer: 'https://idp.sdk.example',
        allow_any_subject: true,
        scope: ['read'],
        jwk,
        expires_at: expires,
      },
    })
    expect(trusted).toMatchObject({
      issuer: 'https://idp.sdk.example',
      allow_any_subject: true,
      scope: ['read'],
      public_key: { set: 'https://idp.sdk.example', kid: 'idp-1' },
    })
    expect(trusted.expires_at).toBeInstanceOf(Date)
    expect(trusted.expires_at!.getTime()).toBe(expires.getTime())
    const got = await api.getTrustedOAuth2JwtGrantIssuer({ id: trusted.id! })
    expect(got.id).toBe(trusted.id)
    const listed = await api.listTrustedOAuth2JwtGrantIssuers({
      issuer: 'https://idp.sdk.example',
      pageSize: 10,
    })
    expect(listed.map((t) => t.id)).toEqual([trusted.id])

    const client = await api.createOAuth2Client({
      oAuth2Client: { grant_types: ['urn:ietf:params:oauth:grant-type:jwt-bearer'], scope: 'read' },
    })
    const now = Math.floor(hydra.now().getTime() / 1000)
    const assertion = await new SignJWT({ jti: randomUUID() })
      .setProtectedHeader({ alg: 'ES256', kid: 'idp-1' })
      .setIssuer('https://idp.sdk.example')
      .setSubject('svc-account-7')
      .setAudience(`${hydra.publicUrl}/oauth2/token`)
      .setIssuedAt(now)
      .setExpirationTime(now + 120)
      .sign(privateKey)
    // The SDK's oauth2TokenExchange has no `assertion` parameter: the grant is posted directly.
    const res = await fetch(`${hydra.publicUrl}/oauth2/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion,
        scope: 'read',
      }).toString(),
    })
    expect(res.status).toBe(200)
    const { access_token } = (await res.json()) as { access_token: string }
    expect(await api.introspectOAuth2Token({ token: access_token })).toMatchObject({
      active: true,
      sub: 'svc-account-7',
      scope: 'read',
    })

    await api.deleteTrustedOAuth2JwtGrantIssuer({ id: trusted.id! })
    expect(await statusOf(api.getTrustedOAuth2JwtGrantIssuer({ id: trusted.id! }))).toBe(404)
    const gone = await api.getTrustedOAuth2JwtGrantIssuer({ id: trusted.id! }).catch((e: unknown) => e)
    expect(await (gone as ResponseError).response.json()).toMatchObject({ message: expect.any(String) })
  })
})

describe('@ory/client-fetch: reject, logout, revocation', () => {
  it('rejectOAuth2ConsentRequest, logout get/accept/reject, session and token revocation', async () => {
    const client = await api.createOAuth2Client({
      oAuth2Client: {
        redirect_uris: [REDIRECT],
        grant_types: ['authorization_code', 'refresh_token'],
        scope: 'openid offline',
        token_endpoint_auth_method: 'client_secret_post',
      },
    })
    const jar = new Map<string, string>()
    const start = (state: string): string => {
      const url = new URL(`${hydra.publicUrl}/oauth2/auth`)
      url.search = new URLSearchParams({
        response_type: 'code',
        client_id: client.client_id!,
        redirect_uri: REDIRECT,
        scope: 'openid offline',
        state,
      }).toString()
      return url.toString()
    }
    // Flow 1: logged in and remembered, consent rejected.
    const loginChallenge = new URL(await hop(start('reject-state-1'), jar)).searchParams.get(
      'login_challenge',
    )!
    const loggedIn = await api.acceptOAuth2LoginRequest({
      loginChallenge,
      acceptOAuth2LoginRequest: { subject: 'erin', remember: true, remember_for: 3600 },
    })
    const consentChallenge = new URL(await hop(loggedIn.redirect_to, jar)).searchParams.get(
      'consent_challenge',
    )!
    const rejected = await api.rejectOAuth2ConsentRequest({
      consentChallenge,
      rejectOAuth2Request: { error: 'access_denied', error_description: 'The user said no.' },
    })
    const denied = new URL(await hop(rejected.redirect_to, jar))
    expect(denied.searchParams.get('error')).toBe('access_denied')
    expect(denied.searchParams.get('state')).toBe('reject-state-1')

    // Flow 2: consent granted; the tokens are revoked through the SDK.
    const again = new URL(await hop(start('grant-state-2'), jar)).searchParams.get('login_challenge')!
    const login2 = await api.getOAuth2LoginRequest({ loginChallenge: again })
    expect(login2).toMatchObject({ skip: true, subject: 'erin' })
    const accepted = await api.acceptOAuth2LoginRequest({
      loginChallenge: again,
      acceptOAuth2LoginRequest: { subject: 'erin' },
    })
    const cc = new URL(await hop(accepted.redirect_to, jar)).searchParams.get('consent_challenge')!
    const granted = await api.acceptOAuth2ConsentRequest({
      consentChallenge: cc,
      acceptOAuth2ConsentRequest: { grant_scope: ['openid', 'offline'], remember: true },
    })
    const code = new URL(await hop(granted.redirect_to, jar)).searchParams.get('code')!
    const tokenRes = await fetch(`${hydra.publicUrl}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT,
        client_id: client.client_id!,
        client_secret: client.client_secret!,
      }).toString(),
    })
    const tokens = (await tokenRes.json()) as {
      access_token: string
      refresh_token: string
      id_token: string
    }
    const userinfo = await new OidcApi(
      // The SDK sends this value verbatim as the Authorization header of its oauth2 scheme.
      new Configuration({ basePath: hydra.publicUrl, accessToken: `Bearer ${tokens.access_token}` }),
    ).getOidcUserInfo()
    expect(userinfo.sub).toBe('erin')
    // client_secret_post: the credentials go in the form, not in a Basic header.
    await new OAuth2Api(new Configuration({ basePath: hydra.publicUrl })).revokeOAuth2Token({
      token: tokens.refresh_token,
      clientId: client.client_id!,
      clientSecret: client.client_secret!,
    })
    expect((await api.introspectOAuth2Token({ token: tokens.access_token })).active).toBe(false)

    const sessions = await api.listOAuth2ConsentSessions({ subject: 'erin', pageSize: 1 })
    expect(sessions).toHaveLength(1)
    expect(sessions[0]!.consent_request?.client?.client_id).toBe(client.client_id)
    await api.revokeOAuth2ConsentSessions({ subject: 'erin', client: client.client_id! })
    expect(await api.listOAuth2ConsentSessions({ subject: 'erin' })).toEqual([])
    await api.deleteOAuth2Token({ clientId: client.client_id! })

    // Logout: started by the browser alone (no client), then rejected; again, then accepted.
    const logout1 = new URL(await hop(`${hydra.publicUrl}/oauth2/sessions/logout`, jar))
    const logoutChallenge = logout1.searchParams.get('logout_challenge')!
    const logoutRequest = await api.getOAuth2LogoutRequest({ logoutChallenge })
    expect(logoutRequest).toMatchObject({ subject: 'erin', rp_initiated: false, challenge: logoutChallenge })
    expect(logoutRequest.client).toBeUndefined()
    await api.rejectOAuth2LogoutRequest({ logoutChallenge })
    expect(await statusOf(api.getOAuth2LogoutRequest({ logoutChallenge }))).toBe(404)
    const logout2 = new URL(await hop(`${hydra.publicUrl}/oauth2/sessions/logout`, jar))
    const done = await api.acceptOAuth2LogoutRequest({
      logoutChallenge: logout2.searchParams.get('logout_challenge')!,
    })
    expect(done.redirect_to).toContain('/oauth2/sessions/logout?logout_verifier=')
    await api.revokeOAuth2LoginSessions({ subject: 'erin' })
    const fresh = new URL(await hop(start('after-logout-3'), jar)).searchParams.get('login_challenge')!
    expect((await api.getOAuth2LoginRequest({ loginChallenge: fresh })).skip).toBe(false)
  })
})

describe('@ory/client-fetch: metadata and discovery', () => {
  it('getVersion, discoverOidcConfiguration, discoverJsonWebKeys', async () => {
    expect(await new MetadataApi(new Configuration({ basePath: hydra.adminUrl })).getVersion()).toEqual({
      version: 'v26.2.0',
    })
    const publicConfig = new Configuration({ basePath: hydra.publicUrl })
    const discovery = await new OidcApi(publicConfig).discoverOidcConfiguration()
    expect(discovery.issuer).toBe(hydra.issuer)
    expect(discovery.grant_types_supported).toContain('urn:ietf:params:oauth:grant-type:jwt-bearer')
    const jwks = await new WellknownApi(publicConfig).discoverJsonWebKeys()
    expect(jwks.keys!.length).toBeGreaterThanOrEqual(2)
    expect(jwks.keys!.every((k) => k.d === undefined && k.use === 'sig')).toBe(true)
  })
})
