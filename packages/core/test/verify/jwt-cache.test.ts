// The verified-result cache and key rotation, observed through the JWKS request counter and hooks.
import { createHash } from 'node:crypto'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { InvalidTokenError } from '../../src/errors/errors.js'
import type { CacheEvent, JwksRefreshEvent } from '../../src/hooks.js'
import { createJwtVerifier, type JwtVerifier, type JwtVerifierOptions } from '../../src/verify/jwt.js'
import {
  makeKey,
  rejectionOf,
  signToken,
  startJwksServer,
  type JwksServer,
  type TestKey,
} from '../jwks/helpers.js'

let server: JwksServer
let k1: TestKey
let k2: TestKey
const verifiers: JwtVerifier[] = []
let cacheEvents: CacheEvent['outcome'][]

function verifier(options: Partial<JwtVerifierOptions> = {}): JwtVerifier {
  const v = createJwtVerifier({
    issuer: server.issuer,
    audience: false,
    hooks: { onCache: (e) => cacheEvents.push(e.outcome) },
    // The cache's mechanics, one verification in: admission on repeat has tests of its own below.
    resultCache: { admission: 'always' },
    ...options,
  })
  verifiers.push(v)
  return v
}

beforeAll(async () => {
  k1 = await makeKey('RS256', 'k1')
  k2 = await makeKey('ES256', 'k2')
  server = await startJwksServer([k1.jwk])
})

beforeEach(() => {
  cacheEvents = []
  server.keys = [k1.jwk]
  server.mode = 'ok'
  vi.useFakeTimers({ toFake: ['Date'] })
})

afterEach(async () => {
  vi.useRealTimers()
  await Promise.all(verifiers.splice(0).map((v) => v.close()))
})

afterAll(async () => {
  await server.close()
})

const now = (): number => Math.floor(Date.now() / 1000)

describe('verified-result cache', () => {
  it('a repeated token is served from the cache: same frozen object, no re-verification', async () => {
    const v = verifier()
    const token = await signToken(k1, { iss: server.issuer, sub: 'u' })
    const first = await v.verify(token)
    const second = await v.verify(token)
    expect(second).toBe(first)
    expect(cacheEvents).toEqual(['miss', 'hit'])
    expect(v.resultCacheSize).toBe(1)
  })

  it('an entry is never served past exp', async () => {
    const v = verifier()
    const token = await signToken(k1, { iss: server.issuer, exp: now() + 60 })
    await v.verify(token)
    vi.setSystemTime(Date.now() + 59_000)
    await v.verify(token)
    expect(cacheEvents).toEqual(['miss', 'hit'])
    // Past exp (but inside the 5 s clock tolerance): re-verified, not served from the cache.
    vi.setSystemTime(Date.now() + 2_000)
    await expect(v.verify(token)).resolves.toBeDefined()
    expect(cacheEvents).toEqual(['miss', 'hit', 'miss'])
    // Past exp + tolerance: refused.
    vi.setSystemTime(Date.now() + 10_000)
    expect(await rejectionOf(v.verify(token))).toMatchObject({ reason: 'expired' })
  })

  it('an entry is never served past iat + maxTokenAge', async () => {
    const v = verifier({ maxTokenAge: 60, clockTolerance: 0 })
    const token = await signToken(k1, { iss: server.issuer, iat: now() - 50, exp: now() + 3600 })
    await v.verify(token)
    vi.setSystemTime(Date.now() + 11_000)
    expect(await rejectionOf(v.verify(token))).toMatchObject({ reason: 'too_old' })
    expect(cacheEvents).toEqual(['miss', 'miss'])
  })

  it('failures are not cached', async () => {
    const v = verifier({ audience: 'api' })
    const token = await signToken(k1, { iss: server.issuer, aud: 'other' })
    await rejectionOf(v.verify(token))
    await rejectionOf(v.verify(token))
    expect(v.resultCacheSize).toBe(0)
    expect(cacheEvents).toEqual(['miss', 'miss'])
  })

  it('is bounded by maxEntries (LRU)', async () => {
    const v = verifier({ resultCache: { maxEntries: 2, admission: 'always' } })
    const tokens = await Promise.all(
      [1, 2, 3].map((i) => signToken(k1, { iss: server.issuer, sub: `u${i}` })),
    )
    for (const t of tokens) await v.verify(t)
    expect(v.resultCacheSize).toBe(2)
    await v.verify(tokens[0]!)
    expect(cacheEvents.at(-1)).toBe('miss')
    await v.verify(tokens[2]!)
    expect(cacheEvents.at(-1)).toBe('hit')
  })

  it('resultCache: false verifies every call and emits no cache events', async () => {
    const v = verifier({ resultCache: false })
    const token = await signToken(k1, { iss: server.issuer })
    const a = await v.verify(token)
    const b = await v.verify(token)
    expect(a).not.toBe(b)
    expect(a).toEqual(b)
    expect(cacheEvents).toEqual([])
    expect(v.resultCacheSize).toBe(0)
  })

  it('clearResultCache() forgets results', async () => {
    const v = verifier()
    const token = await signToken(k1, { iss: server.issuer })
    await v.verify(token)
    v.clearResultCache()
    await v.verify(token)
    expect(cacheEvents).toEqual(['miss', 'miss'])
  })
})

describe('key rotation', () => {
  it('a new kid causes one refetch and is accepted; a removed key drops its cached results', async () => {
    const refreshes: JwksRefreshEvent[] = []
    const v = verifier({ cooldownMs: 20, hooks: { onJwksRefresh: (e) => refreshes.push(e) } })
    const old = await signToken(k1, { iss: server.issuer, sub: 'old' })
    await v.verify(old)
    await v.verify(old)
    expect(v.resultCacheSize).toBe(1)
    const base = server.jwksHits

    // Rotation: k2 published, k1 withdrawn; a token signed with k2 arrives right away.
    server.keys = [k2.jwk]
    const fresh = await signToken(k2, { iss: server.issuer, sub: 'new' })
    await expect(v.verify(fresh)).resolves.toMatchObject({ subject: 'new' })
    expect(server.jwksHits).toBe(base + 1)
    expect(refreshes.map((e) => [e.cause, e.outcome])).toEqual([
      ['initial', 'success'],
      ['unknown_kid', 'success'],
    ])

    // The result signed by the withdrawn key is gone, and the token is now refused (after one more
    // refetch, once the unknown-kid rate limit allows it).
    expect(v.resultCacheSize).toBe(1)
    const err = await rejectionOf(v.verify(old))
    expect(err).toBeInstanceOf(InvalidTokenError)
    expect(err).toMatchObject({ reason: 'unknown_kid' })
    expect(server.jwksHits).toBe(base + 2)
  })

  it('a key withdrawn at the periodic refresh stops validating cached tokens', async () => {
    const v = verifier({ cacheMaxAgeMs: 60_000 })
    const token = await signToken(k1, { iss: server.issuer })
    await v.verify(token)
    server.keys = [k2.jwk]
    vi.setSystemTime(Date.now() + 61_000)
    expect(await rejectionOf(v.verify(token))).toMatchObject({ reason: 'unknown_kid' })
    expect(v.resultCacheSize).toBe(0)
  })

  it('keys still published keep their imported CryptoKey and cached results across refreshes', async () => {
    const v = verifier({ cacheMaxAgeMs: 60_000 })
    const token = await signToken(k1, { iss: server.issuer })
    await v.verify(token)
    server.keys = [k1.jwk, k2.jwk]
    vi.setSystemTime(Date.now() + 61_000)
    const base = server.jwksHits
    // Keys expired: this call waits for the refresh, then the cached result is valid again.
    await v.verify(token)
    expect(server.jwksHits).toBe(base + 1)
    expect(v.resultCacheSize).toBe(1)
    await v.verify(token)
    expect(cacheEvents.at(-1)).toBe('hit')
  })
})

describe('coalescing', () => {
  it('N concurrent first verifications share one JWKS fetch', async () => {
    const v = verifier()
    const base = server.jwksHits
    const tokens = await Promise.all(
      Array.from({ length: 50 }, (_, i) => signToken(k1, { iss: server.issuer, sub: `u${i}` })),
    )
    const results = await Promise.all(tokens.map((t) => v.verify(t)))
    expect(results.map((r) => r.subject)).toEqual(tokens.map((_, i) => `u${i}`))
    expect(server.jwksHits).toBe(base + 1)
  })

  it('N concurrent verifications with one new kid cause one refetch', async () => {
    const v = verifier()
    await v.verify(await signToken(k1, { iss: server.issuer }))
    server.keys = [k1.jwk, k2.jwk]
    vi.setSystemTime(Date.now() + 31_000)
    const base = server.jwksHits
    const tokens = await Promise.all(
      Array.from({ length: 50 }, (_, i) => signToken(k2, { iss: server.issuer, sub: `n${i}` })),
    )
    const results = await Promise.all(tokens.map((t) => v.verify(t)))
    expect(results.every((r) => r.source === 'jwt')).toBe(true)
    expect(server.jwksHits).toBe(base + 1)
  })
})

describe('admission on repeat (the default)', () => {
  const byDefault = (options: Partial<JwtVerifierOptions> = {}): JwtVerifier =>
    verifier({ resultCache: undefined, ...options })

  it('a token is remembered the second time it verifies, and served from the cache after that', async () => {
    const v = byDefault()
    const token = await signToken(k1, { iss: server.issuer, sub: 'u' })
    const first = await v.verify(token)
    expect(v.resultCacheSize).toBe(0)
    const second = await v.verify(token)
    expect(second).not.toBe(first)
    expect(v.resultCacheSize).toBe(1)
    expect(await v.verify(token)).toBe(second)
    expect(cacheEvents).toEqual(['miss', 'miss', 'hit'])
  })

  it('tokens that never repeat are not stored', async () => {
    const v = byDefault()
    const tokens = await Promise.all(
      Array.from({ length: 8 }, (_, i) => signToken(k1, { iss: server.issuer, sub: `once-${i}` })),
    )
    for (const t of tokens) await v.verify(t)
    expect(v.resultCacheSize).toBe(0)
    expect(cacheEvents).toEqual(Array.from({ length: 8 }, () => 'miss'))
  })

  it('a token back only after more than maxEntries new ones is a first sighting again', async () => {
    const v = byDefault({ resultCache: { maxEntries: 8 } })
    const first = await signToken(k1, { iss: server.issuer, sub: 'comes-back' })
    const others = await Promise.all(
      Array.from({ length: 9 }, (_, i) => signToken(k1, { iss: server.issuer, sub: `between-${i}` })),
    )
    await v.verify(first)
    for (const t of others) await v.verify(t)
    cacheEvents = []
    await v.verify(first) // remembered by the doorkeeper again, not admitted
    await v.verify(first) // admitted now
    await v.verify(first)
    expect(cacheEvents).toEqual(['miss', 'miss', 'hit'])
  })

  it("admission: 'always' remembers a token the first time", async () => {
    const v = byDefault({ resultCache: { admission: 'always' } })
    const token = await signToken(k1, { iss: server.issuer })
    const first = await v.verify(token)
    expect(v.resultCacheSize).toBe(1)
    expect(await v.verify(token)).toBe(first)
  })

  it('clearResultCache() also forgets which tokens were seen', async () => {
    const v = byDefault()
    const token = await signToken(k1, { iss: server.issuer })
    await v.verify(token)
    v.clearResultCache()
    await v.verify(token)
    expect(v.resultCacheSize).toBe(0)
  })

  it('a bad admission is a TypeError naming the option', () => {
    expect(() =>
      createJwtVerifier({
        issuer: server.issuer,
        audience: false,
        resultCache: { admission: 'sometimes' as 'always' },
      }),
    ).toThrow(/^resultCache\.admission must be 'repeat' or 'always', got/)
  })

  it("a forged token ending like a cached one is not served that token's result", async () => {
    const v = verifier()
    const token = await signToken(k1, { iss: server.issuer, sub: 'victim', scp: ['read'] })
    const victim = await v.verify(token)
    expect(await v.verify(token)).toBe(victim) // cached, keyed by the signature's end
    const [, , signature] = token.split('.')
    const other = await signToken(k1, { iss: server.issuer, sub: 'attacker', scp: ['admin'] })
    const [header, payload] = other.split('.')
    // The attacker's own header and claims with the victim's signature: same cache key.
    const forged = `${header}.${payload}.${signature}`
    cacheEvents = []
    expect(await rejectionOf(v.verify(forged))).toMatchObject({ reason: 'signature' })
    expect(() => v.verifyNow(forged)).toThrow(/invalid signature/)
    expect(cacheEvents).toEqual(['miss', 'miss'])
    expect(await v.verify(token)).toBe(victim) // the victim's entry is untouched
  })

  it('a long token is keyed by its digest, and that digest sent as a token matches nothing', async () => {
    const v = verifier()
    const token = await signToken(k1, { iss: server.issuer, sub: 'long', pad: 'x'.repeat(3000) })
    expect(token.length).toBeGreaterThan(2048)
    const info = await v.verify(token)
    expect(await v.verify(token)).toBe(info)
    expect(v.resultCacheSize).toBe(1)
    // The key the cache holds for it: NUL + SHA-256. Sent as a token, it is refused, not served.
    const digestKey = '\0' + createHash('sha256').update(token).digest('base64url')
    expect(await rejectionOf(v.verify(digestKey))).toMatchObject({ reason: 'malformed' })
    expect(await rejectionOf(v.verify(digestKey.slice(1)))).toMatchObject({ reason: 'malformed' })
  })
})
