// Routing rules of the several-issuer composition, with recording verifiers standing in for the
// per-issuer ones (the real verifiers against two mock Hydras are in test/adapters/multi-issuer).
import { describe, expect, it } from 'vitest'
import type { AuthInfo } from '../../src/auth-info.js'
import { InvalidTokenError, UpstreamUnavailableError } from '../../src/errors/errors.js'
import type { TokenVerifier } from '../../src/verifier.js'
import { createMultiIssuerVerifier } from '../../src/verify/multi-issuer.js'

type Outcome = 'ok' | 'invalid' | 'down'

function recording(name: string, outcome: Outcome = 'ok'): TokenVerifier & { calls: string[] } {
  const calls: string[] = []
  return {
    realm: 'api',
    calls,
    verify(token) {
      calls.push(token)
      if (outcome === 'invalid') {
        return Promise.reject(new InvalidTokenError({ description: 'inactive', reason: 'inactive' }))
      }
      if (outcome === 'down') {
        return Promise.reject(
          new UpstreamUnavailableError({ description: 'down', reason: 'introspection_unavailable' }),
        )
      }
      return Promise.resolve({ subject: name } as AuthInfo)
    },
  }
}

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url')
const jwt = (claims: Record<string, unknown>): string =>
  `${b64({ alg: 'RS256', kid: 'k' })}.${b64(claims)}.c2ln`

describe('createMultiIssuerVerifier', () => {
  it('routes a JWT by its exact iss and refuses any other iss without calling a verifier', async () => {
    const a = recording('a')
    const b = recording('b')
    const v = createMultiIssuerVerifier({
      issuers: [
        { issuer: 'https://a.example/', verifier: a },
        { issuer: 'https://b.example', verifier: b },
      ],
    })
    await expect(v.verify(jwt({ iss: 'https://b.example' }))).resolves.toMatchObject({ subject: 'b' })
    await expect(v.verify(jwt({ iss: 'https://a.example/' }))).resolves.toMatchObject({ subject: 'a' })
    for (const iss of ['https://a.example', 'https://b.example/', 'https://c.example', 42, undefined]) {
      await expect(v.verify(jwt({ iss }))).rejects.toMatchObject({ reason: 'issuer', status: 401 })
      expect(() => v.verifyNow(jwt({ iss }))).toThrow(InvalidTokenError)
    }
    expect([a.calls.length, b.calls.length]).toEqual([1, 1])
  })

  it('tolerateTrailingSlash adds the other form of that issuer only', async () => {
    const a = recording('a')
    const v = createMultiIssuerVerifier({
      issuers: [{ issuer: 'https://a.example/', verifier: a, tolerateTrailingSlash: true }],
    })
    await expect(v.verify(jwt({ iss: 'https://a.example' }))).resolves.toMatchObject({ subject: 'a' })
    await expect(v.verify(jwt({ iss: 'https://a.example//' }))).rejects.toMatchObject({ reason: 'issuer' })
  })

  it('offers opaque tokens to the introspection verifiers in order; 503 wins over 401', async () => {
    const make = (first: Outcome, second: Outcome): TokenVerifier =>
      createMultiIssuerVerifier({
        issuers: [
          { issuer: 'https://a.example', verifier: recording('a-jwt'), introspection: recording('a', first) },
          {
            issuer: 'https://b.example',
            verifier: recording('b-jwt'),
            introspection: recording('b', second),
          },
        ],
      })
    await expect(make('ok', 'down').verify('ory_at_x')).resolves.toMatchObject({ subject: 'a' })
    await expect(make('invalid', 'ok').verify('ory_at_x')).resolves.toMatchObject({ subject: 'b' })
    await expect(make('down', 'ok').verify('ory_at_x')).resolves.toMatchObject({ subject: 'b' })
    await expect(make('invalid', 'invalid').verify('ory_at_x')).rejects.toMatchObject({ status: 401 })
    await expect(make('down', 'invalid').verify('ory_at_x')).rejects.toMatchObject({ status: 503 })
    await expect(make('invalid', 'down').verify('ory_at_x')).rejects.toMatchObject({ status: 503 })
  })

  it('validates its options with a TypeError naming the entry', () => {
    const a = recording('a')
    expect(() => createMultiIssuerVerifier({ issuers: [] })).toThrow(/issuers must be a non-empty array/)
    expect(() =>
      createMultiIssuerVerifier({ issuers: [{ issuer: 'x', verifier: {} as TokenVerifier }] }),
    ).toThrow(/issuers\[0\]\.verifier/)
    expect(() =>
      createMultiIssuerVerifier({
        issuers: [
          { issuer: 'https://a.example', verifier: a, tolerateTrailingSlash: true },
          { issuer: 'https://a.example/', verifier: recording('b') },
        ],
      }),
    ).toThrow(/issuers\[1\]\.issuer: "https:\/\/a\.example\/" is configured twice/)
  })
})
