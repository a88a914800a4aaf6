import { describe, expect, it } from 'vitest'
import { DiscoveryError, type DiscoveryErrorCode } from '../../src/discovery/discovery-error.js'
import { issuerMatches, parseIssuerMetadata, type MetadataCheck } from '../../src/discovery/metadata.js'

const ISSUER = 'https://as.example'
const check = (over: Partial<MetadataCheck> = {}): MetadataCheck => ({
  issuer: ISSUER,
  tolerateIssuerTrailingSlash: false,
  maxBytes: 4096,
  url: `${ISSUER}/.well-known/openid-configuration`,
  document: 'openid-configuration',
  ...over,
})
const doc = (fields: Record<string, unknown>): string => JSON.stringify({ issuer: ISSUER, ...fields })

function codeOf(fn: () => unknown): DiscoveryErrorCode | undefined {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(DiscoveryError)
    return (err as DiscoveryError).code
  }
  return undefined
}

describe('issuerMatches', () => {
  it.each([
    ['https://as.example', 'https://as.example', false, true],
    ['https://as.example', 'https://as.example/', false, false],
    ['https://as.example/', 'https://as.example', false, false],
    ['https://as.example', 'https://as.example/', true, true],
    ['https://as.example/', 'https://as.example', true, true],
    ['https://as.example', 'https://as.example//', true, false],
    ['https://as.example', 'https://AS.example', true, false],
    ['https://as.example/t', 'https://as.example/t/', true, true],
    ['https://as.example', 'https://as.example.evil', true, false],
  ])('%s vs %s (tolerate %s) → %s', (expected, actual, tolerate, result) => {
    expect(issuerMatches(expected, actual, tolerate)).toBe(result)
  })
})

describe('parseIssuerMetadata', () => {
  it('returns the endpoints hydrakit uses, and the raw document', () => {
    const m = parseIssuerMetadata(
      doc({
        jwks_uri: `${ISSUER}/jwks`,
        introspection_endpoint: `${ISSUER}/token/introspection`,
        introspection_endpoint_auth_methods_supported: ['client_secret_basic'],
        extra: 1,
      }),
      check(),
    )
    expect(m).toMatchObject({
      issuer: ISSUER,
      jwksUri: `${ISSUER}/jwks`,
      introspectionEndpoint: `${ISSUER}/token/introspection`,
      introspectionEndpointAuthMethods: ['client_secret_basic'],
      document: 'openid-configuration',
      url: `${ISSUER}/.well-known/openid-configuration`,
    })
    expect(m.raw.extra).toBe(1)
  })

  it('leaves absent endpoints undefined (Hydra publishes no introspection_endpoint)', () => {
    const m = parseIssuerMetadata(doc({ jwks_uri: `${ISSUER}/.well-known/jwks.json` }), check())
    expect(m.introspectionEndpoint).toBeUndefined()
  })

  it('accepts a trailing-slash difference only when told to, and says so when it refuses', () => {
    const body = JSON.stringify({ issuer: `${ISSUER}/` })
    expect(() => parseIssuerMetadata(body, check())).toThrow(/differ only by a trailing slash/)
    expect(parseIssuerMetadata(body, check({ tolerateIssuerTrailingSlash: true })).issuer).toBe(`${ISSUER}/`)
  })

  it.each<[string, string, DiscoveryErrorCode]>([
    ['another issuer (mix-up)', JSON.stringify({ issuer: 'https://evil.example' }), 'issuer_mismatch'],
    ['issuer missing', JSON.stringify({ jwks_uri: `${ISSUER}/jwks` }), 'invalid_metadata'],
    ['issuer not a string', JSON.stringify({ issuer: [ISSUER] }), 'invalid_metadata'],
    ['not JSON', '<html>hello</html>', 'invalid_json'],
    ['JSON array', '[]', 'invalid_json'],
    ['JSON null', 'null', 'invalid_json'],
    ['JSON string', '"x"', 'invalid_json'],
    ['empty body', '', 'invalid_json'],
    ['relative jwks_uri', doc({ jwks_uri: '/jwks' }), 'invalid_metadata'],
    ['jwks_uri not http(s)', doc({ jwks_uri: 'file:///etc/passwd' }), 'invalid_metadata'],
    ['jwks_uri with credentials', doc({ jwks_uri: 'https://u:p@as.example/jwks' }), 'invalid_metadata'],
    ['jwks_uri a number', doc({ jwks_uri: 42 }), 'invalid_metadata'],
    ['introspection_endpoint relative', doc({ introspection_endpoint: 'introspect' }), 'invalid_metadata'],
    ['token_endpoint javascript:', doc({ token_endpoint: 'javascript:alert(1)' }), 'invalid_metadata'],
    [
      'auth methods not a list',
      doc({ introspection_endpoint_auth_methods_supported: 'basic' }),
      'invalid_metadata',
    ],
    ['oversized', doc({ padding: 'x'.repeat(5000) }), 'too_large'],
  ])('%s → %s', (_name, body, code) => {
    expect(codeOf(() => parseIssuerMetadata(body, check()))).toBe(code)
  })

  it('counts the size cap in UTF-8 bytes, not characters', () => {
    const body = doc({ padding: 'é'.repeat(2100) }) // 2100 characters, 4200 bytes
    expect(body.length).toBeLessThan(4096)
    expect(codeOf(() => parseIssuerMetadata(body, check()))).toBe('too_large')
  })
})
