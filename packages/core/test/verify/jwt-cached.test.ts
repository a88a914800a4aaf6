import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { CacheEvent, VerifyEvent } from '../../src/hooks.js'
import { createJwtVerifier, type JwtVerifier, type JwtVerifierOptions } from '../../src/verify/jwt.js'
import { makeKey, signToken, startJwksServer, type JwksServer, type TestKey } from '../jwks/helpers.js'

let server: JwksServer
let rsa: TestKey
let next: TestKey
const verifiers: JwtVerifier[] = []

function verifier(options: Partial<JwtVerifierOptions> = {}): JwtVerifier {
  const v = createJwtVerifier({ issuer: server.issuer, ...options })
  verifiers.push(v)
  return v
}

beforeAll(async () => {
  rsa = await makeKey('RS256', 'rsa-1')
  next = await makeKey('RS256', 'rsa-2')
  server = await startJwksServer([rsa.jwk])
})

afterEach(async () => {
  vi.useRealTimers()
  server.keys = [rsa.jwk]
  await Promise.all(verifiers.splice(0).map((v) => v.close()))
})

afterAll(async () => {
  await server.close()
})

describe('JwtVerifier.verifyCached', () => {
  it('answers nothing before a verification, then the very result verify() returned', async () => {
    const v = verifier()
    const token = await signToken(rsa, { iss: server.issuer, sub: 'alice' })
    expect(v.verifyCached(token)).toBeUndefined()
    const info = await v.verify(token)
    expect(v.verifyCached(token)).toBe(info)
    expect(Object.isFrozen(v.verifyCached(token))).toBe(true)
    // Another token, even one differing in a single character, is not answered.
    expect(v.verifyCached(`${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`)).toBeUndefined()
  })

  it('never answers a refused token, nor anything when the result cache is off', async () => {
    const v = verifier({ audience: 'api' })
    const foreign = await signToken(rsa, { iss: server.issuer, aud: 'other' })
    await expect(v.verify(foreign)).rejects.toMatchObject({ reason: 'audience' })
    expect(v.verifyCached(foreign)).toBeUndefined()

    const off = verifier({ resultCache: false })
    const token = await signToken(rsa, { iss: server.issuer })
    await off.verify(token)
    expect(off.verifyCached(token)).toBeUndefined()
  })

  it('stops answering at exp', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const now = Math.floor(Date.now() / 1000)
    const v = verifier()
    const token = await signToken(rsa, { iss: server.issuer, iat: now, nbf: now, exp: now + 60 })
    await v.verify(token)
    expect(v.verifyCached(token)).toBeDefined()
    vi.setSystemTime((now + 61) * 1000)
    expect(v.verifyCached(token)).toBeUndefined()
  })

  it('stops answering once the signing key left the JWKS', async () => {
    const v = verifier({ cooldownMs: 1 })
    const token = await signToken(rsa, { iss: server.issuer })
    await v.verify(token)
    server.keys = [next.jwk]
    await v.refreshKeys()
    expect(v.verifyCached(token)).toBeUndefined()
    await expect(v.verify(token)).rejects.toMatchObject({ reason: 'unknown_kid' })
  })

  it('does not answer while the keys are stale and must be refetched first', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const v = verifier({ cacheMaxAgeMs: 1000 })
    const token = await signToken(rsa, { iss: server.issuer })
    await v.verify(token)
    vi.setSystemTime(Date.now() + 5000)
    expect(v.verifyCached(token)).toBeUndefined()
  })

  it('reports a hit like verify() does, and a miss not at all', async () => {
    const verify: VerifyEvent[] = []
    const cache: CacheEvent[] = []
    const v = verifier({ hooks: { onVerify: (e) => verify.push(e), onCache: (e) => cache.push(e) } })
    const token = await signToken(rsa, { iss: server.issuer })
    expect(v.verifyCached(token)).toBeUndefined()
    expect([verify.length, cache.length]).toEqual([0, 0])
    await v.verify(token)
    expect(cache.map((e) => e.outcome)).toEqual(['miss'])
    v.verifyCached(token)
    expect(cache.map((e) => e.outcome)).toEqual(['miss', 'hit'])
    expect(verify.map((e) => [e.outcome, e.cached])).toEqual([
      ['success', false],
      ['success', true],
    ])
  })

  it('answers nothing after close()', async () => {
    const v = verifier()
    const token = await signToken(rsa, { iss: server.issuer })
    await v.verify(token)
    await v.close()
    expect(v.verifyCached(token)).toBeUndefined()
  })

  it('ignores what is not a plausible token', () => {
    const v = verifier()
    for (const token of [undefined, null, 42, 'x'.repeat(20_000)]) {
      expect(v.verifyCached(token as unknown as string)).toBeUndefined()
    }
  })
})
