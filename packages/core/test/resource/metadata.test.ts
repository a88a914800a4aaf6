import { describe, expect, it } from 'vitest'
import { InvalidTokenError, MissingTokenError, UpstreamUnavailableError } from '../../src/errors/errors.js'
import { createProtectedResourceMetadata } from '../../src/resource/metadata.js'

describe('createProtectedResourceMetadata (RFC 9728)', () => {
  it('serves the document at the well-known path inserted before the resource path', () => {
    const m = createProtectedResourceMetadata({
      resource: 'https://api.example.com/orders',
      authorizationServers: ['https://hydra.example.com'],
      scopesSupported: ['orders.read'],
    })
    expect(m.url).toBe('https://api.example.com/.well-known/oauth-protected-resource/orders')
    expect(m.path).toBe('/.well-known/oauth-protected-resource/orders')
    expect(JSON.parse(m.body)).toEqual({
      resource: 'https://api.example.com/orders',
      authorization_servers: ['https://hydra.example.com'],
      bearer_methods_supported: ['header'],
      scopes_supported: ['orders.read'],
    })
  })

  it('uses the root well-known path for an origin-only resource, and derived bearer methods', () => {
    const m = createProtectedResourceMetadata(
      { resource: 'https://api.example.com', authorizationServers: ['https://hydra.example.com'] },
      { bearerMethods: ['header', 'query'] },
    )
    expect(m.path).toBe('/.well-known/oauth-protected-resource')
    expect(JSON.parse(m.body).bearer_methods_supported).toEqual(['header', 'query'])
  })

  it('extra members cannot override the required ones', () => {
    const m = createProtectedResourceMetadata({
      resource: 'https://api.example.com',
      authorizationServers: ['https://hydra.example.com'],
      extra: { resource: 'https://evil.example', dpop_bound_access_tokens_required: false },
    })
    const doc = JSON.parse(m.body)
    expect(doc.resource).toBe('https://api.example.com')
    expect(doc.dpop_bound_access_tokens_required).toBe(false)
  })

  it('validates options, naming them', () => {
    const ok = { resource: 'https://api.example.com', authorizationServers: ['https://h.example'] }
    expect(() => createProtectedResourceMetadata({ ...ok, resource: 'http://api.example.com' })).toThrow(
      /resource must use https/,
    )
    expect(() => createProtectedResourceMetadata({ ...ok, resource: 'http://localhost:3000' })).not.toThrow()
    expect(() => createProtectedResourceMetadata({ ...ok, resource: 'https://a.example/#x' })).toThrow(
      /fragment/,
    )
    expect(() => createProtectedResourceMetadata({ ...ok, authorizationServers: [] })).toThrow(
      /authorizationServers/,
    )
    expect(() => createProtectedResourceMetadata({ ...ok, authorizationServers: ['nope'] })).toThrow(
      /authorizationServers\[0\]/,
    )
    expect(() =>
      createProtectedResourceMetadata({ ...ok, bearerMethodsSupported: ['cookie' as never] }),
    ).toThrow(/bearerMethodsSupported/)
  })
})

describe('HydrakitError.withResourceMetadata', () => {
  it('adds resource_metadata to the challenge, once', () => {
    const e = new InvalidTokenError({ description: 'token expired', reason: 'expired' })
    e.withResourceMetadata('https://api.example.com/.well-known/oauth-protected-resource')
    e.withResourceMetadata('https://api.example.com/.well-known/oauth-protected-resource')
    expect(e.headers['www-authenticate']).toBe(
      'Bearer realm="api", error="invalid_token", error_description="token expired", resource_metadata="https://api.example.com/.well-known/oauth-protected-resource"',
    )
    const m = new MissingTokenError().withResourceMetadata('https://x.example/m')
    expect(m.headers['www-authenticate']).toBe('Bearer realm="api", resource_metadata="https://x.example/m"')
  })

  it('leaves errors without a challenge alone', () => {
    const e = new UpstreamUnavailableError({ description: 'down', reason: 'jwks_unavailable' })
    e.withResourceMetadata('https://x.example/m')
    expect(e.headers['www-authenticate']).toBeUndefined()
  })
})
