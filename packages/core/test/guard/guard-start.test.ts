import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AuthInfo } from '../../src/auth-info.js'
import { toAuthInfo } from '../../src/auth-info.js'
import {
  InsufficientScopeError,
  InvalidRequestError,
  InvalidTokenError,
  MissingTokenError,
} from '../../src/errors/errors.js'
import { createRequestAuthenticator } from '../../src/guard/authenticate.js'
import { createGuardBuilder } from '../../src/guard/builder.js'
import { createGuard } from '../../src/guard/guard.js'
import { createScopeCheck } from '../../src/guard/scopes.js'
import type { RequestLike } from '../../src/token/extract.js'
import type { TokenVerifier } from '../../src/verifier.js'
import { createJwtVerifier, type JwtVerifier } from '../../src/verify/jwt.js'
import { makeKey, signToken, startJwksServer, type JwksServer, type TestKey } from '../jwks/helpers.js'

let server: JwksServer
let rsa: TestKey
let jwt: JwtVerifier

beforeAll(async () => {
  rsa = await makeKey('RS256', 'rsa-1')
  server = await startJwksServer([rsa.jwk])
  jwt = createJwtVerifier({ issuer: server.issuer, audience: false, resultCache: { admission: 'always' } })
})

afterAll(async () => {
  await jwt.close()
  await server.close()
})

const request = (token?: string): RequestLike => ({
  method: 'GET',
  headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
})

function thrown(fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    return err
  }
  throw new Error('expected a throw')
}

describe('Guard.start with a synchronous verifier', () => {
  it('waits while the keys load, then settles new and repeated tokens synchronously', async () => {
    const fresh = createJwtVerifier({
      issuer: server.issuer,
      audience: false,
      resultCache: { admission: 'always' },
    })
    try {
      const guard = createGuardBuilder(fresh).requireScope('read')
      const token = await signToken(rsa, { iss: server.issuer, scp: ['read'] })
      const first = guard.start(request(token))
      expect(first).toBeInstanceOf(Promise)
      const info = (await first) as AuthInfo
      expect(info.scopes).toEqual(['read'])
      const again = guard.start(request(token))
      expect(again).not.toBeInstanceOf(Promise)
      expect(again).toBe(info)
      const other = guard.start(request(await signToken(rsa, { iss: server.issuer, scp: ['read'] })))
      expect(other).not.toBeInstanceOf(Promise)
      expect(other).toMatchObject({ scopes: ['read'] })
    } finally {
      await fresh.close()
    }
  })

  it('throws refusals synchronously when it can decide without waiting', async () => {
    const b = createGuardBuilder(jwt)
    expect(thrown(() => b.authenticate().start(request()))).toBeInstanceOf(MissingTokenError)
    expect(b.authenticate({ optional: true }).start(request())).toBeNull()
    const header: RequestLike = { method: 'GET', headers: { authorization: 'Basic x' } }
    expect(thrown(() => b.authenticate().start(header))).toBeInstanceOf(InvalidRequestError)
    // A cached token that lacks the scope is refused synchronously too.
    const token = await signToken(rsa, { iss: server.issuer, scp: ['read'] })
    await b.authenticate().start(request(token))
    expect(thrown(() => b.requireScope('write').start(request(token)))).toBeInstanceOf(InsufficientScopeError)
  })

  it('throws a refusal the verifier decides at once; rejects one that had to wait for the keys', async () => {
    const expired = await signToken(rsa, { iss: server.issuer, exp: Math.floor(Date.now() / 1000) - 60 })
    await jwt.verify(await signToken(rsa, { iss: server.issuer }))
    expect(thrown(() => createGuardBuilder(jwt).authenticate().start(request(expired)))).toBeInstanceOf(
      InvalidTokenError,
    )
    const fresh = createJwtVerifier({
      issuer: server.issuer,
      audience: false,
      resultCache: { admission: 'always' },
    })
    try {
      const result = createGuardBuilder(fresh).authenticate().start(request(expired))
      expect(result).toBeInstanceOf(Promise)
      await expect(result).rejects.toBeInstanceOf(InvalidTokenError)
    } finally {
      await fresh.close()
    }
  })

  it('adds resource_metadata to synchronous refusals as run() does', async () => {
    const b = createGuardBuilder(jwt, {
      protectedResource: { resource: 'https://api.example', authorizationServers: [server.issuer] },
    })
    const err = thrown(() => b.authenticate().start(request())) as MissingTokenError
    expect(err.headers['www-authenticate']).toMatch(
      /resource_metadata="https:\/\/api\.example\/\.well-known\/oauth-protected-resource"/,
    )
    const rejected = (await b
      .authenticate()
      .run(request())
      .then(
        () => undefined,
        (e: unknown) => e,
      )) as MissingTokenError
    expect(rejected.headers['www-authenticate']).toBe(err.headers['www-authenticate'])
  })
})

describe('Guard.start with other verifiers', () => {
  const info = toAuthInfo('opaque', { sub: 's', scope: 'read' }, 'introspection')
  let calls = 0
  const plain: TokenVerifier = {
    realm: 'api',
    verify: () => {
      calls++
      return Promise.resolve(info)
    },
  }

  it('a verifier without verifyNow is always awaited', async () => {
    expect(plain.verifyNow).toBeUndefined()
    expect(jwt.verifyNow).toBeTypeOf('function')
    const guard = createGuardBuilder(plain).requireScope('read')
    calls = 0
    for (let i = 0; i < 2; i++) {
      const result = guard.start(request('opaque'))
      expect(result).toBeInstanceOf(Promise)
      await expect(result).resolves.toBe(info)
    }
    expect(calls).toBe(2)
  })

  it('a verifier that returns a non-native thenable or throws is handled like one that rejects', async () => {
    const thenable: TokenVerifier = {
      realm: 'api',
      verify: () => ({ then: (ok: (v: AuthInfo) => unknown) => ok(info) }) as unknown as Promise<AuthInfo>,
    }
    const throwing: TokenVerifier = {
      realm: 'api',
      verify: () => {
        throw new InvalidTokenError({ description: 'no', reason: 'malformed' })
      },
    }
    await expect(createGuardBuilder(thenable).authenticate().start(request('t'))).resolves.toBe(info)
    await expect(createGuardBuilder(throwing).authenticate().run(request('t'))).rejects.toBeInstanceOf(
      InvalidTokenError,
    )
  })

  it('a guard over a hand-written authenticator that always returns a promise is always awaited', async () => {
    const authenticate = (): Promise<AuthInfo | undefined> => Promise.resolve(info)
    const guard = createGuard({
      authenticate,
      realm: 'api',
      checks: [createScopeCheck('read', 'all', {}, 'requireScope')],
    })
    const state: AuthInfo | null | Promise<AuthInfo | null> = guard.start(request('x'))
    expect(state).toBeInstanceOf(Promise)
    await expect(state).resolves.toBe(info)
  })
})

describe('createRequestAuthenticator and verifyNow', () => {
  const info = toAuthInfo('t', { sub: 's', scope: 'read' }, 'jwt')
  it('settles through verifyNow when it answers, and falls back to verify when it returns undefined', async () => {
    const seen: string[] = []
    const verifier: TokenVerifier = {
      realm: 'api',
      verifyNow: (token) => {
        seen.push(`now:${token}`)
        return token === 'cached' ? info : undefined
      },
      verify: (token) => {
        seen.push(`verify:${token}`)
        return Promise.resolve(info)
      },
    }
    const authenticate = createRequestAuthenticator({ verifier })
    expect(authenticate(request('cached'), false)).toBe(info)
    const later = authenticate(request('other'), false)
    expect(later).toBeInstanceOf(Promise)
    await expect(later).resolves.toBe(info)
    expect(seen).toEqual(['now:cached', 'now:other', 'verify:other'])
  })

  it('a refusal verifyNow throws is thrown at once, without calling verify', () => {
    let verifies = 0
    const verifier: TokenVerifier = {
      realm: 'api',
      verifyNow: () => {
        throw new InvalidTokenError({ description: 'expired', reason: 'expired' })
      },
      verify: () => {
        verifies++
        return Promise.resolve(info)
      },
    }
    expect(thrown(() => createRequestAuthenticator({ verifier })(request('x'), false))).toBeInstanceOf(
      InvalidTokenError,
    )
    expect(verifies).toBe(0)
  })

  it('refuses a verifyNow that is not a function at construction', () => {
    const verifier = { realm: 'api', verify: () => Promise.resolve(info), verifyNow: 'yes' }
    expect(() => createRequestAuthenticator({ verifier: verifier as never })).toThrow(/verifyNow/)
  })
})
