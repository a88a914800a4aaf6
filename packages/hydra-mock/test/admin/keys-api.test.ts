import { decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMockHydra } from '../../src/index.js'
import type { MockHydra } from '../../src/index.js'
import { admin } from '../helpers/browser.js'

let hydra: MockHydra

beforeAll(async () => {
  hydra = await createMockHydra({ accessTokenStrategy: 'jwt' })
})
afterAll(() => hydra.close())

describe('JSON Web Keys', () => {
  it('GET /admin/keys/hydra.jwt.access-token returns the private key the public JWKS publishes', async () => {
    const res = await admin(hydra.adminUrl, 'GET', '/admin/keys/hydra.jwt.access-token')
    expect(res.status).toBe(200)
    expect(res.body.keys).toHaveLength(1)
    const key = res.body.keys[0]
    expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' })
    expect(typeof key.d).toBe('string')
    const wellKnown = (await admin(hydra.publicUrl, 'GET', '/.well-known/jwks.json')).body
    const published = wellKnown.keys.find((k: { kid: string }) => k.kid === key.kid)
    expect(published.n).toBe(key.n)
    expect(published.d).toBeUndefined()
    const idSet = await admin(hydra.adminUrl, 'GET', '/keys/hydra.openid.id-token')
    expect(idSet.body.keys[0].kid).not.toBe(key.kid)
  })

  it('POST creates a key that becomes the signing key', async () => {
    const res = await admin(hydra.adminUrl, 'POST', '/admin/keys/hydra.jwt.access-token', {
      alg: 'ES256',
      use: 'sig',
      kid: 'my-es256',
    })
    expect(res.status).toBe(201)
    expect(res.body.keys[0]).toMatchObject({ kid: 'my-es256', kty: 'EC', crv: 'P-256' })
    const { accessToken } = await hydra.issueToken({})
    expect(decodeProtectedHeader(accessToken)).toMatchObject({ kid: 'my-es256', alg: 'ES256', typ: 'JWT' })
    const one = await admin(hydra.adminUrl, 'GET', '/admin/keys/hydra.jwt.access-token/my-es256')
    expect(one.body.keys).toHaveLength(1)
  })

  it('refuses unknown algorithms and symmetric keys in the built-in sets', async () => {
    expect(
      (await admin(hydra.adminUrl, 'POST', '/admin/keys/custom', { alg: 'none', use: 'sig' })).status,
    ).toBe(400)
    expect(
      (await admin(hydra.adminUrl, 'POST', '/admin/keys/hydra.openid.id-token', { alg: 'HS256', use: 'sig' }))
        .status,
    ).toBe(400)
    expect(
      (await admin(hydra.adminUrl, 'POST', '/admin/keys/custom', { alg: 'HS256', use: 'sig' })).status,
    ).toBe(201)
  })

  it('DELETE and 404s; a deleted built-in set is re-created on next use', async () => {
    expect((await admin(hydra.adminUrl, 'GET', '/admin/keys/nope')).status).toBe(404)
    expect((await admin(hydra.adminUrl, 'GET', '/admin/keys/custom/nope')).status).toBe(404)
    expect((await admin(hydra.adminUrl, 'DELETE', '/admin/keys/nope')).status).toBe(404)
    expect(
      (await admin(hydra.adminUrl, 'DELETE', '/admin/keys/hydra.jwt.access-token/my-es256')).status,
    ).toBe(204)
    expect((await admin(hydra.adminUrl, 'DELETE', '/admin/keys/hydra.jwt.access-token')).status).toBe(204)
    const { accessToken } = await hydra.issueToken({})
    const res = await admin(hydra.adminUrl, 'GET', '/admin/keys/hydra.jwt.access-token')
    expect(res.body.keys[0].kid).toBe(decodeProtectedHeader(accessToken).kid)
  })
})

describe('PUT /admin/keys/{set} and /{set}/{kid}', () => {
  it('setJsonWebKey replaces a key of hydra.jwt.access-token: new tokens are signed with it', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
    const jwk = { ...(await exportJWK(privateKey)), kid: 'imported', alg: 'ES256', use: 'sig' }
    const res = await admin(hydra.adminUrl, 'PUT', '/admin/keys/hydra.jwt.access-token/imported', jwk)
    expect(res.status).toBe(200)
    expect(res.body).toEqual(jwk)
    const { accessToken } = await hydra.issueToken({ subject: 'alice' })
    expect(decodeProtectedHeader(accessToken)).toMatchObject({ alg: 'ES256', kid: 'imported' })
    await jwtVerify(accessToken, publicKey)
    const published = (await admin(hydra.publicUrl, 'GET', '/.well-known/jwks.json')).body.keys
    const pub = published.find((k: { kid: string }) => k.kid === 'imported')
    expect(pub).toMatchObject({ kty: 'EC', alg: 'ES256', use: 'sig' })
    expect(pub.d).toBeUndefined()
    await admin(hydra.adminUrl, 'DELETE', '/admin/keys/hydra.jwt.access-token/imported')
  })

  it('setJsonWebKeySet replaces the whole set; a public-only key is stored but never signs', async () => {
    const pair = await generateKeyPair('RS256', { extractable: true })
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'pub-only', alg: 'RS256', use: 'sig' }
    const res = await admin(hydra.adminUrl, 'PUT', '/admin/keys/partner', { keys: [jwk] })
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ keys: [jwk] })
    expect((await admin(hydra.adminUrl, 'GET', '/admin/keys/partner')).body).toEqual({ keys: [jwk] })
  })

  it('refuses incomplete keys, a kid that differs from the path and keys that do not import', async () => {
    const bad: [string, unknown, string][] = [
      ['/admin/keys/s/k', { kty: 'EC' }, "'kid'"],
      [
        '/admin/keys/s/k',
        { kty: 'RSA', kid: 'other', alg: 'RS256', use: 'sig', n: 'AQAB', e: 'AQAB' },
        'must equal',
      ],
      [
        '/admin/keys/s/k',
        { kty: 'EC', kid: 'k', alg: 'ES256', use: 'sig', crv: 'P-256', x: 'AA', y: 'AA' },
        'could not be imported',
      ],
      [
        '/admin/keys/s',
        { keys: [{ kty: 'EC', kid: 'k', alg: 'ES256' }] },
        "keys[0] must have a non-empty string 'use'",
      ],
      ['/admin/keys/s', { keys: 'x' }, "'keys'"],
    ]
    for (const [path, body, text] of bad) {
      const res = await admin(hydra.adminUrl, 'PUT', path, body)
      expect(res.status, text).toBe(400)
      expect(res.body.error_description).toContain(text)
    }
    expect((await admin(hydra.adminUrl, 'GET', '/admin/keys/s')).status).toBe(404)
  })
})
