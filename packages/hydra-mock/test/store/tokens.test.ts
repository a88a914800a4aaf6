import { createLocalJWKSet, createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMockHydra } from '../../src/index.js'
import type { MockHydra } from '../../src/index.js'
import { admin, postForm, TestBrowser } from '../helpers/browser.js'
import { CONSENT, exchange, LOGIN, runFlow, webClient } from '../helpers/flow.js'

let hydra: MockHydra
let client: ReturnType<typeof webClient>

beforeAll(async () => {
  hydra = await createMockHydra({
    loginUrl: LOGIN,
    consentUrl: CONSENT,
    accessTokenStrategy: 'jwt',
    allowedTopLevelClaims: ['tenant', 'iss'],
  })
  client = webClient(hydra)
})
afterAll(() => hydra.close())

async function kidsOf(set: string): Promise<string[]> {
  const res = await admin(hydra.adminUrl, 'GET', `/admin/keys/${set}`)
  return res.body.keys.map((k: { kid: string }) => k.kid)
}

describe('JWT access tokens', () => {
  it('are RS256 JWTs with typ JWT and Hydra’s claims, verifiable against the JWKS', async () => {
    const flow = await runFlow(hydra, new TestBrowser(), client.client_id, {
      scope: 'openid offline read',
      nonce: 'nonce-12345678',
      audience: 'https://api.example.com',
      consent: () => ({
        grant_scope: ['openid', 'offline', 'read'],
        grant_access_token_audience: ['https://api.example.com'],
        session: { access_token: { tenant: 'acme', roles: ['admin'] }, id_token: { email: 'a@example.com' } },
      }),
    })
    const tokens = (await exchange(hydra, client, flow.code!, flow.verifier)).body
    const jwks = createRemoteJWKSet(new URL(`${hydra.publicUrl}/.well-known/jwks.json`))

    const header = decodeProtectedHeader(tokens.access_token)
    expect(header).toMatchObject({ alg: 'RS256', typ: 'JWT' })
    expect(await kidsOf('hydra.jwt.access-token')).toContain(header.kid)

    const { payload } = await jwtVerify(tokens.access_token, jwks, {
      issuer: hydra.issuer,
      audience: 'https://api.example.com',
      typ: 'JWT',
    })
    expect(payload).toMatchObject({
      iss: hydra.issuer,
      sub: 'alice',
      aud: ['https://api.example.com'],
      client_id: client.client_id,
      scp: ['openid', 'offline', 'read'],
      ext: { tenant: 'acme', roles: ['admin'] },
      tenant: 'acme',
    })
    expect(payload.scope).toBeUndefined()
    expect(payload.nbf).toBe(payload.iat)
    expect(payload.exp).toBe(payload.iat! + 3600)
    expect(typeof payload.jti).toBe('string')

    // Introspection works for JWT access tokens too.
    const info = await postForm(`${hydra.adminUrl}/admin/oauth2/introspect`, { token: tokens.access_token })
    expect(info.body).toMatchObject({ active: true, sub: 'alice', exp: payload.exp, iat: payload.iat })

    // The ID token is signed with the separate ID token key, with the consent's id_token claims.
    const idHeader = decodeProtectedHeader(tokens.id_token)
    expect(idHeader.kid).not.toBe(header.kid)
    expect(await kidsOf('hydra.openid.id-token')).toContain(idHeader.kid)
    const id = await jwtVerify(tokens.id_token, jwks, { issuer: hydra.issuer, audience: client.client_id })
    expect(id.payload).toMatchObject({
      sub: 'alice',
      email: 'a@example.com',
      nonce: 'nonce-12345678',
      sid: flow.loginRequest.session_id,
    })
    expect(typeof id.payload.at_hash).toBe('string')
    expect(typeof id.payload.auth_time).toBe('number')
  })

  it('a verifier pinned to the access-token key set refuses ID tokens', async () => {
    const flow = await runFlow(hydra, new TestBrowser(), client.client_id, { scope: 'openid' })
    const tokens = (await exchange(hydra, client, flow.code!, flow.verifier)).body
    const accessKeys = await admin(hydra.adminUrl, 'GET', '/admin/keys/hydra.jwt.access-token')
    const pinned = createLocalJWKSet({
      keys: accessKeys.body.keys.map(({ kty, n, e, kid, alg, use }: Record<string, string>) => ({
        kty,
        n,
        e,
        kid,
        alg,
        use,
      })),
    })
    await expect(jwtVerify(tokens.access_token, pinned)).resolves.toBeDefined()
    await expect(jwtVerify(tokens.id_token, pinned)).rejects.toThrow()
  })

  it('reserved claims are never overwritten by allowed top-level claims', async () => {
    const issued = await hydra.issueToken({
      subject: 'bob',
      ext: { iss: 'https://evil.example', tenant: 't1' },
    })
    const { payload } = await jwtVerify(
      issued.accessToken,
      createRemoteJWKSet(new URL(`${hydra.publicUrl}/.well-known/jwks.json`)),
    )
    expect(payload.iss).toBe(hydra.issuer)
    expect(payload.tenant).toBe('t1')
  })

  it('rotateKeys signs with a new kid; older tokens verify until the old key is dropped', async () => {
    const jwksUrl = new URL(`${hydra.publicUrl}/.well-known/jwks.json`)
    const before = await hydra.issueToken({ subject: 'carol' })
    const rotated = await hydra.rotateKeys()
    const after = await hydra.issueToken({ subject: 'carol' })
    expect(decodeProtectedHeader(after.accessToken).kid).toBe(rotated.accessTokenKid)
    expect(decodeProtectedHeader(before.accessToken).kid).not.toBe(rotated.accessTokenKid)
    await expect(jwtVerify(before.accessToken, createRemoteJWKSet(jwksUrl))).resolves.toBeDefined()
    await hydra.rotateKeys({ dropPrevious: true })
    await expect(jwtVerify(before.accessToken, createRemoteJWKSet(jwksUrl))).rejects.toThrow()
    const wellKnown = (await admin(hydra.publicUrl, 'GET', '/.well-known/jwks.json')).body
    expect(wellKnown.keys).toHaveLength(2)
    expect(wellKnown.keys.every((k: Record<string, unknown>) => k.d === undefined)).toBe(true)
  })
})

describe('scopeClaim', () => {
  it.each([
    ['string', { scope: 'read write' }, ['scp']],
    ['both', { scope: 'read write', scp: ['read', 'write'] }, []],
    ['list', { scp: ['read', 'write'] }, ['scope']],
  ] as const)('%s', async (scopeClaim, expected, absent) => {
    const h = await createMockHydra({ accessTokenStrategy: 'jwt', scopeClaim })
    try {
      const { accessToken } = await h.issueToken({ scopes: ['read', 'write'] })
      const { payload } = await jwtVerify(
        accessToken,
        createRemoteJWKSet(new URL(`${h.publicUrl}/.well-known/jwks.json`)),
      )
      expect(payload).toMatchObject(expected)
      for (const claim of absent) expect(payload[claim]).toBeUndefined()
    } finally {
      await h.close()
    }
  })
})

describe('issueToken', () => {
  it('mints opaque or JWT tokens without a browser flow', async () => {
    const issued = await hydra.issueToken({
      subject: 'dave',
      clientId: 'svc',
      scopes: ['read', 'offline', 'openid'],
      audience: ['https://api.example.com'],
      ext: { plan: 'pro' },
      expiresIn: 60,
      strategy: 'opaque',
    })
    expect(issued.accessToken).toMatch(/^ory_at_/)
    expect(issued.refreshToken).toMatch(/^ory_rt_/)
    expect(issued.idToken?.split('.')).toHaveLength(3)
    expect(issued.expiresIn).toBe(60)
    expect(issued.expiresAt.getTime()).toBeLessThanOrEqual(hydra.now().getTime() + 60_000)
    const info = await postForm(`${hydra.adminUrl}/admin/oauth2/introspect`, { token: issued.accessToken })
    expect(info.body).toMatchObject({
      active: true,
      sub: 'dave',
      client_id: 'svc',
      scope: 'read offline openid',
      aud: ['https://api.example.com'],
      ext: { plan: 'pro' },
      token_use: 'access_token',
    })
    expect(info.body.exp - info.body.iat).toBe(60)
  })

  it('validates its input with TypeErrors naming the field', async () => {
    await expect(hydra.issueToken({ subject: '' })).rejects.toThrow(/issueToken\(input\)\.subject/)
    await expect(hydra.issueToken({ expiresIn: -1 })).rejects.toThrow(/expiresIn/)
    await expect(hydra.issueToken({ scopes: 'read' as unknown as string[] })).rejects.toThrow(/scopes/)
  })

  it('a client’s access_token_strategy overrides the server’s', async () => {
    const opaque = hydra.createClient({
      access_token_strategy: 'opaque',
      grant_types: ['client_credentials'],
    })
    const res = await postForm(
      `${hydra.publicUrl}/oauth2/token`,
      { grant_type: 'client_credentials' },
      {
        authorization: `Basic ${Buffer.from(`${opaque.client_id}:${opaque.client_secret}`).toString('base64')}`,
      },
    )
    expect(res.body.access_token).toMatch(/^ory_at_/)
  })
})
