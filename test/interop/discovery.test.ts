// Discovery against panva's oidc-provider: its endpoints are not where Hydra keeps them
// (`/jwks`, `/token/introspection`), and discovery finds them from the issuer alone.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createIssuerMetadataResolver } from '../../packages/core/src/discovery/resolver.js'
import { httpFetch } from '../../packages/core/test/discovery/http-fetch.js'
import { startOidcProvider, type OidcProviderServer } from './oidc-provider/server.js'

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
