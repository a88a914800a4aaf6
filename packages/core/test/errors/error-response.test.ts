import { describe, expect, it } from 'vitest'
import { toErrorResponse } from '../../src/adapter/index.js'
import { InvalidTokenError, UpstreamUnavailableError } from '../../src/errors/errors.js'

describe('toErrorResponse', () => {
  it("writes the error's own headers, then the JSON type and no-store, and leaves the error untouched", () => {
    const err = new InvalidTokenError({ description: 'invalid signature', reason: 'signature', realm: 'api' })
    const before = { ...err.headers }
    const out = toErrorResponse(err)
    expect(out).toEqual({
      status: 401,
      headers: {
        'www-authenticate':
          'Bearer realm="api", error="invalid_token", error_description="invalid signature"',
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
      },
      body: '{"error":"invalid_token","error_description":"invalid signature"}',
    })
    expect(Object.keys(out.headers)).toEqual(['www-authenticate', 'content-type', 'cache-control'])
    expect(err.headers).toEqual(before)
    expect(out.headers).not.toBe(err.headers)
  })

  it('a 503 carries Retry-After and no challenge', () => {
    const err = new UpstreamUnavailableError({
      description: 'token introspection is temporarily unavailable',
      reason: 'introspection_unavailable',
      retryAfter: '5',
    })
    const out = toErrorResponse(err)
    expect(out.status).toBe(503)
    expect(out.headers['retry-after']).toBe('5')
    expect(out.headers['www-authenticate']).toBeUndefined()
    expect(out.headers['cache-control']).toBe('no-store')
  })
})
