import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createDebugLogger } from '../../src/observability/debug-log.js'
import { createIntrospectionVerifier, type IntrospectionVerifier } from '../../src/verify/introspection.js'
import { startIntrospectionServer, type IntrospectionServer } from './support/introspection-server.js'

type Line = [message: string, details: Record<string, unknown>]
const capture = (): { lines: Line[]; log: (m: string, d: Record<string, unknown>) => void } => {
  const lines: Line[] = []
  return { lines, log: (m, d) => lines.push([m, d]) }
}
const text = (lines: Line[]): string => lines.map(([m, d]) => `${m} ${JSON.stringify(d)}`).join('\n')

describe('createDebugLogger', () => {
  let hydra: IntrospectionServer
  let verifier: IntrospectionVerifier | undefined

  beforeAll(async () => {
    hydra = await startIntrospectionServer()
  })
  afterEach(async () => {
    await verifier?.close()
    verifier = undefined
    hydra.mode = 'ok'
  })
  afterAll(async () => {
    await hydra?.close()
  })

  it('explains a refused token (expected issuer) in the log while the HTTP error stays terse', async () => {
    const { lines, log } = capture()
    verifier = createIntrospectionVerifier({
      adminUrl: hydra.adminUrl,
      audience: false,
      issuer: 'https://hydra.example/',
      hooks: createDebugLogger(log),
    })
    const token = hydra.issue('alice', { iss: 'https://other.example/' })
    const err: unknown = await verifier.verify(token).catch((e: unknown) => e)
    expect(err).toMatchObject({
      status: 401,
      description: 'the access token was issued by an unexpected issuer',
    })
    expect(JSON.stringify(err)).not.toContain('hydra.example')
    expect(lines).toEqual([
      [
        'hydrakit: token rejected (introspection): the issuer is not the expected one',
        {
          reason: 'issuer',
          source: 'introspection',
          cached: false,
          expected: 'https://hydra.example/',
          received: 'https://other.example/',
        },
      ],
    ])
    expect(text(lines)).not.toContain(token)
  })

  it('logs failed upstream calls without the query string', async () => {
    hydra.mode = '500'
    const { lines, log } = capture()
    verifier = createIntrospectionVerifier({
      adminUrl: hydra.adminUrl,
      audience: false,
      hooks: createDebugLogger(log),
    })
    const token = hydra.issue('alice')
    await expect(verifier.verify(token)).rejects.toMatchObject({ status: 503 })
    expect(lines[0]).toEqual([
      `hydrakit: introspection call POST ${hydra.adminUrl}/admin/oauth2/introspect failed: HTTP 500`,
      expect.objectContaining({ kind: 'introspection', status: 500 }),
    ])
    expect(lines[1]![0]).toBe('hydrakit: token rejected (introspection): introspection did not answer')
    expect(lines[1]![1]).toMatchObject({ reason: 'introspection_unavailable', status: 500 })
    expect(text(lines)).not.toContain(token)

    const direct = capture()
    createDebugLogger(direct.log).onUpstream!({
      kind: 'admin',
      method: 'GET',
      url: 'https://u:p@hydra.example/admin/clients?page_token=abc#x',
      error: Object.assign(new Error('x'), { failure: 'timeout' }),
      durationMs: 12.4,
    })
    expect(direct.lines[0]![0]).toBe(
      'hydrakit: admin call GET https://hydra.example/admin/clients failed: timeout',
    )
    expect(text(direct.lines)).not.toMatch(/page_token|u:p/)
  })

  it('says which kid was unknown, and never logs anything token-shaped found in debug details', () => {
    const { lines, log } = capture()
    const jwt = 'eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXZhbHVl'
    createDebugLogger(log).onVerify!({
      outcome: 'failure',
      source: 'jwt',
      reason: 'unknown_kid',
      debug: {
        kid: 'key-2025',
        token: 'plain-opaque-secret',
        header: { raw: jwt, authorization: 'Bearer abc' },
        seen: ['ory_at_abcdef', 'fine'],
        long: 'x'.repeat(500),
      },
      cached: false,
      durationMs: 1,
    })
    const [message, details] = lines[0]!
    expect(message).toBe('hydrakit: token rejected (jwt): no key in the JWKS has the JWT kid')
    expect(details).toMatchObject({
      reason: 'unknown_kid',
      kid: 'key-2025',
      token: '[redacted]',
      header: { raw: '[redacted]', authorization: '[redacted]' },
      seen: ['[redacted]', 'fine'],
    })
    expect((details.long as string).length).toBeLessThan(210)
    expect(text(lines)).not.toMatch(/plain-opaque-secret|eyJhbGci|ory_at_abcdef|Bearer abc/)
  })

  it('a missing discovery document (404/410) is the normal fallback, not logged; a 500 there is', () => {
    const { lines, log } = capture()
    const hooks = createDebugLogger(log)
    const url = 'https://h/.well-known/openid-configuration'
    hooks.onUpstream!({ kind: 'discovery', method: 'GET', url, status: 404, durationMs: 1 })
    hooks.onUpstream!({ kind: 'discovery', method: 'GET', url, status: 410, durationMs: 1 })
    hooks.onUpstream!({ kind: 'jwks', method: 'GET', url: 'https://h/jwks', status: 404, durationMs: 1 })
    hooks.onUpstream!({ kind: 'discovery', method: 'GET', url, status: 500, durationMs: 1 })
    expect(lines.map(([m]) => m)).toEqual([
      'hydrakit: jwks call GET https://h/jwks failed: HTTP 404',
      `hydrakit: discovery call GET ${url} failed: HTTP 500`,
    ])
  })

  it('ignores successes; logs JWKS refresh failures; rate-limits cache tier errors', () => {
    const { lines, log } = capture()
    const hooks = createDebugLogger(log, { cacheErrorIntervalMs: 60_000 })
    hooks.onVerify!({ outcome: 'success', source: 'jwt', cached: true, durationMs: 1 })
    hooks.onUpstream!({ kind: 'jwks', method: 'GET', url: 'https://h/jwks', status: 200, durationMs: 1 })
    hooks.onJwksRefresh!({
      url: 'https://h/jwks?x=1',
      cause: 'unknown_kid',
      outcome: 'cooldown',
      durationMs: 0,
    })
    hooks.onJwksRefresh!({ url: 'https://h/jwks', cause: 'initial', outcome: 'success', durationMs: 0 })
    for (let i = 0; i < 5; i++) hooks.onCache!({ cache: 'introspection', tier: 'l2', outcome: 'error' })
    hooks.onCache!({ cache: 'introspection', tier: 'l2', outcome: 'hit' })
    expect(lines.map(([m]) => m)).toEqual([
      'hydrakit: JWKS refresh (unknown_kid) skipped, in cooldown: https://h/jwks',
      'hydrakit: introspection cache tier l2 failed; going on without it',
    ])
    const every = capture()
    const noLimit = createDebugLogger(every.log, { cacheErrorIntervalMs: 0 })
    for (let i = 0; i < 3; i++) noLimit.onCache!({ cache: 'jwt', tier: 'l1', outcome: 'error' })
    expect(every.lines).toHaveLength(3)
  })

  it('writes only printable ASCII, bounded, whatever text reaches it', () => {
    const { lines, log } = capture()
    const hooks = createDebugLogger(log, { cacheErrorIntervalMs: 0 })
    const hostile = 'a\r\n2026-01-01T00:00:00Z ERROR forged\u2028\u2029\u202egnp.exe\u001b[2J\u0000é'
    hooks.onVerify!({
      outcome: 'failure',
      source: hostile as never,
      reason: hostile as never,
      debug: {
        received: hostile,
        [hostile]: 1,
        nested: { deeper: [hostile], [`k\n${hostile}`]: hostile },
        ...(JSON.parse(`{"__proto__": ${JSON.stringify(hostile)}}`) as object),
        long: '\u202e'.repeat(1000),
      },
      cached: false,
      durationMs: 1,
    })
    hooks.onUpstream!({
      kind: hostile as never,
      method: hostile,
      url: 'https://hydra.example/a\u2028b/%E2%80%AE',
      status: 502,
      durationMs: 1,
    })
    hooks.onJwksRefresh!({
      url: 'https://h/jwks',
      cause: hostile as never,
      outcome: 'failure',
      durationMs: 0,
    })
    hooks.onCache!({ cache: hostile as never, tier: hostile as never, outcome: 'error' })
    expect(lines).toHaveLength(4)
    const strings: string[] = []
    const walk = (v: unknown): void => {
      if (typeof v === 'string') strings.push(v)
      else if (v !== null && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          strings.push(k)
          walk(x)
        }
      }
    }
    for (const [message, details] of lines) {
      strings.push(message)
      walk(details)
    }
    for (const s of strings) {
      expect(s).toMatch(/^[\x20-\x7e]*$/)
      expect(s.length).toBeLessThanOrEqual(400)
    }
    const [message, details] = lines[0]!
    expect(message).toBe(
      'hydrakit: token rejected (a\\r\\n2026-01-01T00:00:00Z ERROR forged\\u2028\\u2029...[truncated]): the token was refused',
    )
    expect(details.received).toBe(
      'a\\r\\n2026-01-01T00:00:00Z ERROR forged\\u2028\\u2029\\u202egnp.exe\\x1b[2J\\x00\\xe9',
    )
    expect(Object.hasOwn(details, '__proto__')).toBe(true)
    expect(Object.getPrototypeOf(details)).toBe(Object.prototype)
    expect((details.long as string).endsWith('...[truncated]')).toBe(true)
    expect((details.long as string).length).toBeLessThanOrEqual(200)
  })

  it('validates its arguments', () => {
    expect(() => createDebugLogger('console' as never)).toThrow('log must be a function')
    expect(() => createDebugLogger(undefined, { cacheErrorIntervalMs: -1 })).toThrow(
      'options.cacheErrorIntervalMs must be an integer >= 0, got -1',
    )
  })
})
