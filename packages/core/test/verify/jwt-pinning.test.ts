// Hydra publishes ID-token and access-token keys in one JWKS, and both tokens carry typ: JWT.
// Pinning to the access-token key set is what keeps an ID token from passing as an access token.
import { exportJWK, type JWK } from 'jose'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { InvalidTokenError, UpstreamUnavailableError } from '../../src/errors/errors.js'
import type { UpstreamEvent } from '../../src/hooks.js'
import { createJwtVerifier, type JwtVerifier, type JwtVerifierOptions } from '../../src/verify/jwt.js'
import {
  makeKey,
  rejectionOf,
  signToken,
  startJwksServer,
  startServer,
  type JwksServer,
  type TestKey,
  type TestServer,
} from '../jwks/helpers.js'

let server: JwksServer
let admin: TestServer
let accessKey: TestKey
let idKey: TestKey
/** What the admin endpoint returns for the access-token set (Hydra returns private keys). */
let adminKeys: JWK[] = []
let adminStatus = 200
const ADMIN_TOKEN = 'admin-api-key'
const verifiers: JwtVerifier[] = []

function verifier(options: Partial<JwtVerifierOptions> = {}): JwtVerifier {
  const v = createJwtVerifier({ issuer: server.issuer, audience: false, ...options })
  verifiers.push(v)
  return v
}

async function privateJwk(key: TestKey): Promise<JWK> {
  return { ...(await exportJWK(key.privateKey)), kid: key.kid, alg: key.alg, use: 'sig' }
}

/** An ID token as Hydra mints it: same issuer, `typ: JWT`, aud = the client, signed by the ID-token key. */
function idToken(): Promise<string> {
  return signToken(idKey, { iss: server.issuer, sub: 'user-1', aud: ['client-a'], nonce: 'n', auth_time: 1 })
}

function accessToken(key = accessKey): Promise<string> {
  return signToken(key, {
    iss: server.issuer,
    sub: 'user-1',
    aud: ['client-a'],
    client_id: 'client-a',
    scp: ['read'],
  })
}

beforeAll(async () => {
  accessKey = await makeKey('RS256', 'at-key')
  idKey = await makeKey('RS256', 'id-key')
  server = await startJwksServer([idKey.jwk, accessKey.jwk])
  adminKeys = [await privateJwk(accessKey)]
  admin = await startServer((req, res) => {
    const path = req.url ?? ''
    if (path !== '/admin/keys/hydra.jwt.access-token' && path !== '/keys/hydra.jwt.access-token') return false
    if (req.headers.authorization !== `Bearer ${ADMIN_TOKEN}`) {
      res.writeHead(401, { 'content-type': 'application/json' })
      res.end('{"error":"request_unauthorized"}')
      return true
    }
    res.writeHead(adminStatus, { 'content-type': 'application/json' })
    res.end(adminStatus === 200 ? JSON.stringify({ keys: adminKeys }) : '{"error":"internal"}')
    return true
  })
})

afterEach(async () => {
  vi.useRealTimers()
  adminStatus = 200
  adminKeys = [await privateJwk(accessKey)]
  server.mode = 'ok'
  server.keys = [idKey.jwk, accessKey.jwk]
  await Promise.all(verifiers.splice(0).map((v) => v.close()))
})

afterAll(async () => {
  await Promise.all([server.close(), admin.close()])
})

describe('without pinning', () => {
  it('a Hydra ID token passes as an access token (the problem pinning solves)', async () => {
    await expect(verifier().verify(await idToken())).resolves.toMatchObject({ subject: 'user-1' })
  })
})

describe('allowedKids', () => {
  it('refuses an ID token signed by the ID-token key before any fetch', async () => {
    const v = verifier({ allowedKids: ['at-key'] })
    const before = server.jwksHits
    const err = await rejectionOf(v.verify(await idToken()))
    expect(err).toBeInstanceOf(InvalidTokenError)
    expect(err).toMatchObject({ reason: 'key_not_allowed', status: 401 })
    expect(server.jwksHits).toBe(before)
    await expect(v.verify(await accessToken())).resolves.toMatchObject({ scopes: ['read'] })
  })

  it('a kid-less ID token is only tried against allowed keys', async () => {
    const v = verifier({ allowedKids: ['at-key'] })
    const token = await signToken(idKey, { iss: server.issuer }, { kid: undefined })
    expect(await rejectionOf(v.verify(token))).toMatchObject({ reason: 'signature' })
  })

  it('a JWKS without any allowed kid is an unusable key set: 503, never 401', async () => {
    const v = verifier({ allowedKids: ['not-published'] })
    const err = await rejectionOf(
      v.verify(await signToken(accessKey, { iss: server.issuer }, { kid: 'not-published' })),
    )
    expect(err).toBeInstanceOf(UpstreamUnavailableError)
    expect(err).toMatchObject({ status: 503, reason: 'jwks_unavailable' })
  })
})

describe('accessTokenKeySet (admin API)', () => {
  const pin = (extra: Record<string, unknown> = {}): Partial<JwtVerifierOptions> => ({
    accessTokenKeySet: { adminUrl: admin.url, auth: { type: 'bearer', token: ADMIN_TOKEN }, ...extra },
  })

  it('refuses the ID token, accepts the access token; the admin set is read with the JWKS', async () => {
    const upstream: UpstreamEvent[] = []
    const v = verifier({ ...pin(), hooks: { onUpstream: (e) => upstream.push(e) } })
    const adminBefore = admin.hitsOf('/admin/keys/hydra.jwt.access-token')
    const jwksBefore = server.jwksHits
    const err = await rejectionOf(v.verify(await idToken()))
    expect(err).toBeInstanceOf(InvalidTokenError)
    expect(err).toMatchObject({ reason: 'key_not_allowed', description: 'signing key not allowed' })
    await expect(v.verify(await accessToken())).resolves.toMatchObject({ clientId: 'client-a' })
    expect(admin.hitsOf('/admin/keys/hydra.jwt.access-token') - adminBefore).toBe(1)
    expect(server.jwksHits - jwksBefore).toBe(1)
    // Discovery finds no document (both well-known URLs 404): the JWKS is at Hydra's location.
    expect(upstream.map((e) => [e.kind, e.status]).sort()).toEqual([
      ['admin', 200],
      ['discovery', 404],
      ['discovery', 404],
      ['jwks', 200],
    ])
    expect(v.jwksStatus()).toMatchObject({ pinned: true, keyIds: ['at-key'] })
  })

  it('uses the v1 path (/keys/…) with apiVersion v1', async () => {
    const v = verifier(pin({ apiVersion: 'v1' }))
    const before = admin.hitsOf('/keys/hydra.jwt.access-token')
    await expect(v.verify(await accessToken())).resolves.toBeDefined()
    expect(admin.hitsOf('/keys/hydra.jwt.access-token') - before).toBe(1)
    expect(await rejectionOf(v.verify(await idToken()))).toMatchObject({ reason: 'key_not_allowed' })
  })

  it('pins by key material, not by kid: an ID-token key relabelled with the access kid is still refused', async () => {
    // A JWKS where the ID-token key carries the access-token kid (e.g. a kid collision).
    server.keys = [
      { ...idKey.jwk, kid: 'at-key' },
      { ...accessKey.jwk, kid: 'at-key-2' },
    ]
    const v = verifier(pin())
    const token = await signToken(idKey, { iss: server.issuer, aud: ['client-a'] }, { kid: 'at-key' })
    expect(await rejectionOf(v.verify(token))).toMatchObject({ reason: 'key_not_allowed' })
    await expect(
      v.verify(await signToken(accessKey, { iss: server.issuer }, { kid: 'at-key-2' })),
    ).resolves.toBeDefined()
  })

  it('admin API refusing the credentials → 503, never 401', async () => {
    const v = verifier(pin({ auth: { type: 'bearer', token: 'wrong' } }))
    const err = await rejectionOf(v.verify(await accessToken()))
    expect(err).toBeInstanceOf(UpstreamUnavailableError)
    expect(err).toMatchObject({ reason: 'jwks_unavailable' })
    expect((err as UpstreamUnavailableError).debug).toMatchObject({
      failure: 'access-token key set: HTTP 401',
    })
  })

  it('admin API down → 503; an empty access-token set → 503', async () => {
    adminStatus = 500
    const down = verifier(pin())
    expect(await rejectionOf(down.verify(await accessToken()))).toBeInstanceOf(UpstreamUnavailableError)
    adminStatus = 200
    adminKeys = []
    const empty = verifier(pin())
    expect(await rejectionOf(empty.verify(await accessToken()))).toBeInstanceOf(UpstreamUnavailableError)
  })

  it('follows access-key rotation: a new pinned kid triggers one refetch of both sets', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const v = verifier(pin())
    await v.verify(await accessToken())
    const next = await makeKey('RS256', 'at-key-next')
    server.keys = [idKey.jwk, accessKey.jwk, next.jwk]
    adminKeys = [await privateJwk(accessKey), await privateJwk(next)]
    const adminBefore = admin.hitsOf('/admin/keys/hydra.jwt.access-token')
    vi.setSystemTime(Date.now() + 31_000)
    await expect(v.verify(await accessToken(next))).resolves.toBeDefined()
    expect(admin.hitsOf('/admin/keys/hydra.jwt.access-token') - adminBefore).toBe(1)
    expect(await rejectionOf(v.verify(await idToken()))).toMatchObject({ reason: 'key_not_allowed' })
  })
})
