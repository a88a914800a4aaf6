import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { InvalidTokenError, UpstreamUnavailableError } from '../../src/errors/errors.js'
import type { VerifyEvent } from '../../src/hooks.js'
import { createJwtVerifier, type JwtVerifier, type JwtVerifierOptions } from '../../src/verify/jwt.js'
import {
  makeKey,
  rejectionOf,
  signToken,
  startJwksServer,
  type JwksServer,
  type TestKey,
} from '../jwks/helpers.js'

let server: JwksServer
let rsa: TestKey
let ec: TestKey
const verifiers: JwtVerifier[] = []

function verifier(options: Partial<JwtVerifierOptions> = {}): JwtVerifier {
  const v = createJwtVerifier({ issuer: server.issuer, audience: false, ...options })
  verifiers.push(v)
  return v
}

async function reasonOf(promise: Promise<unknown>): Promise<string> {
  const err = await rejectionOf(promise)
  expect(err).toBeInstanceOf(InvalidTokenError)
  return (err as InvalidTokenError).reason
}

beforeAll(async () => {
  rsa = await makeKey('RS256', 'rsa-1')
  ec = await makeKey('ES256', 'ec-1')
  server = await startJwksServer([rsa.jwk, ec.jwk])
})

afterEach(async () => {
  vi.useRealTimers()
  await Promise.all(verifiers.splice(0).map((v) => v.close()))
})

afterAll(async () => {
  await server.close()
})

describe('createJwtVerifier: happy paths', () => {
  it('verifies an RS256 Hydra access token with scp array and returns the profile', async () => {
    const v = verifier({ audience: 'api' })
    const token = await signToken(rsa, {
      iss: server.issuer,
      sub: 'user-1',
      aud: ['api', 'other'],
      client_id: 'client-a',
      scp: ['read', 'write'],
      ext: { tenant: 't1' },
    })
    const info = await v.verify(token)
    expect(info).toMatchObject({
      token,
      active: true,
      subject: 'user-1',
      clientId: 'client-a',
      scopes: ['read', 'write'],
      audience: ['api', 'other'],
      issuer: server.issuer,
      tokenUse: 'access_token',
      ext: { tenant: 't1' },
      source: 'jwt',
    })
    expect(typeof info.expiresAt).toBe('number')
    expect(Object.isFrozen(info)).toBe(true)
    expect(Object.isFrozen(info.claims)).toBe(true)
  })

  it('verifies an ES256 token with a space-separated scope string and a string aud', async () => {
    const v = verifier({ audience: ['x', 'api'] })
    const token = await signToken(ec, { iss: server.issuer, sub: 's', aud: 'api', scope: 'a b' })
    const info = await v.verify(token)
    expect(info.scopes).toEqual(['a', 'b'])
    expect(info.audience).toEqual(['api'])
  })

  it('merges scp and scope (Hydra scope_claim: both)', async () => {
    const v = verifier()
    const token = await signToken(rsa, { iss: server.issuer, scp: ['a', 'b'], scope: 'b c' })
    expect((await v.verify(token)).scopes).toEqual(['a', 'b', 'c'])
  })

  it('accepts typ at+jwt (RFC 9068) and application/at+jwt by default', async () => {
    const v = verifier()
    for (const typ of ['at+jwt', 'application/at+jwt', 'jwt']) {
      const token = await signToken(rsa, { iss: server.issuer }, { typ })
      await expect(v.verify(token)).resolves.toMatchObject({ source: 'jwt' })
    }
  })

  it('accepts the other asymmetric algorithms when configured (PS256, ES384, EdDSA)', async () => {
    const ps = await makeKey('PS256', 'ps-1')
    const es384 = await makeKey('ES384', 'es384-1')
    const ed = await makeKey('EdDSA', 'ed-1')
    const v = verifier({
      jwks: { keys: [ps.jwk, es384.jwk, ed.jwk] },
      algorithms: ['PS256', 'ES384', 'EdDSA'],
    })
    for (const key of [ps, es384, ed]) {
      const token = await signToken(key, { iss: server.issuer, sub: key.kid })
      expect((await v.verify(token)).subject).toBe(key.kid)
    }
    // RS256 is not in this allowlist.
    expect(await reasonOf(v.verify(await signToken(rsa, { iss: server.issuer })))).toBe('algorithm')
  })

  it('without discovery metadata, uses Hydra’s JWKS location (issuer without its trailing slash) and fetches it once', async () => {
    const before = server.jwksHits
    const v = verifier({ issuer: `${server.issuer}/`, resultCache: false })
    expect(v.jwksUri).toBeUndefined()
    for (let i = 0; i < 3; i++) {
      await v.verify(await signToken(rsa, { iss: `${server.issuer}/` }))
    }
    expect(v.jwksUri).toBe(`${server.issuer}/.well-known/jwks.json`)
    expect(server.jwksHits - before).toBe(1)
    expect(v.jwksStatus()).toMatchObject({ source: 'remote', keyCount: 2, lastFailure: undefined })
    expect(v.jwksStatus().keyIds.sort()).toEqual(['ec-1', 'rsa-1'])
  })

  it('verifies a token without kid against the keys of its algorithm', async () => {
    const v = verifier()
    const token = await signToken(ec, { iss: server.issuer }, { kid: undefined })
    await expect(v.verify(token)).resolves.toMatchObject({ source: 'jwt' })
  })

  it('refuses a token without kid when maxKeysWithoutKid is 0', async () => {
    const v = verifier({ maxKeysWithoutKid: 0 })
    const token = await signToken(ec, { iss: server.issuer }, { kid: undefined })
    expect(await reasonOf(v.verify(token))).toBe('unknown_kid')
  })

  it('tries at most maxKeysWithoutKid keys for a kid-less token', async () => {
    const others = await Promise.all([1, 2, 3].map((i) => makeKey('RS256', `other-${i}`)))
    const target = await makeKey('RS256', 'target')
    const keys = [...others.map((k) => k.jwk), target.jwk]
    const token = await signToken(target, { iss: server.issuer }, { kid: undefined })
    const bounded = verifier({ jwks: { keys }, maxKeysWithoutKid: 3 })
    expect(await reasonOf(bounded.verify(token))).toBe('signature')
    const wider = verifier({ jwks: { keys }, maxKeysWithoutKid: 4 })
    await expect(wider.verify(token)).resolves.toMatchObject({ source: 'jwt' })
  })
})

describe('createJwtVerifier: claim checks', () => {
  it('refuses an expired token (401 invalid_token, reason expired) and honours clockTolerance', async () => {
    const now = Math.floor(Date.now() / 1000)
    const token = await signToken(rsa, { iss: server.issuer, iat: now - 100, nbf: now - 100, exp: now - 3 })
    const strict = verifier({ clockTolerance: 0 })
    const err = await rejectionOf(strict.verify(token))
    expect(err).toBeInstanceOf(InvalidTokenError)
    expect(err).toMatchObject({
      status: 401,
      reason: 'expired',
      description: 'token expired',
      error: 'invalid_token',
    })
    expect((err as InvalidTokenError).headers['www-authenticate']).toBe(
      'Bearer realm="api", error="invalid_token", error_description="token expired"',
    )
    expect(JSON.stringify((err as InvalidTokenError).debug)).not.toContain(token)
    // Default tolerance is 5 seconds: 3 seconds past exp still passes.
    await expect(verifier().verify(token)).resolves.toMatchObject({ source: 'jwt' })
  })

  it('refuses a token used before nbf (not_yet_valid)', async () => {
    const now = Math.floor(Date.now() / 1000)
    const token = await signToken(rsa, { iss: server.issuer, nbf: now + 60 })
    expect(await reasonOf(verifier().verify(token))).toBe('not_yet_valid')
  })

  it('refuses a token without exp (required_claim)', async () => {
    const token = await signToken(rsa, { iss: server.issuer, exp: undefined })
    const err = await rejectionOf(verifier().verify(token))
    expect(err).toMatchObject({ reason: 'required_claim', description: 'missing required claim' })
    expect((err as InvalidTokenError).debug).toMatchObject({ claim: 'exp' })
  })

  it('refuses a wrong issuer, exactly (no silent trailing-slash normalisation)', async () => {
    const v = verifier()
    for (const iss of ['https://evil.example', `${server.issuer}/`, undefined]) {
      const err = await rejectionOf(v.verify(await signToken(rsa, { iss })))
      expect(err).toMatchObject({ reason: 'issuer', description: 'issuer mismatch' })
      expect((err as InvalidTokenError).debug).toMatchObject({
        expectedIssuer: server.issuer,
        tokenIssuer: iss,
      })
    }
  })

  it('tolerates one trailing slash on iss only when tolerateIssuerTrailingSlash is set', async () => {
    const v = verifier({ tolerateIssuerTrailingSlash: true })
    await expect(v.verify(await signToken(rsa, { iss: `${server.issuer}/` }))).resolves.toMatchObject({
      issuer: `${server.issuer}/`,
    })
    await expect(v.verify(await signToken(rsa, { iss: server.issuer }))).resolves.toBeDefined()
    expect(await reasonOf(v.verify(await signToken(rsa, { iss: `${server.issuer}//` })))).toBe('issuer')
  })

  it('refuses a token whose aud contains none of the accepted audiences', async () => {
    const v = verifier({ audience: ['api', 'api2'] })
    const err = await rejectionOf(v.verify(await signToken(rsa, { iss: server.issuer, aud: ['other'] })))
    expect(err).toMatchObject({ reason: 'audience', description: 'audience mismatch' })
    expect((err as InvalidTokenError).debug).toMatchObject({
      expectedAudience: ['api', 'api2'],
      tokenAudience: ['other'],
    })
    expect(await reasonOf(v.verify(await signToken(rsa, { iss: server.issuer })))).toBe('audience')
    await expect(
      v.verify(await signToken(rsa, { iss: server.issuer, aud: ['zzz', 'api2'] })),
    ).resolves.toBeDefined()
  })

  it('enforces maxTokenAge from iat (too_old) and requires iat then', async () => {
    const now = Math.floor(Date.now() / 1000)
    const v = verifier({ maxTokenAge: 60 })
    expect(await reasonOf(v.verify(await signToken(rsa, { iss: server.issuer, iat: now - 600 })))).toBe(
      'too_old',
    )
    expect(await reasonOf(v.verify(await signToken(rsa, { iss: server.issuer, iat: undefined })))).toBe(
      'too_old',
    )
    await expect(v.verify(await signToken(rsa, { iss: server.issuer, iat: now - 10 }))).resolves.toBeDefined()
  })

  it('refuses a token missing a requiredClaims entry', async () => {
    const v = verifier({ requiredClaims: ['sub', 'client_id'] })
    const err = await rejectionOf(v.verify(await signToken(rsa, { iss: server.issuer, sub: 'u' })))
    expect(err).toMatchObject({ reason: 'required_claim' })
    expect((err as InvalidTokenError).debug).toMatchObject({ claim: 'client_id' })
    await expect(
      v.verify(await signToken(rsa, { iss: server.issuer, sub: 'u', client_id: 'c' })),
    ).resolves.toBeDefined()
  })

  it('checks typ: refuses other and missing typ by default, accepts any with typ: false', async () => {
    const v = verifier()
    for (const typ of ['logout+jwt', 'dpop+jwt', undefined]) {
      const err = await rejectionOf(v.verify(await signToken(rsa, { iss: server.issuer }, { typ })))
      expect(err).toMatchObject({ reason: 'typ', description: 'unexpected token type' })
    }
    const custom = verifier({ typ: 'at+jwt' })
    expect(await reasonOf(custom.verify(await signToken(rsa, { iss: server.issuer })))).toBe('typ')
    const off = verifier({ typ: false })
    await expect(
      off.verify(await signToken(rsa, { iss: server.issuer }, { typ: undefined })),
    ).resolves.toBeDefined()
  })

  it('refuses malformed input with a defined error, never a crash', async () => {
    const v = verifier()
    const valid = await signToken(rsa, { iss: server.issuer })
    const [h, p] = valid.split('.')
    const cases: unknown[] = [
      '',
      'abc',
      'a.b',
      'a.b.c.d',
      '!!!.@@@.###',
      `${Buffer.from('[1,2]').toString('base64url')}.${p}.sig`,
      `${Buffer.from('not json').toString('base64url')}.${p}.sig`,
      `${h}.${Buffer.from('not json').toString('base64url')}.${valid.split('.')[2]}`,
      `${h}.${p}.`,
      'x'.repeat(20_000),
      42,
      undefined,
      null,
    ]
    for (const token of cases) {
      const err = await rejectionOf(v.verify(token as string))
      expect(err).toBeInstanceOf(InvalidTokenError)
      expect(['malformed', 'signature']).toContain((err as InvalidTokenError).reason)
    }
  })

  it('mismatched kid type in the header is malformed', async () => {
    const token = await signToken(rsa, { iss: server.issuer }, { kid: 12 as unknown as string })
    expect(await reasonOf(verifier().verify(token))).toBe('malformed')
  })
})

describe('createJwtVerifier: options are validated at construction', () => {
  const bad: [string, Partial<JwtVerifierOptions> | Record<string, unknown>, RegExp][] = [
    ['missing issuer', { issuer: undefined }, /^issuer is required/],
    ['relative issuer', { issuer: '/relative' }, /^issuer must be an absolute URL/],
    ['non-http issuer', { issuer: 'ftp://x.example' }, /^issuer must be an http: or https: URL/],
    ['HS256', { algorithms: ['HS256'] }, /^algorithms\[0\] must be an asymmetric algorithm/],
    ['none', { algorithms: ['RS256', 'none'] }, /^algorithms\[1\] must be an asymmetric algorithm/],
    ['unknown alg', { algorithms: ['RS1'] }, /^algorithms\[0\] must be one of RS256/],
    ['empty algs', { algorithms: [] }, /^algorithms must be a non-empty array/],
    ['empty audience', { audience: [] }, /^audience must not be an empty array/],
    ['bad audience item', { audience: ['a', ''] }, /^audience\[1\] must be a non-empty string/],
    ['negative tolerance', { clockTolerance: -1 }, /^clockTolerance must be a finite number >= 0/],
    ['zero cacheMaxAgeMs', { cacheMaxAgeMs: 0 }, /^cacheMaxAgeMs must be an integer >= 1/],
    ['NaN cooldownMs', { cooldownMs: Number.NaN }, /^cooldownMs must be an integer >= 1/],
    ['negative maxStaleMs', { maxStaleMs: -5 }, /^maxStaleMs must be an integer >= 0/],
    ['string timeoutMs', { timeoutMs: '5' }, /^timeoutMs must be an integer >= 1/],
    ['zero maxTokenAge', { maxTokenAge: 0 }, /^maxTokenAge must be a finite number >= 1/],
    ['bad jwksUri', { jwksUri: 'not a url' }, /^jwksUri must be an absolute URL/],
    [
      'both jwks',
      { jwksUri: 'https://a.example/jwks', jwks: { keys: [] } },
      /^jwks and jwksUri are mutually exclusive/,
    ],
    ['static jwks w/o keys', { jwks: { keys: [] } }, /^jwks has no key usable/],
    ['static jwks not a set', { jwks: { nope: 1 } }, /^jwks must be a JSON Web Key Set/],
    [
      'bad resultCache',
      { resultCache: { maxEntries: 0 } },
      /^resultCache\.maxEntries must be an integer >= 1/,
    ],
    ['bad resultCache type', { resultCache: true }, /^resultCache must be false or an object/],
    ['bad hook', { hooks: { onVerify: 'x' } }, /^hooks\.onVerify must be a function/],
    ['bad typ', { typ: [''] }, /^typ\[0\] must be a non-empty string/],
    ['bad allowedKids', { allowedKids: [] }, /^allowedKids must not be an empty array/],
    [
      'bad pin url',
      { accessTokenKeySet: { adminUrl: 'x' } },
      /^accessTokenKeySet\.adminUrl must be an absolute URL/,
    ],
    [
      'bad pin version',
      { accessTokenKeySet: { adminUrl: 'http://a.example', apiVersion: 'v3' } },
      /^accessTokenKeySet\.apiVersion must be 'v2' or 'v1'/,
    ],
    [
      'bad pin auth',
      { accessTokenKeySet: { adminUrl: 'http://a.example', auth: { type: 'bearer', token: '' } } },
      /^accessTokenKeySet\.auth\.token must be a non-empty string/,
    ],
    [
      'pin with static jwks',
      { jwks: { keys: [] }, accessTokenKeySet: { adminUrl: 'http://a.example' } },
      /^accessTokenKeySet needs a remote JWKS/,
    ],
    ['bad maxKeysWithoutKid', { maxKeysWithoutKid: 1.5 }, /^maxKeysWithoutKid must be an integer >= 0/],
    ['bad realm', { realm: '' }, /^realm must be a non-empty string/],
  ]
  it.each(bad)('%s → TypeError naming the option', (_name, options, message) => {
    const base: Record<string, unknown> = { issuer: 'https://auth.example/', audience: false }
    expect(() => createJwtVerifier({ ...base, ...options } as JwtVerifierOptions)).toThrow(TypeError)
    expect(() => createJwtVerifier({ ...base, ...options } as JwtVerifierOptions)).toThrow(message)
  })

  it('rejects a non-object', () => {
    expect(() => createJwtVerifier(undefined as unknown as JwtVerifierOptions)).toThrow(TypeError)
  })
})

describe('createJwtVerifier: hooks and lifecycle', () => {
  it('emits onVerify per call (with cached) and onCache hit/miss', async () => {
    const events: VerifyEvent[] = []
    const cache: string[] = []
    const v = verifier({
      hooks: { onVerify: (e) => events.push(e), onCache: (e) => cache.push(`${e.cache}:${e.outcome}`) },
    })
    const token = await signToken(rsa, { iss: server.issuer })
    // Admission on repeat (the default): the second verification is remembered, the third a hit.
    await v.verify(token)
    await v.verify(token)
    await v.verify(token)
    await rejectionOf(v.verify(await signToken(rsa, { iss: 'https://other.example' })))
    expect(events.map((e) => [e.outcome, e.cached, e.reason])).toEqual([
      ['success', false, undefined],
      ['success', false, undefined],
      ['success', true, undefined],
      ['failure', false, 'issuer'],
    ])
    expect(events[3]?.debug).toMatchObject({ expectedIssuer: server.issuer })
    expect(cache).toEqual(['jwt:miss', 'jwt:miss', 'jwt:hit', 'jwt:miss'])
  })

  it('a throwing hook never fails verification', async () => {
    const v = verifier({
      hooks: {
        onVerify: () => {
          throw new Error('boom')
        },
        onJwksRefresh: () => {
          throw new Error('boom')
        },
      },
    })
    await expect(v.verify(await signToken(rsa, { iss: server.issuer }))).resolves.toBeDefined()
  })

  it('after close(), verify fails with 503 and close is idempotent', async () => {
    const v = verifier()
    const token = await signToken(rsa, { iss: server.issuer })
    await v.verify(token)
    await v.close()
    await v.close()
    const err = await rejectionOf(v.verify(token))
    expect(err).toBeInstanceOf(UpstreamUnavailableError)
    expect(err).toMatchObject({ status: 503, reason: 'jwks_unavailable' })
  })

  it('uses the configured realm in challenges', async () => {
    const v = verifier({ realm: 'orders' })
    const err = await rejectionOf(v.verify('a.b.c'))
    expect((err as InvalidTokenError).headers['www-authenticate']).toMatch(
      /^Bearer realm="orders", error="invalid_token"/,
    )
  })
})
