// Discovery against panva's oidc-provider: its endpoints are not where Hydra keeps them
// (`/jwks`, `/token/introspection`), and discovery finds them from the issuer alone.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createIssuerMetadataResolver, type DiscoveryFetch } from '@hydrakit/core/authorization-server'
import { createJwtVerifier, type JwtVerifier } from '@hydrakit/core'
import { API_AUDIENCE, startOidcProvider, type OidcProviderServer } from './oidc-provider/server.js'

// A plain GET over the global fetch (the verifiers use their own upstream client).
const httpFetch =
  (): DiscoveryFetch =>
  async (url, { signal }) => {
    const res = await fetch(url, { signal, redirect: 'manual', headers: { accept: 'application/json' } })
    return { status: res.status, body: await res.text() }
  }

let op: OidcProviderServer
beforeAll(async () => {
  op = await startOidcProvider()
})
afterAll(() => op.close())

it('finds the JWKS and introspection endpoints from the issuer', async () => {
  const resolver = createIssuerMetadataResolver({ issuer: op.issuer, fetch: httpFetch() })
  const m = await resolver.resolve()
  expect(m).toMatchObject({
    issuer: op.issuer,
    jwksUri: op.jwksUri,
    introspectionEndpoint: op.introspectionUrl,
    document: 'openid-configuration',
  })
  expect(m.jwksUri).not.toBe(`${op.issuer}/.well-known/jwks.json`)
  await resolver.resolve()
  expect(op.calls['/.well-known/openid-configuration']).toBe(1)
})

it('refuses the document when the configured issuer has a trailing slash the server does not', async () => {
  const resolver = createIssuerMetadataResolver({ issuer: `${op.issuer}/`, fetch: httpFetch() })
  await expect(resolver.resolve()).rejects.toMatchObject({ code: 'issuer_mismatch' })
})

it("its JWT access tokens follow RFC 9068: profile 'rfc9068' accepts them from the issuer alone", async () => {
  const v: JwtVerifier = createJwtVerifier({ issuer: op.issuer, audience: API_AUDIENCE, profile: 'rfc9068' })
  try {
    const t = await op.authorizationCode('read', API_AUDIENCE, 'user-9')
    await expect(v.verify(t.access_token)).resolves.toMatchObject({ subject: 'user-9', clientId: 'app' })
    expect(v.jwksUri).toBe(op.jwksUri)
  } finally {
    await v.close()
  }
})
