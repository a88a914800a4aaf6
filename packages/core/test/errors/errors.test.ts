import { describe, expect, it } from 'vitest'
import {
  ClaimCheckError,
  InsufficientScopeError,
  InvalidRequestError,
  InvalidTokenError,
  isHydrakitError,
  MissingTokenError,
  UpstreamUnavailableError,
} from '../../src/errors/errors.js'

describe('error hierarchy (RFC 6750 §3)', () => {
  it('missing token: 401 with a bare challenge and no error code', () => {
    const e = new MissingTokenError({ realm: 'orders' })
    expect([e.status, e.statusCode, e.expose, e.code]).toEqual([401, 401, true, 'ERR_HYDRAKIT_MISSING_TOKEN'])
    expect(e.headers['www-authenticate']).toBe('Bearer realm="orders"')
  })

  it('invalid request: 400 invalid_request', () => {
    const e = new InvalidRequestError({ description: 'malformed bearer token', reason: 'malformed_header' })
    expect(e.status).toBe(400)
    expect(e.headers['www-authenticate']).toBe(
      'Bearer realm="api", error="invalid_request", error_description="malformed bearer token"',
    )
    expect(e.toJSON()).toEqual({ error: 'invalid_request', error_description: 'malformed bearer token' })
  })

  it('invalid token: 401 invalid_token, keeps cause and debug but never renders them', () => {
    const cause = new Error('inner secret')
    const e = new InvalidTokenError({
      description: 'token expired',
      reason: 'expired',
      cause,
      debug: { kid: 'k1' },
    })
    expect(e.status).toBe(401)
    expect(e.cause).toBe(cause)
    expect(e.reason).toBe('expired')
    expect(JSON.stringify(e.toJSON())).not.toContain('secret')
    expect(e.headers['www-authenticate']).toContain('error="invalid_token"')
  })

  it('insufficient scope: 403 with the required scopes in scope="…"', () => {
    const e = new InsufficientScopeError(['read', 'write'], 'all')
    expect(e.status).toBe(403)
    expect(e.headers['www-authenticate']).toBe(
      'Bearer realm="api", error="insufficient_scope", error_description="the token lacks a required scope", scope="read write"',
    )
    expect(new InsufficientScopeError(['a'], 'any').description).toMatch(/none of/)
  })

  it('claim check: 403 naming the claim', () => {
    const e = new ClaimCheckError('tenant')
    expect([e.status, e.error, e.claim]).toEqual([403, 'insufficient_scope', 'tenant'])
  })

  it('outage: 503 temporarily_unavailable without a challenge, Retry-After only when numeric', () => {
    const e = new UpstreamUnavailableError({ description: 'x', reason: 'jwks_unavailable', retryAfter: '7' })
    expect(e.status).toBe(503)
    expect(e.headers).toEqual({ 'retry-after': '7' })
    expect(e.toJSON().error).toBe('temporarily_unavailable')
    const injected = new UpstreamUnavailableError({
      description: 'x',
      reason: 'introspection_unavailable',
      retryAfter: '1\r\nSet-Cookie: a=b',
    })
    expect(injected.headers).toEqual({})
  })

  it('has a type guard and proper names', () => {
    expect(isHydrakitError(new MissingTokenError())).toBe(true)
    expect(isHydrakitError(new Error('x'))).toBe(false)
    expect(new MissingTokenError().name).toBe('MissingTokenError')
    expect(new MissingTokenError()).toBeInstanceOf(Error)
  })
})
