// A verifier that starts while its JWKS endpoint is down recovers as soon as the endpoint does:
// "no usable keys yet" is retried after 250 ms, doubling up to 1 s, independently of the unknown-kid
// rate limit. Each kind of outage against a real server; the clock (Date) is driven by the test.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { UpstreamUnavailableError } from '../../src/errors/errors.js'
import { createJwtVerifier, type JwtVerifier, type JwtVerifierOptions } from '../../src/verify/jwt.js'
import {
  makeKey,
  rejectionOf,
  signToken,
  startJwksServer,
  type FaultMode,
  type JwksServer,
  type TestKey,
} from './helpers.js'

let server: JwksServer
let key: TestKey
const verifiers: JwtVerifier[] = []

function verifier(options: Partial<JwtVerifierOptions> = {}): JwtVerifier {
  // A short deadline so that the 'hang' outage fails quickly; every other setting is the default but
  // discovery: the server is the JWKS endpoint at Hydra's location and nothing else, and the
  // requests counted are the JWKS fetches.
  const v = createJwtVerifier({
    issuer: server.issuer,
    audience: 'api',
    timeoutMs: 300,
    discovery: false,
    ...options,
  })
  verifiers.push(v)
  return v
}

async function unavailable(promise: Promise<unknown>): Promise<UpstreamUnavailableError> {
  const err = await rejectionOf(promise)
  expect(err).toBeInstanceOf(UpstreamUnavailableError)
  expect(err).toMatchObject({ status: 503, reason: 'jwks_unavailable' })
  return err as UpstreamUnavailableError
}

/** Moves the (faked) clock forward. */
function advance(ms: number): void {
  vi.setSystemTime(Date.now() + ms)
}

beforeAll(async () => {
  key = await makeKey('RS256', 'k1')
  server = await startJwksServer([key.jwk])
})

beforeEach(() => {
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

const OUTAGES: [string, FaultMode][] = [
  ['HTTP 500', 'status500'],
  ['a body that is not JSON', 'garbage'],
  ['a JSON body that is not a JWKS', 'notJwks'],
  ['an empty key set', 'empty'],
  ['a closed connection', 'reset'],
  ['no answer before the deadline', 'hang'],
]

describe.each(OUTAGES)('boot during an outage: %s', (_name, mode) => {
  it('503 while it lasts, then the first call after the retry delay is accepted', async () => {
    server.mode = mode
    const v = verifier()
    const token = await signToken(key, { iss: server.issuer, aud: 'api' })
    const base = server.jwksHits

    await unavailable(v.verify(token))
    expect(server.jwksHits).toBe(base + 1)
    // Within the first retry delay (250 ms): no fetch, a fast 503 that says when to retry.
    const fast = await unavailable(v.verify(token))
    expect(fast.headers['retry-after']).toBe('1')
    expect(server.jwksHits).toBe(base + 1)
    // After 250 ms a second attempt fails too; the delay doubles to 500 ms.
    advance(250)
    await unavailable(v.verify(token))
    expect(server.jwksHits).toBe(base + 2)

    // The endpoint recovers.
    server.mode = 'ok'
    advance(499)
    await unavailable(v.verify(token))
    expect(server.jwksHits).toBe(base + 2)
    advance(1)
    await expect(v.verify(token)).resolves.toMatchObject({ source: 'jwt' })
    expect(server.jwksHits).toBe(base + 3)
    expect(v.jwksStatus()).toMatchObject({ lastFailure: undefined, nextRetryAt: undefined, keyCount: 1 })
  })
})

describe('a long outage', () => {
  it('the delay stops doubling at maxRetryDelayMs (1 s): recovery within 1 s of the endpoint’s', async () => {
    server.mode = 'status500'
    const v = verifier()
    const token = await signToken(key, { iss: server.issuer, aud: 'api' })
    const base = server.jwksHits
    const delays: number[] = []
    for (let i = 0; i < 8; i++) {
      await unavailable(v.verify(token))
      const status = v.jwksStatus()
      delays.push((status.nextRetryAt ?? 0) - Date.now())
      vi.setSystemTime(status.nextRetryAt ?? 0)
    }
    expect(server.jwksHits).toBe(base + 8)
    expect(delays.map((d) => Math.round(d / 250) * 250)).toEqual([
      250, 500, 1000, 1000, 1000, 1000, 1000, 1000,
    ])

    await unavailable(v.verify(token))
    server.mode = 'ok'
    advance(1000)
    await expect(v.verify(token)).resolves.toBeDefined()
    expect(server.jwksHits).toBe(base + 10)
  })

  it('concurrent calls during the outage and at recovery share one fetch each', async () => {
    server.mode = 'reset'
    const v = verifier()
    const tokens = await Promise.all(
      Array.from({ length: 50 }, (_, i) => signToken(key, { iss: server.issuer, aud: 'api', sub: `u${i}` })),
    )
    const base = server.jwksHits
    const during = await Promise.all(tokens.map((t) => rejectionOf(v.verify(t))))
    expect(during.every((e) => e instanceof UpstreamUnavailableError)).toBe(true)
    expect(server.jwksHits).toBe(base + 1)
    server.mode = 'ok'
    advance(250)
    const after = await Promise.all(tokens.map((t) => v.verify(t)))
    expect(after.map((a) => a.subject)).toEqual(tokens.map((_, i) => `u${i}`))
    expect(server.jwksHits).toBe(base + 2)
  })

  it('the retry delays are separate from the unknown-kid rate limit (cooldownMs)', async () => {
    server.mode = 'status500'
    const v = verifier({ cooldownMs: 3_600_000 })
    const token = await signToken(key, { iss: server.issuer, aud: 'api' })
    await unavailable(v.verify(token))
    server.mode = 'ok'
    advance(250)
    await expect(v.verify(token)).resolves.toBeDefined()
  })

  it('retryDelayMs and maxRetryDelayMs are validated', () => {
    expect(() => verifier({ retryDelayMs: 0 })).toThrow(/^retryDelayMs must be an integer >= 1/)
    expect(() => verifier({ maxRetryDelayMs: 100 })).toThrow(
      'maxRetryDelayMs must be >= retryDelayMs (250), got 100',
    )
  })
})
