// What real introspection endpoints answer, run through the pure classifiers: oidc-provider marks
// access tokens with token_type only, Hydra (the mock) with token_use. Raw HTTP, no verifier.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMockHydra, type MockHydra } from '@hydrakit/hydra-mock'
import { classifyIntrospectedToken, classifyIntrospectionFailure } from '@hydrakit/core/authorization-server'
import { OTHER_AUDIENCE, startOidcProvider, type OidcProviderServer } from './oidc-provider/server.js'

async function introspect(
  url: string,
  token: string,
  auth?: { id: string; secret: string },
): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' }
  if (auth !== undefined)
    headers.authorization = 'Basic ' + Buffer.from(`${auth.id}:${auth.secret}`).toString('base64')
  const res = await fetch(url, { method: 'POST', headers, body: new URLSearchParams({ token }) })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

describe('oidc-provider', () => {
  let op: OidcProviderServer
  beforeAll(async () => {
    op = await startOidcProvider()
  })
  afterAll(() => op.close())

  it('access tokens are told apart from refresh tokens without token_use', async () => {
    const t = await op.authorizationCode('read', OTHER_AUDIENCE)
    const access = await introspect(op.introspectionUrl, t.access_token, op.introspectionClient)
    const refresh = await introspect(op.introspectionUrl, t.refresh_token ?? '', op.introspectionClient)
    expect(access.body).toMatchObject({ active: true, token_type: 'Bearer', aud: OTHER_AUDIENCE })
    expect(refresh.body.active).toBe(true)
    expect(refresh.body).not.toHaveProperty('token_use')
    expect(classifyIntrospectedToken(access.body).kind).toBe('access_token')
    expect(classifyIntrospectedToken(refresh.body).kind).not.toBe('access_token')
  })

  it('a request without client authentication is our fault, not the token’s', async () => {
    const t = await op.clientCredentials('read', OTHER_AUDIENCE)
    const r = await introspect(op.introspectionUrl, t.access_token)
    expect(r.status).toBeGreaterThanOrEqual(400)
    expect(classifyIntrospectionFailure(r.status, r.body).outcome).toBe('unavailable')
  })
})

describe('mock Hydra', () => {
  let mock: MockHydra
  beforeAll(async () => {
    mock = await createMockHydra()
  })
  afterAll(() => mock.close())

  it('token_use decides, although refresh tokens also say token_type Bearer', async () => {
    const t = await mock.issueToken({ scopes: ['read', 'offline_access'] })
    const url = `${mock.adminUrl}/admin/oauth2/introspect`
    const access = await introspect(url, t.accessToken)
    const refresh = await introspect(url, t.refreshToken ?? '')
    expect(classifyIntrospectedToken(access.body)).toMatchObject({
      kind: 'access_token',
      evidence: 'token_use',
    })
    expect(classifyIntrospectedToken(refresh.body)).toMatchObject({
      kind: 'refresh_token',
      evidence: 'token_use',
    })
  })
})
