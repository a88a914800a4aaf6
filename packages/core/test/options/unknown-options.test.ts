// Safe by default: a verifier never starts without an audience decision, and options that are
// unknown, misplaced or named as other libraries name them fail at construction, also when the
// configuration comes from plain JavaScript (no type checker).
import { describe, expect, it } from 'vitest'
import { createIntrospectionVerifier, createJwtVerifier, createVerifier } from '../../src/index.js'

const issuer = 'https://hydra.example/'
const adminUrl = 'http://127.0.0.1:1'
// Configurations as plain JavaScript would pass them: no compile-time checks.
const js = (value: Record<string, unknown>): never => value as never

describe('audience is required', () => {
  it.each([
    ['createVerifier jwt', () => createVerifier(js({ mode: 'jwt', issuer }))],
    ['createVerifier introspection', () => createVerifier(js({ mode: 'introspection', adminUrl }))],
    ['createVerifier hybrid', () => createVerifier(js({ mode: 'hybrid', issuer, adminUrl }))],
    ['createJwtVerifier', () => createJwtVerifier(js({ issuer }))],
    ['createIntrospectionVerifier', () => createIntrospectionVerifier(js({ adminUrl }))],
  ])('%s without audience → TypeError saying why', (_name, build) => {
    expect(build).toThrow(TypeError)
    expect(build).toThrow(/audience is required/)
    expect(build).toThrow(/Hydra puts every audience a client asked for into the token's aud/)
    expect(build).toThrow(/a token minted for another API is accepted/)
    expect(build).toThrow(/audience: false/)
  })

  it('audience: false is an explicit choice and builds', async () => {
    const v = createVerifier({ mode: 'jwt', issuer, audience: false })
    await v.close?.()
    const i = createVerifier({ mode: 'introspection', adminUrl, audience: false })
    await i.close?.()
  })

  it('refuses audience: true, null, an empty list and a non-string entry', () => {
    for (const audience of [true, null, [], [''], [1]]) {
      expect(() => createVerifier(js({ mode: 'jwt', issuer, audience }))).toThrow(/audience/)
    }
  })
})

describe('unknown and misplaced options', () => {
  const base = { mode: 'jwt', issuer, audience: 'orders' }
  it.each([
    [{ algorithms: ['ES256'] }, 'algorithms is not a known option: did you mean `jwt.algorithms`?'],
    [{ issuerBaseURL: issuer }, 'issuerBaseURL is not a known option: hydrakit calls it `issuer`'],
    [{ jwksUri: `${issuer}.well-known/jwks.json` }, 'did you mean `jwt.jwksUri`?'],
    [{ introspectionUrl: 'http://x' }, 'did you mean `introspection.introspectionUrl`?'],
    // express-oauth2-jwt-bearer
    [{ tokenSigningAlg: 'RS256' }, 'tokenSigningAlg is not a known option: did you mean `jwt.algorithms`?'],
    [{ authRequired: false }, 'authenticate({ optional: true })'],
    // express-jwt, koa-jwt
    [{ secret: 'shh' }, 'secret is not a known option: hydrakit verifies asymmetric tokens only'],
    [{ credentialsRequired: false }, 'authenticate({ optional: true })'],
    [{ passthrough: true }, 'authenticate({ optional: true })'],
    [{ isRevoked: () => false }, "mode 'introspection'"],
    // jwks-rsa
    [{ jwksRequestsPerMinute: 5 }, 'did you mean `jwt.cooldownMs`?'],
    [{ cacheMaxAge: 1 }, 'did you mean `jwt.cacheMaxAgeMs`?'],
    // typos: the nearest known name
    [{ audiance: 'x' }, 'audiance is not a known option: did you mean `audience`?'],
    [{ Issuer: issuer }, 'Issuer is not a known option: did you mean `issuer`?'],
    [{ nonsense: 1 }, /^nonsense is not a known option$/],
  ])('%o → TypeError with a hint', (extra, message) => {
    const build = (): unknown => createVerifier(js({ ...base, ...extra }))
    expect(build).toThrow(TypeError)
    expect(build).toThrow(message)
  })

  it('checks inside jwt and introspection too, naming the full path', () => {
    expect(() => createVerifier(js({ ...base, jwt: { algorithm: ['ES256'] } }))).toThrow(
      'jwt.algorithm is not a known option: did you mean `algorithms`?',
    )
    expect(() =>
      createVerifier(js({ mode: 'introspection', adminUrl, audience: 'a', introspection: { ttlMs: 1 } })),
    ).toThrow(/^introspection\.ttlMs is not a known option/)
    expect(() => createVerifier(js({ ...base, jwt: 'RS256' }))).toThrow('jwt must be an object')
  })

  it('the factories refuse unknown options with their own hints', () => {
    expect(() => createJwtVerifier(js({ issuer, audience: 'a', adminUrl }))).toThrow(
      'adminUrl is not a known option: the JWT verifier fetches keys from the issuer',
    )
    expect(() => createJwtVerifier(js({ issuer, audience: 'a', tokenSigningAlg: 'RS256' }))).toThrow(
      'did you mean `algorithms`?',
    )
    expect(() => createIntrospectionVerifier(js({ adminUrl, audience: 'a', adminAuth: {} }))).toThrow(
      'adminAuth is not a known option: the introspection verifier calls it `auth`',
    )
    expect(() => createIntrospectionVerifier(js({ adminUrl, audience: 'a', cache: { ttl: 5 } }))).not.toThrow(
      /not a known option/,
    )
  })

  it('the warnings option is checked', () => {
    expect(() => createVerifier(js({ ...base, warnings: 'loud' }))).toThrow(
      /^warnings must be false, true or an object/,
    )
    expect(() => createVerifier(js({ ...base, warnings: { onWarn: () => {} } }))).toThrow(
      'warnings.onWarn is not a known option: did you mean `onWarning`?',
    )
    expect(() => createVerifier(js({ ...base, warnings: { onWarning: 'console' } }))).toThrow(
      'warnings.onWarning must be a function',
    )
    expect(() => createVerifier(js({ ...base, warnings: { intervalMs: -1 } }))).toThrow(
      /warnings\.intervalMs/,
    )
  })

  it('the attack from the issue: a top-level algorithms list no longer starts with RS256 accepted', () => {
    // Before, `algorithms` was silently ignored and the default list (RS256, ES256) applied.
    expect(() => createVerifier(js({ ...base, algorithms: ['ES256'] }))).toThrow(TypeError)
    const v = createVerifier({ ...base, mode: 'jwt', jwt: { algorithms: ['ES256'] } })
    return v.close?.()
  })
})
