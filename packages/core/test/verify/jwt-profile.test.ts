// profile: 'rfc9068' — the JWT profile for OAuth 2.0 access tokens: typ at+jwt and its claims.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { InvalidTokenError } from '../../src/errors/errors.js'
import { createJwtVerifier, type JwtVerifier } from '../../src/verify/jwt.js'
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
const verifiers: JwtVerifier[] = []

beforeAll(async () => {
  rsa = await makeKey('RS256', 'rsa-1')
  server = await startJwksServer([rsa.jwk])
})
afterEach(async () => {
  await Promise.all(verifiers.splice(0).map((v) => v.close()))
})
afterAll(() => server.close())

function rfc9068(): JwtVerifier {
  const v = createJwtVerifier({
    issuer: server.issuer,
    audience: 'api',
    jwksUri: server.jwksUri,
    profile: 'rfc9068',
  })
  verifiers.push(v)
  return v
}

const claims = (): Record<string, unknown> => ({
  iss: server.issuer,
  aud: 'api',
  sub: 'alice',
  client_id: 'app',
})

async function reason(v: JwtVerifier, token: string): Promise<string> {
  const err = await rejectionOf(v.verify(token))
  expect(err).toBeInstanceOf(InvalidTokenError)
  return (err as InvalidTokenError).reason
}

describe("profile: 'rfc9068'", () => {
  it('accepts an at+jwt token with every RFC 9068 claim', async () => {
    const v = rfc9068()
    for (const typ of ['at+jwt', 'application/at+jwt']) {
      await expect(v.verify(await signToken(rsa, claims(), { typ }))).resolves.toMatchObject({
        subject: 'alice',
        clientId: 'app',
      })
    }
  })

  it('refuses Hydra’s typ JWT (an ID token says the same) and a token without typ', async () => {
    const v = rfc9068()
    expect(await reason(v, await signToken(rsa, claims()))).toBe('typ')
    expect(await reason(v, await signToken(rsa, claims(), { typ: undefined }))).toBe('typ')
  })

  it.each([
    ['sub', 'required_claim'],
    ['client_id', 'required_claim'],
    ['jti', 'required_claim'],
    ['iat', 'too_old'],
  ])('refuses an at+jwt token without %s (%s)', async (claim, why) => {
    const v = rfc9068()
    const token = await signToken(rsa, { ...claims(), [claim]: undefined }, { typ: 'at+jwt' })
    expect(await reason(v, token)).toBe(why)
  })

  it('without the profile, typ JWT and a missing client_id pass (the default)', async () => {
    const v = createJwtVerifier({ issuer: server.issuer, audience: 'api', jwksUri: server.jwksUri })
    verifiers.push(v)
    const token = await signToken(rsa, { ...claims(), client_id: undefined })
    await expect(v.verify(token)).resolves.toMatchObject({ subject: 'alice' })
  })

  it('is validated', () => {
    const base = { issuer: server.issuer, audience: 'api', jwksUri: server.jwksUri }
    expect(() => createJwtVerifier({ ...base, profile: 'rfc9068', typ: 'JWT' })).toThrow(
      /^typ cannot be combined with profile 'rfc9068'/,
    )
    expect(() => createJwtVerifier({ ...base, profile: 'hydra' as never })).toThrow(/^profile must be/)
  })
})
