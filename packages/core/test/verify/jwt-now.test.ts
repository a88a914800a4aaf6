import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { InvalidTokenError } from '../../src/errors/errors.js'
import { combineHooks } from '../../src/combine-hooks.js'
import { ignoresSuccesses, type CacheEvent, type VerifyEvent } from '../../src/hooks.js'
import { createJwtVerifier, type JwtVerifier, type JwtVerifierOptions } from '../../src/verify/jwt.js'
import {
  b64json,
  makeKey,
  signToken,
  startJwksServer,
  type JwksServer,
  type TestKey,
} from '../jwks/helpers.js'

let server: JwksServer
let rsa: TestKey
let next: TestKey
let stranger: TestKey
const verifiers: JwtVerifier[] = []

function verifier(options: Partial<JwtVerifierOptions> = {}): JwtVerifier {
  const v = createJwtVerifier({
    issuer: server.issuer,
    audience: false,
    resultCache: { admission: 'always' },
    ...options,
  })
  verifiers.push(v)
  return v
}

/** A verifier whose keys are loaded (one verification went through verify()). */
async function loaded(options: Partial<JwtVerifierOptions> = {}): Promise<JwtVerifier> {
  const v = verifier(options)
  await v.verify(await signToken(rsa, { iss: server.issuer, aud: 'api' }))
  return v
}

function thrown(fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    return err
  }
  throw new Error('expected a throw')
}

beforeAll(async () => {
  rsa = await makeKey('RS256', 'rsa-1')
  next = await makeKey('RS256', 'rsa-2')
  stranger = await makeKey('RS256', 'rsa-1')
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

describe('JwtVerifier.verifyNow', () => {
  it('answers nothing before the keys are loaded, and never fetches them itself', async () => {
    const v = verifier()
    const token = await signToken(rsa, { iss: server.issuer })
    expect(v.verifyNow(token)).toBeUndefined()
    expect(server.jwksHits).toBe(0)
    const info = await v.verify(token)
    expect(v.verifyNow(token)).toBe(info)
  })

  it('with keys loaded, verifies a new token synchronously, then answers it from the cache', async () => {
    const v = await loaded()
    const token = await signToken(rsa, { iss: server.issuer, sub: 'alice', scp: ['read'] })
    const first = v.verifyNow(token)
    expect(first).toMatchObject({ subject: 'alice', scopes: ['read'], source: 'jwt' })
    expect(Object.isFrozen(first)).toBe(true)
    expect(v.verifyNow(token)).toBe(first)
    await expect(v.verify(token)).resolves.toBe(first)
  })

  it('throws refusals synchronously, exactly as verify() rejects', async () => {
    const v = await loaded({ audience: 'api' })
    const cases = [
      await signToken(rsa, { iss: server.issuer, aud: 'other' }),
      await signToken(stranger, { iss: server.issuer, aud: 'api' }),
      await signToken(rsa, { iss: server.issuer, aud: 'api', exp: Math.floor(Date.now() / 1000) - 60 }),
      'not.a.jwt',
      `${b64json({ alg: 'HS256', kid: 'rsa-1', typ: 'JWT' })}.${b64json({ iss: server.issuer, aud: 'api' })}.c2ln`,
    ]
    for (const token of cases) {
      const sync = thrown(() => v.verifyNow(token))
      expect(sync).toBeInstanceOf(InvalidTokenError)
      await expect(v.verify(token)).rejects.toMatchObject({ reason: (sync as InvalidTokenError).reason })
    }
  })

  it('leaves a kid the loaded keys lack to verify() (which may refetch)', async () => {
    const v = await loaded({ cooldownMs: 1 })
    server.keys = [rsa.jwk, next.jwk]
    const token = await signToken(next, { iss: server.issuer })
    const hits = server.jwksHits
    expect(v.verifyNow(token)).toBeUndefined()
    expect(server.jwksHits).toBe(hits)
    await expect(v.verify(token)).resolves.toMatchObject({ source: 'jwt' })
    expect(v.verifyNow(token)).toBeDefined()
  })

  it('stops answering from the cache at exp', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const now = Math.floor(Date.now() / 1000)
    const v = verifier({ cacheMaxAgeMs: 3_600_000 })
    const token = await signToken(rsa, { iss: server.issuer, iat: now, nbf: now, exp: now + 60 })
    await v.verify(token)
    expect(v.verifyNow(token)).toBeDefined()
    vi.setSystemTime((now + 120) * 1000)
    expect(thrown(() => v.verifyNow(token))).toMatchObject({ reason: 'expired' })
  })

  it('stops answering once the signing key left the JWKS', async () => {
    const v = verifier({ cooldownMs: 1 })
    const token = await signToken(rsa, { iss: server.issuer })
    await v.verify(token)
    server.keys = [next.jwk]
    await v.refreshKeys()
    expect(v.resultCacheSize).toBe(0)
    expect(v.verifyNow(token)).toBeUndefined()
    await expect(v.verify(token)).rejects.toMatchObject({ reason: 'unknown_kid' })
  })

  it('answers nothing while the keys are stale and must be refetched first', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const v = verifier({ cacheMaxAgeMs: 1000 })
    const token = await signToken(rsa, { iss: server.issuer })
    await v.verify(token)
    vi.setSystemTime(Date.now() + 5000)
    expect(v.verifyNow(token)).toBeUndefined()
    expect(v.verifyNow(await signToken(rsa, { iss: server.issuer }))).toBeUndefined()
  })

  it('reports to the hooks as verify() does; an undefined answer reports nothing', async () => {
    const verify: VerifyEvent[] = []
    const cache: CacheEvent[] = []
    const v = verifier({ hooks: { onVerify: (e) => verify.push(e), onCache: (e) => cache.push(e) } })
    const token = await signToken(rsa, { iss: server.issuer })
    expect(v.verifyNow(token)).toBeUndefined()
    expect([verify.length, cache.length]).toEqual([0, 0])
    await v.verify(token) // fetches the keys
    v.verifyNow(token) // cached
    const other = await signToken(rsa, { iss: server.issuer })
    v.verifyNow(other) // verified synchronously
    // Change the signature's first character (never a no-op, unlike overwriting its tail).
    const forged = other.replace(
      /\.([\w-])([\w-]*)$/,
      (_m, c: string, rest: string) => `.${c === 'A' ? 'B' : 'A'}${rest}`,
    )
    expect(forged).not.toBe(other)
    thrown(() => v.verifyNow(forged)) // refused synchronously
    expect(cache.map((e) => e.outcome)).toEqual(['miss', 'hit', 'miss', 'miss'])
    expect(verify.map((e) => [e.outcome, e.cached, e.reason])).toEqual([
      ['success', false, undefined],
      ['success', true, undefined],
      ['success', false, undefined],
      ['failure', false, 'signature'],
    ])
  })

  it('a listener that reads failures only (the built-in warnings) is sent no event for a cache hit', async () => {
    const began = performance.now()
    const quiet: VerifyEvent[] = []
    const loud: VerifyEvent[] = []
    const failuresOnly = ignoresSuccesses((e: VerifyEvent) => quiet.push(e))
    const a = verifier({ hooks: { onVerify: failuresOnly } })
    const b = verifier({ hooks: combineHooks({ onVerify: failuresOnly }, { onVerify: (e) => loud.push(e) }) })
    const token = await signToken(rsa, { iss: server.issuer })
    for (const v of [a, b]) {
      await v.verify(token)
      expect(v.verifyNow(token)?.token).toBe(token)
      expect(
        thrown(() => v.verifyNow(token.slice(0, -2) + (token.endsWith('AA') ? 'BA' : 'AA'))),
      ).toBeInstanceOf(InvalidTokenError)
    }
    // a's listener heard the miss and the refusal, not the hit; b's second listener heard all three.
    expect(quiet.map((e) => [e.outcome, e.cached])).toEqual([
      ['success', false],
      ['failure', false],
      ['success', false],
      ['success', true],
      ['failure', false],
    ])
    expect(loud.map((e) => [e.outcome, e.cached])).toEqual([
      ['success', false],
      ['success', true],
      ['failure', false],
    ])
    // Durations are measured from each verification's start, also where the clock is read only
    // after the cache missed (never from the process's start).
    const elapsed = performance.now() - began
    for (const e of [...quiet, ...loud]) expect(e.durationMs).toBeGreaterThanOrEqual(0)
    for (const e of [...quiet, ...loud]) expect(e.durationMs).toBeLessThanOrEqual(elapsed)
  })

  it('answers nothing after close() (verify() then fails with 503)', async () => {
    const v = await loaded()
    const token = await signToken(rsa, { iss: server.issuer })
    v.verifyNow(token)
    await v.close()
    expect(v.verifyNow(token)).toBeUndefined()
    await expect(v.verify(token)).rejects.toMatchObject({ status: 503 })
  })

  it('refuses what is not a plausible token, without hashing absurd input', async () => {
    const v = await loaded()
    for (const token of [undefined, null, 42, '', 'x'.repeat(20_000)]) {
      expect(thrown(() => v.verifyNow(token as unknown as string))).toMatchObject({ reason: 'malformed' })
    }
  })

  it('works from the start with a static JWKS', async () => {
    const v = verifier({ jwks: { keys: [rsa.jwk] } })
    expect(v.verifyNow(await signToken(rsa, { iss: server.issuer }))).toMatchObject({ source: 'jwt' })
  })
})
