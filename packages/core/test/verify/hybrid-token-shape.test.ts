import { describe, expect, it } from 'vitest'
import { detectTokenShape, isJwtShaped } from '../../src/verify/token-shape.js'

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')
const sig = Buffer.from('signature-bytes').toString('base64url')
// {"alg":"ES256","x":"<0xff>"}
const badUtf8Header = Buffer.concat([
  Buffer.from('{"alg":"ES256","x":"'),
  Buffer.from([0xff]),
  Buffer.from('"}'),
]).toString('base64url')

describe('detectTokenShape (hybrid routing)', () => {
  it.each<[string, string, 'jwt' | 'opaque']>([
    ['a JWS compact JWT', `${b64({ alg: 'ES256', typ: 'JWT' })}.${b64({ sub: 'u' })}.${sig}`, 'jwt'],
    ['an unsecured alg none JWT (empty signature)', `${b64({ alg: 'none' })}.${b64({ sub: 'u' })}.`, 'jwt'],
    ['a Hydra opaque access token', 'ory_at_abcDEF123_-.xyz789', 'opaque'],
    ['a Hydra opaque refresh token', 'ory_rt_abcDEF123_-.xyz789', 'opaque'],
    ['a random string', 'not-a-jwt', 'opaque'],
    ['a JWE (five segments)', `${b64({ alg: 'RSA-OAEP', enc: 'A256GCM' })}.a.b.c.d`, 'opaque'],
    ['three segments whose header is not JSON', `bm90LWpzb24.${b64({})}.${sig}`, 'opaque'],
    ['a header that is a JSON array', `${b64(['alg'])}.${b64({})}.${sig}`, 'opaque'],
    ['a header without alg', `${b64({ typ: 'JWT' })}.${b64({})}.${sig}`, 'opaque'],
    ['a header whose alg is not a string', `${b64({ alg: 256 })}.${b64({})}.${sig}`, 'jwt'],
    ['a header with bytes after the object', `${b64({ alg: 'ES256' })}AA.${b64({})}.${sig}`, 'jwt'],
    ['a header that is JSON null', `${b64(null)}.${b64({})}.${sig}`, 'opaque'],
    // JWT-looking but badly encoded: routed to the JWT verifier, which refuses them locally.
    ['base64 padding (not base64url)', `${b64({ alg: 'ES256' })}=.${b64({})}.${sig}`, 'jwt'],
    ['standard base64 characters', `${b64({ alg: 'ES256' })}.${b64({})}+/.${sig}`, 'jwt'],
    ['a header segment of length 4n + 1', `${b64({ alg: 'ES256' })}A.${b64({})}.${sig}`, 'jwt'],
    ['a header with invalid UTF-8', `${badUtf8Header}.${b64({})}.${sig}`, 'jwt'],
    ['other characters in a segment', `${b64({ alg: 'ES256' })}.${b64({})}.${sig}!`, 'opaque'],
    ['an empty payload segment', `${b64({ alg: 'ES256' })}..${sig}`, 'opaque'],
    ['a huge header segment', `${b64({ alg: 'ES256', pad: 'x'.repeat(5000) })}.${b64({})}.${sig}`, 'opaque'],
    ['an empty string', '', 'opaque'],
  ])('%s → %s', (_name, token, shape) => {
    expect(detectTokenShape(token)).toBe(shape)
    expect(isJwtShaped(token)).toBe(shape === 'jwt')
  })

  it('never throws on non-string input', () => {
    expect(detectTokenShape(42 as unknown as string)).toBe('opaque')
    expect(isJwtShaped(undefined as unknown as string)).toBe(false)
  })
})
