// JWKS endpoint outages: every failure is a 503 (never a 401, never a hang), with bounded
// stale-if-error and a retry cooldown. Real servers on 127.0.0.1; only Date is faked.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { UpstreamUnavailableError } from '../../src/errors/errors.js'
import type { JwksRefreshEvent, UpstreamEvent } from '../../src/hooks.js'
import { JwksCache } from '../../src/jwks/jwks-cache.js'
import { createUpstreamClient } from '../../src/upstream/client.js'
import { createJwtVerifier, type JwtVerifier, type JwtVerifierOptions } from '../../src/verify/jwt.js'
import {
  makeKey,
  rejectionOf,
  signToken,
  startJwksServer,
  startServer,
  type FaultMode,
  type JwksServer,
  type TestKey,
} from './helpers.js'

let server: JwksServer
let key: TestKey
const verifiers: JwtVerifier[] = []

// The server is the JWKS endpoint at Hydra's location and nothing else: discovery stays off, so the
// requests and events counted are the JWKS fetches only.
function verifier(options: Partial<JwtVerifierOptions> = {}): JwtVerifier {
  const v = createJwtVerifier({
    issuer: server.issuer,
    audience: false,
    resultCache: false,
    discovery: false,
    ...options,
  })
  verifiers.push(v)
  return v
}

function token(claims: Record<string, unknown> = {}, kid?: string): Promise<string> {
  return signToken(key, { iss: server.issuer, ...claims }, kid === undefined ? {} : { kid })
}

async function unavailable(promise: Promise<unknown>): Promise<UpstreamUnavailableError> {
  const err = await rejectionOf(promise)
  expect(err).toBeInstanceOf(UpstreamUnavailableError)
  expect(err).toMatchObject({ status: 503, reason: 'jwks_unavailable', error: 'temporarily_unavailable' })
  expect((err as UpstreamUnavailableError).headers['www-authenticate']).toBeUndefined()
  return err as UpstreamUnavailableError
}

beforeAll(async () => {
  key = await makeKey('RS256', 'k1')
  server = await startJwksServer([key.jwk])
})

beforeEach(() => {
  server.mode = 'ok'
  server.keys = [key.jwk]
})

afterEach(async () => {
  vi.useRealTimers()
  await Promise.all(verifiers.splice(0).map((v) => v.close()))
})

afterAll(async () => {
  await server.close()
})

describe('no cached keys and a failing endpoint → UpstreamUnavailableError (503)', () => {
  const modes: [FaultMode, string][] = [
    ['status500', 'HTTP 500'],
    ['garbage', 'response is not JSON'],
    ['notJwks', 'response is not a JWKS (no "keys" array)'],
    ['oversized', 'response larger than 524288 bytes'],
    ['hang', 'timed out after 300 ms'],
    ['slow', 'timed out after 300 ms'],
  ]
  it.each(modes)('%s', async (mode, failure) => {
    server.mode = mode
    const upstream: UpstreamEvent[] = []
    const v = verifier({ timeoutMs: 300, hooks: { onUpstream: (e) => upstream.push(e) } })
    const err = await unavailable(v.verify(await token()))
    expect(err.debug).toMatchObject({ failure, jwksUri: server.jwksUri })
    expect(err.description).toBe('signing keys are temporarily unavailable')
    expect(JSON.stringify(err.toJSON())).not.toMatch(/html|internal|x{20}/)
    expect(upstream).toHaveLength(1)
    expect(upstream[0]).toMatchObject({ kind: 'jwks', method: 'GET', url: server.jwksUri })
  })

  it('closed port', async () => {
    const gone = await startServer(() => false)
    await gone.close()
    const v = verifier({ jwksUri: `${gone.url}/.well-known/jwks.json` })
    const err = await unavailable(v.verify(await token()))
    expect(err.debug).toMatchObject({ failure: 'connection failed' })
  })

  it('a JWKS with no usable key (only oct / enc entries) counts as a failure', async () => {
    server.keys = [
      { kty: 'oct', kid: 'h', k: 'c2VjcmV0' },
      { ...key.jwk, kid: 'enc', use: 'enc' },
    ]
    const v = verifier()
    const err = await unavailable(v.verify(await token({}, 'h')))
    expect(String(err.debug?.failure)).toMatch(/^JWKS has no usable signing key/)
  })

  it('after a failure, calls within the retry delay fail fast without a fetch, with Retry-After', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    server.mode = 'status500'
    const v = verifier({ retryDelayMs: 10_000, maxRetryDelayMs: 10_000 })
    const base = server.jwksHits
    await unavailable(v.verify(await token()))
    const err = await unavailable(v.verify(await token()))
    expect(err.headers['retry-after']).toBe('10')
    expect(server.jwksHits).toBe(base + 1)
    // The endpoint recovers; after the retry delay the next call fetches and succeeds.
    server.mode = 'ok'
    vi.setSystemTime(Date.now() + 10_001)
    await expect(v.verify(await token())).resolves.toBeDefined()
    expect(server.jwksHits).toBe(base + 2)
    expect(v.jwksStatus().lastFailure).toBeUndefined()
  })

  it('concurrent calls during an outage share one fetch', async () => {
    server.mode = 'status500'
    const v = verifier()
    const base = server.jwksHits
    const tokens = await Promise.all(Array.from({ length: 20 }, () => token()))
    const errors = await Promise.all(tokens.map((t) => rejectionOf(v.verify(t))))
    expect(errors.every((e) => e instanceof UpstreamUnavailableError)).toBe(true)
    expect(server.jwksHits).toBe(base + 1)
  })
})

describe('stale-if-error', () => {
  it('serves cached keys until cacheMaxAge + maxStale while the endpoint is down, then 503', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const refreshes: JwksRefreshEvent[] = []
    const v = verifier({
      cacheMaxAgeMs: 60_000,
      maxStaleMs: 120_000,
      retryDelayMs: 30_000,
      maxRetryDelayMs: 30_000,
      hooks: { onJwksRefresh: (e) => refreshes.push(e) },
    })
    const start = Date.now()
    await v.verify(await token())
    server.mode = 'status500'
    const base = server.jwksHits

    // Keys expired, endpoint failing: the stale keys still verify.
    vi.setSystemTime(start + 61_000)
    await expect(v.verify(await token())).resolves.toBeDefined()
    expect(server.jwksHits).toBe(base + 1)
    expect(refreshes.at(-1)).toMatchObject({ cause: 'expired', outcome: 'failure' })
    // Within the retry delay: stale keys, no fetch.
    await expect(v.verify(await token())).resolves.toBeDefined()
    expect(server.jwksHits).toBe(base + 1)
    // Retry delay over: still served at once, while one more attempt runs in the background.
    vi.setSystemTime(start + 100_000)
    await expect(v.verify(await token())).resolves.toBeDefined()
    await vi.waitFor(() => expect(refreshes.filter((e) => e.outcome === 'failure')).toHaveLength(2))
    expect(server.jwksHits).toBe(base + 2)
    // An unknown kid cannot be checked while the endpoint is down: 503, not 401.
    await unavailable(v.verify(await token({}, 'unknown-kid')))

    // Past cacheMaxAge + maxStale: 503.
    vi.setSystemTime(start + 181_000)
    await unavailable(v.verify(await token()))

    // The endpoint recovers: keys are fetched again.
    server.mode = 'ok'
    vi.setSystemTime(start + 300_000)
    await expect(v.verify(await token())).resolves.toBeDefined()
  })

  it('once the endpoint is known to fail, requests get stale keys without waiting for the retry', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const upstream: UpstreamEvent[] = []
    const v = verifier({
      cacheMaxAgeMs: 60_000,
      retryDelayMs: 30_000,
      maxRetryDelayMs: 30_000,
      timeoutMs: 1_000,
      hooks: { onUpstream: (e) => upstream.push(e) },
    })
    const start = Date.now()
    await v.verify(await token())
    server.mode = 'status500'
    vi.setSystemTime(start + 61_000)
    await v.verify(await token())
    expect(upstream.map((e) => e.status)).toEqual([200, 500])
    // The endpoint now hangs. After the retry delay a retry starts, but this call does not wait for it.
    server.mode = 'hang'
    vi.setSystemTime(start + 92_000)
    await expect(v.verify(await token())).resolves.toBeDefined()
    expect(upstream).toHaveLength(2)
    await vi.waitFor(() => expect(upstream).toHaveLength(3), { timeout: 5_000 })
    expect(String(upstream[2]?.error)).toMatch(/timed out/)
  })

  it('maxStaleMs: 0 disables stale serving', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const v = verifier({ cacheMaxAgeMs: 60_000, maxStaleMs: 0 })
    await v.verify(await token())
    server.mode = 'garbage'
    vi.setSystemTime(Date.now() + 61_000)
    await unavailable(v.verify(await token()))
  })

  it('an unknown kid is checked by a refetch: 401 when the fetch succeeds without it, 503 when it fails', async () => {
    const v = verifier({ cooldownMs: 50 })
    await v.verify(await token())
    const base = server.jwksHits
    // Right after the initial fetch: the first unknown kid refetches at once.
    expect(await rejectionOf(v.verify(await token({}, 'nope')))).toMatchObject({ reason: 'unknown_kid' })
    expect(server.jwksHits).toBe(base + 1)
    // The next one waits for the rate limit, then refetches; the endpoint now fails: 503, not 401.
    server.mode = 'status500'
    await unavailable(v.verify(await token({}, 'nope')))
    expect(server.jwksHits).toBe(base + 2)
    // The known kid still works with the (fresh) cached keys.
    await expect(v.verify(await token())).resolves.toBeDefined()
  })
})

describe('refreshKeys() and jwksStatus()', () => {
  it('forces a fetch (ignoring freshness) and reports the key state', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const v = verifier()
    expect(v.jwksStatus()).toMatchObject({ source: 'remote', keyCount: 0, fetchedAt: undefined })
    const before = server.jwksHits
    const status = await v.refreshKeys()
    expect(status).toMatchObject({ keyCount: 1, keyIds: ['k1'], fetchedAt: Date.now(), pinned: false })
    expect(status.freshUntil).toBe(Date.now() + 600_000)
    expect(status.staleUntil).toBe(Date.now() + 600_000 + 3_600_000)
    await v.refreshKeys()
    expect(server.jwksHits).toBe(before + 2)
    server.mode = 'status500'
    await unavailable(v.refreshKeys())
    expect(v.jwksStatus()).toMatchObject({ keyCount: 1, lastFailure: 'HTTP 500' })
  })

  it('is a no-op for a static jwks', async () => {
    const v = verifier({ jwks: { keys: [key.jwk] } })
    expect(await v.refreshKeys()).toMatchObject({ source: 'static', keyCount: 1, jwksUri: undefined })
    expect(v.jwksUri).toBeUndefined()
  })
})

describe('static jwks', () => {
  it('never touches the network and refuses an unknown kid at once', async () => {
    const before = server.count
    const v = verifier({ jwks: { keys: [key.jwk] } })
    await expect(v.verify(await token())).resolves.toBeDefined()
    expect(await rejectionOf(v.verify(await token({}, 'other')))).toMatchObject({ reason: 'unknown_kid' })
    expect(server.count).toBe(before)
  })
})

describe('JwksCache directly', () => {
  it('a caller whose signal aborts stops waiting; the shared fetch still completes for others', async () => {
    server.mode = 'slow'
    const cache = new JwksCache({
      uri: server.jwksUri,
      upstream: createUpstreamClient(),
      algorithms: ['RS256'],
      maxKeysWithoutKid: 3,
      cacheMaxAge: 60_000,
      maxStale: 0,
      cooldown: 30_000,
      retryDelay: 250,
      maxRetryDelay: 1000,
      timeout: 5_000,
      realm: 'api',
    })
    const controller = new AbortController()
    const aborted = cache.get(controller.signal)
    const patient = cache.get()
    controller.abort(new Error('client went away'))
    await expect(aborted).rejects.toThrow('client went away')
    const keys = await patient
    expect([...keys.byKid.keys()]).toEqual(['k1'])
  })

  it('peek() returns nothing before the first fetch and the keys once fresh', async () => {
    const cache = new JwksCache({
      uri: server.jwksUri,
      upstream: createUpstreamClient(),
      algorithms: ['RS256'],
      maxKeysWithoutKid: 3,
      cacheMaxAge: 60_000,
      maxStale: 0,
      cooldown: 30_000,
      retryDelay: 250,
      maxRetryDelay: 1000,
      timeout: 5_000,
      realm: 'api',
    })
    expect(cache.peek(Date.now())).toBeUndefined()
    const keys = await cache.get()
    expect(cache.peek(Date.now())).toBe(keys)
    expect(cache.peek(Date.now() + 60_001)).toBeUndefined()
  })
})
