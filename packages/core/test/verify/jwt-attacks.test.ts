// Each guard of the JWT verifier, shown failing the attack it exists for.
import { createSign, generateKeyPairSync } from 'node:crypto'
import { exportJWK, exportSPKI, SignJWT, type JWK } from 'jose'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { InvalidTokenError } from '../../src/errors/errors.js'
import type { JwksRefreshEvent } from '../../src/hooks.js'
import { MAX_UNKNOWN_KID_WAITERS } from '../../src/jwks/jwks-cache.js'
import { MAX_KEYS_PER_KID } from '../../src/jwks/key-set.js'
import { createJwtVerifier, type JwtVerifier, type JwtVerifierOptions } from '../../src/verify/jwt.js'
import {
  b64json,
  makeKey,
  rejectionOf,
  signToken,
  startJwksServer,
  startServer,
  tamper,
  type JwksServer,
  type TestKey,
  type TestServer,
} from '../jwks/helpers.js'

let server: JwksServer
let attacker: TestServer
let rsa: TestKey
let encKey: TestKey
let evil: TestKey
const hmacSecret = Buffer.from('a shared secret that must never be usable here!!')
const verifiers: JwtVerifier[] = []

function verifier(options: Partial<JwtVerifierOptions> = {}): JwtVerifier {
  const v = createJwtVerifier({ issuer: server.issuer, audience: false, ...options })
  verifiers.push(v)
  return v
}

async function refusal(promise: Promise<unknown>): Promise<InvalidTokenError> {
  const err = await rejectionOf(promise)
  expect(err).toBeInstanceOf(InvalidTokenError)
  expect((err as InvalidTokenError).status).toBe(401)
  return err as InvalidTokenError
}

beforeAll(async () => {
  rsa = await makeKey('RS256', 'rsa-1')
  encKey = await makeKey('RS256', 'enc-key', { use: 'enc', alg: 'RSA-OAEP' })
  evil = await makeKey('RS256', 'evil')
  const oct: JWK = { kty: 'oct', kid: 'hmac-key', alg: 'HS256', k: hmacSecret.toString('base64url') }
  // An oct key that claims RS256: still symmetric, still never used.
  const octRs: JWK = { kty: 'oct', kid: 'oct-rs', alg: 'RS256', k: hmacSecret.toString('base64url') }
  server = await startJwksServer([rsa.jwk, encKey.jwk, oct, octRs])
  attacker = await startServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ keys: [evil.jwk] }))
    return true
  })
})

afterEach(async () => {
  vi.useRealTimers()
  await Promise.all(verifiers.splice(0).map((v) => v.close()))
})

afterAll(async () => {
  await Promise.all([server.close(), attacker.close()])
})

describe('algorithm attacks (checked from the header before any key fetch)', () => {
  it('alg none (any casing) is refused without contacting the JWKS endpoint', async () => {
    const v = verifier()
    const before = server.jwksHits
    const payload = b64json({ iss: server.issuer, sub: 'admin', exp: Math.floor(Date.now() / 1000) + 60 })
    for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
      const token = `${b64json({ alg, kid: 'rsa-1', typ: 'JWT' })}.${payload}.`
      const err = await refusal(v.verify(token))
      expect(err.reason).toBe('algorithm')
      expect(err.description).toBe('algorithm not allowed')
    }
    expect(server.jwksHits).toBe(before)
  })

  it('HS256 signed with the RSA public key (PEM and JWK bytes) as the HMAC secret is refused', async () => {
    const v = verifier()
    const before = server.jwksHits
    const pem = await exportSPKI(rsa.publicKey)
    const jwkBytes = JSON.stringify(await exportJWK(rsa.publicKey))
    for (const secret of [pem, jwkBytes, JSON.stringify(rsa.jwk)]) {
      const token = await new SignJWT({ iss: server.issuer, sub: 'admin', scp: ['admin'] })
        .setProtectedHeader({ alg: 'HS256', kid: 'rsa-1', typ: 'JWT' })
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode(secret))
      const err = await refusal(v.verify(token))
      expect(err.reason).toBe('algorithm')
    }
    expect(server.jwksHits).toBe(before)
  })

  it('an HS256 token signed with an oct key published in the JWKS is refused', async () => {
    const v = verifier()
    const token = await new SignJWT({ iss: server.issuer })
      .setProtectedHeader({ alg: 'HS256', kid: 'hmac-key', typ: 'JWT' })
      .setExpirationTime('1h')
      .sign(hmacSecret)
    expect((await refusal(v.verify(token))).reason).toBe('algorithm')
  })

  it('oct JWKS entries are never candidates, even when they claim an asymmetric alg', async () => {
    const v = verifier()
    await v.verify(await signToken(rsa, { iss: server.issuer })) // warm: keys fetched
    const before = server.jwksHits
    for (const kid of ['hmac-key', 'oct-rs']) {
      const token = await signToken(evil, { iss: server.issuer }, { kid })
      const err = await refusal(v.verify(token))
      expect(err.reason).toBe('key_not_allowed')
    }
    // Known-but-unusable kids do not trigger a refetch.
    expect(server.jwksHits).toBe(before)
  })

  it('a use: enc key is never used to verify, even with a valid signature by its private key', async () => {
    const v = verifier()
    const token = await signToken(encKey, { iss: server.issuer }, { alg: 'RS256' })
    expect((await refusal(v.verify(token))).reason).toBe('key_not_allowed')
  })

  it('a JWKS key whose own alg disagrees with the token alg is not used', async () => {
    // One RSA key pair (a Node KeyObject, usable with any RSA alg), published with alg RS384.
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'only-384', alg: 'RS384', use: 'sig' }
    const v = verifier({ algorithms: ['RS256', 'RS384'], jwks: { keys: [jwk] } })
    const sign = (alg: string): Promise<string> =>
      new SignJWT({ iss: server.issuer })
        .setProtectedHeader({ alg, kid: 'only-384', typ: 'JWT' })
        .setExpirationTime('1h')
        .sign(privateKey)
    const err = await refusal(v.verify(await sign('RS256')))
    expect(err.reason).toBe('key_not_allowed')
    // The same key under its own alg works.
    await expect(v.verify(await sign('RS384'))).resolves.toBeDefined()
  })

  it('an ES256 token naming an RSA kid is refused (key type mismatch)', async () => {
    const ec = await makeKey('ES256', 'rsa-1')
    const v = verifier()
    expect((await refusal(v.verify(await signToken(ec, { iss: server.issuer })))).reason).toBe(
      'key_not_allowed',
    )
  })

  it('an RSA key shorter than 2048 bits is never used', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 })
    const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'short', alg: 'RS256', use: 'sig' }
    const now = Math.floor(Date.now() / 1000)
    const input = `${b64json({ alg: 'RS256', kid: 'short', typ: 'JWT' })}.${b64json({ iss: server.issuer, exp: now + 60 })}`
    const signature = createSign('RSA-SHA256').update(input).sign(privateKey).toString('base64url')
    const v = verifier({ jwks: { keys: [jwk, rsa.jwk] } })
    expect((await refusal(v.verify(`${input}.${signature}`))).reason).toBe('key_not_allowed')
  })
})

describe('header-borne key references are never followed', () => {
  it('jku, x5u and an embedded jwk pointing at an attacker are ignored; the attacker is never contacted', async () => {
    const v = verifier()
    const evilJwk = await exportJWK(evil.publicKey)
    const headers = [
      { jku: `${attacker.url}/jwks.json` },
      { x5u: `${attacker.url}/cert.pem` },
      { jwk: { ...evilJwk, kid: 'evil' } },
      { jku: `${attacker.url}/jwks.json`, x5u: `${attacker.url}/x`, jwk: evilJwk },
    ]
    for (const extra of headers) {
      // With the attacker's own kid: unknown here.
      const unknown = await signToken(evil, { iss: server.issuer }, extra)
      expect((await refusal(v.verify(unknown))).reason).toBe('unknown_kid')
      // Claiming the real kid: the signature does not match the real key.
      const forged = await signToken(evil, { iss: server.issuer }, { ...extra, kid: 'rsa-1' })
      expect((await refusal(v.verify(forged))).reason).toBe('signature')
    }
    expect(attacker.count).toBe(0)
  })
})

describe('forged or altered tokens', () => {
  it('a tampered payload fails the signature check', async () => {
    const v = verifier({ resultCache: false })
    const token = await signToken(rsa, { iss: server.issuer, sub: 'alice', scp: ['read'] })
    await expect(v.verify(token)).resolves.toMatchObject({ subject: 'alice' })
    const now = Math.floor(Date.now() / 1000)
    const forged = tamper(token, { iss: server.issuer, sub: 'admin', scp: ['admin'], exp: now + 60 })
    const err = await refusal(v.verify(forged))
    expect(err.reason).toBe('signature')
    expect(err.description).toBe('invalid signature')
  })

  it('a token signed by another key under a known kid fails the signature check', async () => {
    const v = verifier()
    const token = await signToken(evil, { iss: server.issuer }, { kid: 'rsa-1' })
    expect((await refusal(v.verify(token))).reason).toBe('signature')
  })

  it('a tampered token that was cached in its genuine form is not served from the cache', async () => {
    const v = verifier()
    const token = await signToken(rsa, { iss: server.issuer, sub: 'alice' })
    await v.verify(token)
    const forged = tamper(token, {
      iss: server.issuer,
      sub: 'admin',
      exp: Math.floor(Date.now() / 1000) + 60,
    })
    expect((await refusal(v.verify(forged))).reason).toBe('signature')
  })

  it('a crit header the verifier does not understand is refused before any fetch', async () => {
    const v = verifier()
    const before = server.jwksHits
    for (const crit of [['urn:example:ext'], ['exp'], ['b64']]) {
      const header: Record<string, unknown> = { crit }
      for (const name of crit) header[name] = name === 'b64' ? true : 'x'
      const token = await new SignJWT({ iss: server.issuer })
        .setProtectedHeader({ alg: 'RS256', kid: 'rsa-1', typ: 'JWT', ...header })
        .setExpirationTime('1h')
        .sign(rsa.privateKey, { crit: Object.fromEntries(crit.map((c) => [c, true])) })
      const err = await refusal(v.verify(token))
      expect(err.reason).toBe('critical_header')
    }
    expect(server.jwksHits).toBe(before)
  })

  it('errors never echo the token in their description or debug detail', async () => {
    const v = verifier({ audience: 'api' })
    const token = await signToken(rsa, { iss: server.issuer, aud: 'other' })
    const err = await refusal(v.verify(token))
    expect(err.reason).toBe('audience')
    const rendered = JSON.stringify({
      ...err.toJSON(),
      debug: err.debug,
      headers: err.headers,
      message: err.message,
    })
    expect(rendered).not.toContain(token)
    expect(rendered).not.toContain(token.split('.')[2])
  })
})

describe('unknown-kid flood', () => {
  it('waves of 200 concurrent tokens with random kids cost one JWKS fetch per wave, rate-limited', async () => {
    const events: JwksRefreshEvent[] = []
    const v = verifier({ cooldownMs: 1000, hooks: { onJwksRefresh: (e) => events.push(e) } })
    await v.verify(await signToken(rsa, { iss: server.issuer }))
    const base = server.jwksHits
    const tokens = await Promise.all(
      Array.from({ length: 200 }, () =>
        signToken(evil, { iss: server.issuer }, { kid: crypto.randomUUID() }),
      ),
    )
    // All 200 calls start in the same tick, so they share whatever fetch they get.
    const wave = (): Promise<string[]> =>
      Promise.all(tokens.map(async (token) => (await refusal(v.verify(token))).reason))

    // The first unknown kid after the initial fetch refetches at once; everyone shares it.
    expect(new Set(await wave())).toEqual(new Set(['unknown_kid']))
    expect(server.jwksHits).toBe(base + 1)
    // Within cooldownMs of that refetch: every call waits for the one next refetch.
    expect(new Set(await wave())).toEqual(new Set(['unknown_kid']))
    expect(server.jwksHits).toBe(base + 2)
    expect(new Set(await wave())).toEqual(new Set(['unknown_kid']))
    expect(server.jwksHits).toBe(base + 3)
    expect(events.filter((e) => e.cause === 'unknown_kid' && e.outcome === 'success')).toHaveLength(3)
    expect(events.filter((e) => e.outcome === 'cooldown').length).toBeGreaterThanOrEqual(200)
  })

  it('at most MAX_UNKNOWN_KID_WAITERS calls wait for a rate-limited refetch; the rest are refused at once', async () => {
    const v = verifier({ cooldownMs: 2000 })
    await v.verify(await signToken(rsa, { iss: server.issuer }))
    await refusal(v.verify(await signToken(evil, { iss: server.issuer }, { kid: 'first' })))
    const base = server.jwksHits
    const token = await signToken(evil, { iss: server.issuer }, { kid: 'flood' })
    const calls = Array.from({ length: MAX_UNKNOWN_KID_WAITERS + 50 }, () => v.verify(token))
    // The 50 beyond the limit settle before the shared refetch runs.
    const settled: number[] = []
    calls.forEach((c, i) => {
      c.catch(() => settled.push(i))
    })
    await vi.waitFor(() => expect(settled.length).toBeGreaterThanOrEqual(50))
    expect(server.jwksHits).toBe(base)
    expect(settled.slice(0, 50).every((i) => i >= MAX_UNKNOWN_KID_WAITERS)).toBe(true)
    const reasons = await Promise.all(calls.map(async (c) => (await refusal(c)).reason))
    expect(new Set(reasons)).toEqual(new Set(['unknown_kid']))
    expect(server.jwksHits).toBe(base + 1)
  })
})

describe('duplicate kids in the JWKS', () => {
  it('a kid published for many keys stands for at most MAX_KEYS_PER_KID distinct keys, in JWKS order', async () => {
    const dups = await Promise.all(
      Array.from({ length: MAX_KEYS_PER_KID + 2 }, () => makeKey('ES256', 'dup')),
    )
    const first = dups[0] as TestKey
    // The first key published 20 times counts once; then the other keys under the same kid.
    const own = await startJwksServer([
      ...Array.from({ length: 20 }, () => first.jwk),
      ...dups.slice(1).map((k) => k.jwk),
    ])
    try {
      const v = createJwtVerifier({
        issuer: own.issuer,
        audience: 'api',
        algorithms: ['ES256'],
        resultCache: false,
      })
      verifiers.push(v)
      const outcomes: string[] = []
      for (const key of dups) {
        try {
          await v.verify(await signToken(key, { iss: own.issuer, aud: 'api' }))
          outcomes.push('ok')
        } catch (err) {
          outcomes.push((err as InvalidTokenError).reason)
        }
      }
      expect(outcomes).toEqual([
        ...Array.from({ length: MAX_KEYS_PER_KID }, () => 'ok'),
        'signature',
        'signature',
      ])
      // A forged token naming the kid is checked against those keys only and refused; no refetch.
      const hits = own.jwksHits
      const forger = await makeKey('ES256', 'dup')
      const err = await refusal(v.verify(await signToken(forger, { iss: own.issuer, aud: 'api' })))
      expect(err.reason).toBe('signature')
      expect(own.jwksHits).toBe(hits)
    } finally {
      await own.close()
    }
  })
})
