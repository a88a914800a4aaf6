import { describe, expect, it } from 'vitest'
import { toAuthInfo, type AuthInfo } from '../../src/auth-info.js'
import {
  ClaimCheckError,
  InsufficientScopeError,
  InvalidTokenError,
  MissingTokenError,
} from '../../src/errors/errors.js'
import { createRequestAuthenticator, isCorsPreflight } from '../../src/guard/authenticate.js'
import { createClaimCheck } from '../../src/guard/claims.js'
import { createScopeCheck } from '../../src/guard/scopes.js'
import type { RequestLike } from '../../src/token/extract.js'
import type { TokenVerifier } from '../../src/verifier.js'

const auth = (claims: Record<string, unknown>) => toAuthInfo('t', claims, 'jwt')

describe('createScopeCheck', () => {
  it('all-of and any-of', () => {
    const a = auth({ scp: ['read', 'write'] })
    expect(() => createScopeCheck(['read', 'write'], 'all')(a, 'api')).not.toThrow()
    expect(() => createScopeCheck(['read', 'admin'], 'all')(a, 'api')).toThrow(InsufficientScopeError)
    expect(() => createScopeCheck(['admin', 'write'], 'any')(a, 'api')).not.toThrow()
    expect(() => createScopeCheck(['admin', 'root'], 'any')(a, 'api')).toThrow(InsufficientScopeError)
  })

  it('names the required scopes in the challenge', () => {
    try {
      createScopeCheck(['admin', 'root'], 'any')(auth({ scope: 'read' }), 'orders')
      expect.unreachable()
    } catch (e) {
      expect((e as InsufficientScopeError).headers['www-authenticate']).toContain('scope="admin root"')
      expect((e as InsufficientScopeError).realm).toBe('orders')
    }
  })

  it('applies the configured strategy', () => {
    const a = auth({ scp: ['photos.*'] })
    expect(() => createScopeCheck('photos.read', 'all')(a, 'api')).toThrow(InsufficientScopeError)
    expect(() =>
      createScopeCheck('photos.read', 'all', { scopeStrategy: 'wildcard' })(a, 'api'),
    ).not.toThrow()
  })

  it('refuses invalid required scopes at construction', () => {
    expect(() => createScopeCheck([], 'all')).toThrow(TypeError)
    expect(() => createScopeCheck('read write', 'all', {}, 'requireScope')).toThrow(/requireScope/)
    expect(() => createScopeCheck('a"b', 'all')).toThrow(TypeError)
  })
})

describe('createClaimCheck', () => {
  const a = auth({
    sub: 'u1',
    tenant: 'acme',
    roles: ['admin'],
    amr: 'pwd otp',
    ext: { plan: 'pro' },
    level: 3,
  })

  it('equals, includes, oneOf, predicates and nested ext paths', () => {
    expect(() => createClaimCheck({ tenant: 'acme' })(a, 'api')).not.toThrow()
    expect(() =>
      createClaimCheck({ tenant: { equals: 'acme' }, roles: { includes: 'admin' } })(a, 'api'),
    ).not.toThrow()
    expect(() => createClaimCheck({ amr: { includes: 'otp' } })(a, 'api')).not.toThrow()
    expect(() => createClaimCheck({ 'ext.plan': { oneOf: ['pro', 'ent'] } })(a, 'api')).not.toThrow()
    expect(() => createClaimCheck({ level: (v) => typeof v === 'number' && v >= 3 })(a, 'api')).not.toThrow()
  })

  it('fails with 403 naming the claim', () => {
    try {
      createClaimCheck({ tenant: 'other' })(a, 'api')
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(ClaimCheckError)
      expect((e as ClaimCheckError).claim).toBe('tenant')
      expect((e as ClaimCheckError).status).toBe(403)
    }
    expect(() => createClaimCheck({ missing: { includes: 'x' } })(a, 'api')).toThrow(ClaimCheckError)
    expect(() => createClaimCheck({ level: () => 'yes' as never })(a, 'api')).toThrow(ClaimCheckError)
  })

  it('does not read inherited properties', () => {
    expect(() => createClaimCheck({ 'constructor.name': 'Object' })(a, 'api')).toThrow(ClaimCheckError)
  })

  it('validates requirements at construction', () => {
    expect(() => createClaimCheck({})).toThrow(TypeError)
    expect(() => createClaimCheck({ a: { nope: 1 } as never })).toThrow(/claims\.a/)
    expect(() => createClaimCheck({ 'a..b': 'x' })).toThrow(TypeError)
  })
})

describe('createRequestAuthenticator', () => {
  const calls: string[] = []
  const verifier: TokenVerifier = {
    realm: 'api',
    verify: (token) => {
      calls.push(token)
      return token === 'good'
        ? Promise.resolve(auth({ sub: 'u' }))
        : Promise.reject(new InvalidTokenError({ description: 'bad', reason: 'signature' }))
    },
  }
  const authenticateNow = createRequestAuthenticator({ verifier })
  // Settles synchronously when it can (a refusal is thrown); as a promise for these assertions.
  const authenticate = (req: RequestLike, optional: boolean): Promise<AuthInfo | undefined> =>
    Promise.resolve().then(() => authenticateNow(req, optional))

  it('decides a missing or malformed token synchronously', () => {
    expect(authenticateNow({ method: 'GET', headers: {} }, true)).toBeUndefined()
    expect(() => authenticateNow({ method: 'GET', headers: {} }, false)).toThrow(MissingTokenError)
    expect(() => authenticateNow({ method: 'GET', headers: { authorization: 'Bearer a b' } }, true)).toThrow(
      /./,
    )
  })

  it('verifies the extracted token', async () => {
    await expect(
      authenticate({ method: 'GET', headers: { authorization: 'Bearer good' } }, false),
    ).resolves.toMatchObject({ subject: 'u' })
  })

  it('optional: no token → undefined; a bad token is still rejected', async () => {
    await expect(authenticate({ method: 'GET', headers: {} }, true)).resolves.toBeUndefined()
    await expect(authenticate({ method: 'GET', headers: {} }, false)).rejects.toBeInstanceOf(
      MissingTokenError,
    )
    await expect(
      authenticate({ method: 'GET', headers: { authorization: 'Bearer bad' } }, true),
    ).rejects.toBeInstanceOf(InvalidTokenError)
  })

  it('a malformed header rejects without calling the verifier', async () => {
    const before = calls.length
    await expect(
      authenticate({ method: 'GET', headers: { authorization: 'Bearer a b' } }, true),
    ).rejects.toMatchObject({ status: 400 })
    expect(calls.length).toBe(before)
  })

  it('detects CORS preflights', () => {
    expect(isCorsPreflight({ method: 'OPTIONS', headers: { 'access-control-request-method': 'GET' } })).toBe(
      true,
    )
    expect(isCorsPreflight({ method: 'OPTIONS', headers: {} })).toBe(false)
    expect(isCorsPreflight({ method: 'GET', headers: { 'access-control-request-method': 'GET' } })).toBe(
      false,
    )
  })

  it('refuses a non-verifier at construction', () => {
    expect(() => createRequestAuthenticator({ verifier: {} as never })).toThrow(/verifier/)
  })
})
