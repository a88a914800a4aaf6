// Our own admin client against the mock Hydra: every call the toolkit and its users rely on,
// end to end over real HTTP (the recording-server tests check the wire format in isolation).
import {
  createHydraAdminClient,
  createHydraPublicClient,
  HydraError,
  type HydraAdminClient,
} from '@hydrakit/core/hydra'
import { createMockHydra, type MockHydra } from '@hydrakit/hydra-mock'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

let hydra: MockHydra
let admin: HydraAdminClient

beforeAll(async () => {
  hydra = await createMockHydra({
    loginUrl: 'http://127.0.0.1:5556/login',
    consentUrl: 'http://127.0.0.1:5556/consent',
  })
  admin = createHydraAdminClient({ adminUrl: hydra.adminUrl })
})
afterAll(async () => {
  await admin.close()
  await hydra.close()
})

describe('createHydraAdminClient against the mock Hydra', () => {
  it('clients: create, get, list, patch, set, delete', async () => {
    const created = await admin.createOAuth2Client({
      client_name: 'svc',
      grant_types: ['client_credentials'],
      scope: 'read write',
    })
    expect(created.client_id).toEqual(expect.any(String))
    expect(created.client_secret).toEqual(expect.any(String))
    const id = created.client_id!
    expect((await admin.getOAuth2Client(id)).client_name).toBe('svc')
    const page = await admin.listOAuth2Clients({ clientName: 'svc' })
    expect(page.items.map((c) => c.client_id)).toContain(id)
    const patched = await admin.patchOAuth2Client(id, [
      { op: 'replace', path: '/client_name', value: 'svc2' },
    ])
    expect(patched.client_name).toBe('svc2')
    const set = await admin.setOAuth2Client(id, { ...patched, scope: 'read' })
    expect(set.scope).toBe('read')
    await admin.deleteOAuth2Client(id)
    const err = await admin.getOAuth2Client(id).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(HydraError)
    expect((err as HydraError).hydraStatus).toBe(404)
  })

  it('tokens: a client-credentials token is active at introspection, inactive after revocation', async () => {
    const client = await admin.createOAuth2Client({ grant_types: ['client_credentials'], scope: 'read' })
    const oauth = createHydraPublicClient({
      publicUrl: hydra.publicUrl,
      clientId: client.client_id!,
      clientSecret: client.client_secret!,
    })
    try {
      const tokens = await oauth.oauth2TokenExchange({ grantType: 'client_credentials', scope: ['read'] })
      const active = await admin.introspectOAuth2Token(tokens.access_token)
      expect(active).toMatchObject({
        active: true,
        client_id: client.client_id,
        token_use: 'access_token',
        scope: 'read',
      })
      await oauth.revokeOAuth2Token(tokens.access_token)
      expect(await admin.introspectOAuth2Token(tokens.access_token)).toEqual({ active: false })
    } finally {
      await oauth.close()
    }
  })

  it('login requests: an unknown challenge is a 404 HydraError', async () => {
    const err = await admin.getOAuth2LoginRequest('nope').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(HydraError)
    expect((err as HydraError).hydraStatus).toBe(404)
  })

  it('keys and health', async () => {
    const set = await admin.getJsonWebKeySet('hydra.jwt.access-token')
    expect(set.keys.length).toBeGreaterThan(0)
    expect(await admin.isAlive()).toMatchObject({ status: 'ok' })
    expect((await admin.getVersion()).version).toEqual(expect.any(String))
  })

  it('operations the Ory SDK lacks: readiness, Prometheus metrics, v1 token flush, list paging bounds', async () => {
    expect(await admin.isReady()).toEqual({ ready: true, status: 'ok' })
    expect(await admin.getPrometheusMetrics()).toMatch(
      /^hydrakit_mock_requests_total\{operation="isReady"\} 1$/m,
    )
    const v1 = createHydraAdminClient({ adminUrl: hydra.adminUrl, apiVersion: 'v1' })
    try {
      const { accessToken } = await hydra.issueToken({ expiresIn: 60 })
      hydra.advanceTime(120)
      await v1.flushInactiveOAuth2Tokens({ notAfter: hydra.now() })
      expect(hydra.revoke(accessToken)).toBe(false)
    } finally {
      hydra.resetTime()
      await v1.close()
    }
    const page = await admin.listOAuth2Clients({ pageSize: 1000 })
    expect(page.first).toEqual({ pageSize: 1000, pageToken: expect.any(String) })
    await expect(admin.listOAuth2Clients({ pageSize: 1001 })).rejects.toThrow(
      'params.pageSize must be at most 1000',
    )
    await expect(admin.listOAuth2ConsentSessions('alice', { pageSize: 501 })).rejects.toThrow(
      'params.pageSize must be at most 500',
    )
  })

  it('JWKs and trusted issuers must be complete (kty, kid, alg, use) before anything is sent', async () => {
    const incomplete = { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }
    await expect(
      // @ts-expect-error kid, alg and use are required by the spec
      admin.setJsonWebKey('s', 'k', incomplete),
    ).rejects.toThrow('jwk.kid must be a non-empty string')
    await expect(
      admin.trustOAuth2JwtGrantIssuer({
        issuer: 'https://idp.example',
        scope: ['read'],
        // @ts-expect-error kid, alg and use are required by the spec
        jwk: incomplete,
        expires_at: new Date(Date.now() + 60_000).toISOString(),
        allow_any_subject: true,
      }),
    ).rejects.toThrow('body.jwk.kid must be a non-empty string')
    expect(hydra.calls.setJsonWebKey + hydra.calls.trustOAuth2JwtGrantIssuer).toBe(0)
  })
})
