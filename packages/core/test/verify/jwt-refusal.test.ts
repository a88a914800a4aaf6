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
let v: JwtVerifier

beforeAll(async () => {
  rsa = await makeKey('RS256', 'rsa-1')
  server = await startJwksServer([rsa.jwk])
  v = createJwtVerifier({ issuer: server.issuer, audience: 'api' })
})

afterAll(async () => {
  await v.close()
  await server.close()
})

const descriptor = Object.getOwnPropertyDescriptor(Error, 'stackTraceLimit')!

afterEach(() => {
  Object.defineProperty(Error, 'stackTraceLimit', descriptor)
})

describe('JWT refusals', () => {
  it('carry reason, description and debug but no stack frames, and leave Error.stackTraceLimit as it was', async () => {
    Error.stackTraceLimit = 17
    const err = await rejectionOf(v.verify(await signToken(rsa, { iss: server.issuer, aud: 'other' })))
    expect(err).toBeInstanceOf(InvalidTokenError)
    expect(err).toMatchObject({ reason: 'audience', description: 'audience mismatch', status: 401 })
    expect((err as InvalidTokenError).debug).toMatchObject({ tokenAudience: 'other' })
    expect((err as Error).stack).toMatch(/^InvalidTokenError: audience mismatch/)
    expect((err as Error).stack).not.toMatch(/\n\s+at /)
    expect(Error.stackTraceLimit).toBe(17)
    // Other errors keep their stacks.
    expect(new Error('x').stack).toMatch(/\n\s+at /)
  })

  it('still work, with a stack, when Error.stackTraceLimit cannot be changed', async () => {
    Object.defineProperty(Error, 'stackTraceLimit', { value: 5, writable: false, configurable: true })
    const err = await rejectionOf(v.verify('not-a-jwt'))
    expect(err).toMatchObject({ reason: 'malformed', status: 401 })
    expect((err as Error).stack).toMatch(/\n\s+at /)
    expect(Error.stackTraceLimit).toBe(5)
  })
})
