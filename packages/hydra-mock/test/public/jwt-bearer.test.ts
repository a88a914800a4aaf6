import { randomUUID } from 'node:crypto'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import type { CryptoKey, JWK } from 'jose'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createMockHydra } from '../../src/index.js'
import type { MockHydra } from '../../src/index.js'
import { admin, basic, postForm } from '../helpers/browser.js'

const GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
const ISSUER = 'https://idp.example.com'
const TRUST = '/admin/trust/grants/jwt-bearer/issuers'

let hydra: MockHydra
let client: { client_id: string; client_secret?: string }
let key: CryptoKey
let jwk: JWK & { kid: string; alg: string; use: string }
let otherKey: CryptoKey

beforeAll(async () => {
  hydra = await createMockHydra()
  const pair = await generateKeyPair('ES256', { extractable: true })
  key = pair.privateKey
  jwk = { ...(await exportJWK(pair.publicKey)), kid: 'idp-key-1', alg: 'ES256', use: 'sig' }
  otherKey = (await generateKeyPair('ES256')).privateKey
})
afterAll(() => hydra.close())

beforeEach(() => {
  client = hydra.createClient({
    grant_types: [GRANT, 'client_credentials'],
    scope: 'read write admin',
    audience: ['https://api.example.com'],
  })
})

function expiresIn(seconds: number): string {
  return new Date(hydra.now().getTime() + seconds * 1000).toISOString()
}

async function trust(body: Record<string, unknown> = {}) {
  return admin(hydra.adminUrl, 'POST', TRUST, {
    issuer: ISSUER,
    subject: 'alice@example.com',
    scope: ['read', 'write'],
    jwk,
    expires_at: expiresIn(3600),
    ...body,
  })
}

async function assertion(
  claims: Record<string, unknown> = {},
  signWith: CryptoKey = key,
  kid = 'idp-key-1',
): Promise<string> {
  const now = Math.floor(hydra.now().getTime() / 1000)
  return new SignJWT({
    iss: ISSUER,
    sub: 'alice@example.com',
    aud: `${hydra.publicUrl}/oauth2/token`,
    iat: now,
    exp: now + 300,
    jti: randomUUID(),
    ...claims,
  })
    .setProtectedHeader({ alg: 'ES256', kid })
    .sign(signWith)
}

function exchange(jwt: string, extra: Record<string, string> = {}) {
  return postForm(
    `${hydra.publicUrl}/oauth2/token`,
    { grant_type: GRANT, assertion: jwt, scope: 'read', ...extra },
    basic(client.client_id, client.client_secret!),
  )
}

describe('trusted JWT-bearer issuers (admin API)', () => {
  it('trust, get, list (with paging) and delete', async () => {
    const created = await trust({ issuer: 'https://crud.example.com' })
    expect(created.status).toBe(201)
    expect(created.body).toEqual({
      id: expect.any(String),
      issuer: 'https://crud.example.com',
      subject: 'alice@example.com',
      allow_any_subject: false,
      scope: ['read', 'write'],
      public_key: { set: 'https://crud.example.com', kid: 'idp-key-1' },
      created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      expires_at: expect.any(String),
    })
    const got = await admin(hydra.adminUrl, 'GET', `${TRUST}/${created.body.id}`)
    expect(got.body).toEqual(created.body)
    await trust({ issuer: 'https://crud.example.com', subject: 'bob@example.com' })
    const page = await admin(hydra.adminUrl, 'GET', `${TRUST}?issuer=https://crud.example.com&page_size=1`)
    expect(page.body).toEqual([created.body])
    expect(page.headers.get('link')).toMatch(/rel="next"/)
    expect((await admin(hydra.adminUrl, 'DELETE', `${TRUST}/${created.body.id}`)).status).toBe(204)
    const gone = await admin(hydra.adminUrl, 'GET', `${TRUST}/${created.body.id}`)
    expect(gone.status).toBe(404)
    // The spec's error schema for these operations is genericError: `message` is required.
    expect(gone.body.message).toBe('Unable to locate the requested resource')
  })

  it('refuses incomplete or contradictory trust bodies with 400 naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ issuer: '' }, "'issuer'"],
      [{ subject: undefined }, "One of 'subject' or 'allow_any_subject'"],
      [{ allow_any_subject: true }, "Both 'subject' and 'allow_any_subject'"],
      [{ scope: undefined }, "'scope'"],
      [{ expires_at: 'tomorrow' }, "'expires_at'"],
      [{ expires_at: expiresIn(-10) }, "'expires_at' must be in the future"],
      [{ jwk: { ...jwk, kid: undefined } }, "'kid'"],
      [{ jwk: { kty: 'oct', k: 'c2VjcmV0', kid: 'x', alg: 'HS256', use: 'sig' } }, 'asymmetric'],
      [{ jwk: { ...jwk, x: 'not-a-point' } }, 'could not be imported'],
    ]
    for (const [body, text] of cases) {
      const res = await trust({ issuer: 'https://bad.example.com', ...body })
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(res.body.message).toContain(text)
      expect(res.body.status_code).toBe(400)
    }
  })

  it('the same issuer, subject and key twice is 409', async () => {
    expect((await trust({ issuer: 'https://twice.example.com' })).status).toBe(201)
    expect((await trust({ issuer: 'https://twice.example.com' })).status).toBe(409)
  })
})

describe('POST /oauth2/token with the RFC 7523 JWT-bearer grant', () => {
  beforeAll(async () => {
    expect((await trust()).status).toBe(201)
  })

  it('issues an access token for the asserted subject, limited to the trusted scopes', async () => {
    const res = await exchange(await assertion(), { audience: 'https://api.example.com' })
    expect(res.status).toBe(200)
    expect(res.body).toEqual({
      access_token: expect.stringMatching(/^ory_at_/),
      expires_in: 3600,
      scope: 'read',
      token_type: 'bearer',
    })
    const info = await postForm(`${hydra.adminUrl}/admin/oauth2/introspect`, { token: res.body.access_token })
    expect(info.body).toMatchObject({
      active: true,
      sub: 'alice@example.com',
      client_id: client.client_id,
      aud: ['https://api.example.com'],
    })
  })

  it('applies the client’s jwt_bearer_grant_access_token_lifespan', async () => {
    const set = await admin(hydra.adminUrl, 'PUT', `/admin/clients/${client.client_id}/lifespans`, {
      jwt_bearer_grant_access_token_lifespan: '5m',
    })
    expect(set.status).toBe(200)
    expect(set.body.jwt_bearer_grant_access_token_lifespan).toBe('5m0s')
    const res = await exchange(await assertion())
    expect(res.body.expires_in).toBe(300)
  })

  it('refuses forged, misdirected, stale and replayed assertions', async () => {
    const now = Math.floor(hydra.now().getTime() / 1000)
    const attacks: [string, Promise<string>, string][] = [
      ['signed by another key', assertion({}, otherKey), 'integrity'],
      ['unknown kid', assertion({}, key, 'other-kid'), 'No public JWK'],
      ['another subject', assertion({ sub: 'mallory@example.com' }), 'No public JWK'],
      ['untrusted issuer', assertion({ iss: 'https://evil.example.com' }), 'No public JWK'],
      ['wrong audience', assertion({ aud: 'https://other.example.com/token' }), '"aud"'],
      ['expired', assertion({ exp: now - 1 }), 'expired'],
      ['exp too far away', assertion({ exp: now + 721 * 3600 }), 'too far in the future'],
      ['iat in the future', assertion({ iat: now + 60 }), '"iat"'],
      ['nbf in the future', assertion({ nbf: now + 60 }), '"nbf"'],
      ['no jti', assertion({ jti: undefined }), '"jti"'],
    ]
    for (const [what, jwt, text] of attacks) {
      const res = await exchange(await jwt)
      expect(res.status, what).toBe(400)
      expect(res.body.error, what).toBe('invalid_grant')
      expect(res.body.error_description, what).toContain(text)
    }
    const once = await assertion()
    expect((await exchange(once)).status).toBe(200)
    const replay = await exchange(once)
    expect(replay.status).toBe(400)
    expect(replay.body.error_description).toContain('"jti"')
  })

  it('refuses scopes beyond the trust (even if the client has them) and a client without the grant', async () => {
    const res = await exchange(await assertion(), { scope: 'admin' })
    expect(res.status).toBe(400)
    expect(res.body.error).toBe('invalid_scope')
    const plain = hydra.createClient({ grant_types: ['client_credentials'], scope: 'read' })
    const denied = await postForm(
      `${hydra.publicUrl}/oauth2/token`,
      { grant_type: GRANT, assertion: await assertion(), scope: 'read' },
      basic(plain.client_id, plain.client_secret!),
    )
    expect(denied.status).toBe(400)
    expect(denied.body.error).toBe('unauthorized_client')
  })

  it('stops honouring a trust once it expired or was deleted', async () => {
    const created = await trust({ subject: 'carol@example.com', expires_at: expiresIn(60) })
    const jwt = () => assertion({ sub: 'carol@example.com' })
    expect((await exchange(await jwt())).status).toBe(200)
    hydra.advanceTime(61)
    try {
      const late = await exchange(await jwt())
      expect(late.status).toBe(400)
      expect(late.body.error_description).toContain('has expired')
    } finally {
      hydra.resetTime()
    }
    expect((await admin(hydra.adminUrl, 'DELETE', `${TRUST}/${created.body.id}`)).status).toBe(204)
    expect((await exchange(await jwt())).status).toBe(400)
  })
})
