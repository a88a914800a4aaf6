// Canonical base64url (RFC 7515 §2, RFC 4648 §3.5): one signed token has exactly one spelling. A
// segment whose last character carries non-zero unused bits decodes to the same bytes as the
// canonical one; such tokens are refused and never reach the result cache.
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

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

let server: JwksServer
let rsa: TestKey
let es: TestKey
const verifiers: JwtVerifier[] = []

function verifier(): JwtVerifier {
  const v = createJwtVerifier({
    issuer: server.issuer,
    audience: 'api',
    algorithms: ['RS256', 'ES256'],
    resultCache: { admission: 'always' },
  })
  verifiers.push(v)
  return v
}

/** Every spelling of `segment` that Node's lenient decoder reads as the same bytes. */
function spellings(segment: string): string[] {
  const unused = segment.length % 4 === 2 ? 4 : segment.length % 4 === 3 ? 2 : 0
  const value = ALPHABET.indexOf(segment.slice(-1))
  const out: string[] = []
  for (let low = 0; low < 1 << unused; low++) {
    out.push(segment.slice(0, -1) + ALPHABET.charAt((value & ~((1 << unused) - 1)) | low))
  }
  return out
}

async function malformed(promise: Promise<unknown>): Promise<void> {
  const err = await rejectionOf(promise)
  expect(err).toBeInstanceOf(InvalidTokenError)
  expect(err).toMatchObject({ reason: 'malformed', status: 401 })
}

beforeAll(async () => {
  rsa = await makeKey('RS256', 'rsa')
  es = await makeKey('ES256', 'es')
  server = await startJwksServer([rsa.jwk, es.jwk])
})

afterEach(async () => {
  await Promise.all(verifiers.splice(0).map((v) => v.close()))
})

afterAll(async () => {
  await server.close()
})

describe('non-canonical base64url', () => {
  it.each([
    ['RS256', () => rsa],
    ['ES256', () => es],
  ])('%s: the 15 other spellings of a valid signature are refused and cache nothing', async (_alg, key) => {
    const v = verifier()
    const token = await signToken(key(), { iss: server.issuer, aud: 'api' })
    const [h, p, s] = token.split('.') as [string, string, string]
    const variants = spellings(s)
    expect(variants).toHaveLength(16)
    // They really are the same bytes: a lenient decoder cannot tell them apart.
    expect(new Set(variants.map((x) => Buffer.from(x, 'base64url').toString('hex'))).size).toBe(1)
    await expect(v.verify(token)).resolves.toMatchObject({ source: 'jwt' })
    expect(v.resultCacheSize).toBe(1)
    for (const variant of variants.filter((x) => x !== s)) {
      await malformed(v.verify(`${h}.${p}.${variant}`))
      expect(v.verifyNow(token)).toBeDefined()
    }
    expect(v.resultCacheSize).toBe(1)
  })

  it('non-canonical header and payload segments are refused', async () => {
    const v = verifier()
    // Pick claims whose payload length leaves unused bits in the last character.
    let token = ''
    for (let pad = 0; pad < 4; pad++) {
      token = await signToken(rsa, { iss: server.issuer, aud: 'api', pad: 'x'.repeat(pad) })
      const [, p] = token.split('.') as [string, string, string]
      if (p.length % 4 !== 0) break
    }
    const [h, p, s] = token.split('.') as [string, string, string]
    await expect(v.verify(token)).resolves.toBeDefined()
    const headers = spellings(h).filter((x) => x !== h)
    const payloads = spellings(p).filter((x) => x !== p)
    expect(headers.length + payloads.length).toBeGreaterThan(0)
    for (const x of headers) await malformed(v.verify(`${x}.${p}.${s}`))
    for (const x of payloads) await malformed(v.verify(`${h}.${x}.${s}`))
    expect(v.resultCacheSize).toBe(1)
  })

  it('padding, non-alphabet characters and impossible lengths are refused in every segment', async () => {
    const v = verifier()
    const token = await signToken(rsa, { iss: server.issuer, aud: 'api' })
    const [h, p, s] = token.split('.') as [string, string, string]
    for (const bad of [
      `${h}=.${p}.${s}`,
      `${h}.${p}==.${s}`,
      `${h}.${p}.${s}==`,
      `${h}.${p}.${s.slice(0, -2)}+/`,
      `${h}.${p}.${s} `,
      // 342 + 3 = 4n + 1 characters: no byte string has this encoding.
      `${h}.${p}.${s}AAA`,
    ]) {
      await malformed(v.verify(bad))
    }
  })
})
