// The JWT verifier checks signatures with node:crypto and claims with its own code. jose's
// jwtVerify stays the reference: for a corpus of valid and subtly broken tokens, signed with every
// key type, the verifier must accept exactly what jose accepts and refuse the rest for the reason
// jose's error maps to.
import { KeyObject, sign } from 'node:crypto'
import { createLocalJWKSet, jwtVerify, type JWK } from 'jose'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { InvalidTokenError } from '../../src/errors/errors.js'
import { createJwtVerifier, type JwtVerifier, type JwtVerifierOptions } from '../../src/verify/jwt.js'
import {
  b64json,
  makeKey,
  rejectionOf,
  startJwksServer,
  type JwksServer,
  type TestKey,
} from '../jwks/helpers.js'

type Alg = 'RS256' | 'PS256' | 'ES256' | 'ES384' | 'EdDSA'
const ALGS: Alg[] = ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA']

let server: JwksServer
const keys = new Map<Alg, TestKey>()
let impostor: TestKey
const verifiers: JwtVerifier[] = []

beforeAll(async () => {
  for (const alg of ALGS) keys.set(alg, await makeKey(alg, `k-${alg}`))
  // Same kid as the RS256 key, other material.
  impostor = await makeKey('RS256', 'k-RS256')
  server = await startJwksServer([...keys.values()].map((k) => k.jwk))
})

afterEach(async () => {
  await Promise.all(verifiers.splice(0).map((v) => v.close()))
})

afterAll(async () => {
  await server.close()
})

/** Signs arbitrary payload bytes (not only JSON objects) under `header` with `key`. */
function rawToken(key: TestKey, payload: string | Buffer, header: Record<string, unknown> = {}): string {
  const h = b64json({ alg: key.alg, kid: key.kid, typ: 'JWT', ...header })
  const p = Buffer.from(payload).toString('base64url')
  const input = Buffer.from(`${h}.${p}`)
  const privateKey = KeyObject.from(key.privateKey)
  let signature: Buffer
  switch (key.alg) {
    case 'RS256':
      signature = sign('sha256', input, privateKey)
      break
    case 'PS256':
      signature = sign('sha256', input, { key: privateKey, padding: 6, saltLength: 32 })
      break
    case 'ES256':
      signature = sign('sha256', input, { key: privateKey, dsaEncoding: 'ieee-p1363' })
      break
    case 'ES384':
      signature = sign('sha384', input, { key: privateKey, dsaEncoding: 'ieee-p1363' })
      break
    default:
      signature = sign(null, input, privateKey)
  }
  return `${h}.${p}.${signature.toString('base64url')}`
}

type JoseError = { code?: string; claim?: string; reason?: string }

/** The rejection reason a jose error stands for (the verifier's documented mapping). */
function reasonForJose(err: JoseError): string {
  switch (err.code) {
    case 'ERR_JWT_EXPIRED':
      return err.claim === 'iat' ? 'too_old' : 'expired'
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (err.reason === 'invalid') return 'malformed'
      switch (err.claim) {
        case 'iss':
          return 'issuer'
        case 'aud':
          return 'audience'
        case 'nbf':
          return 'not_yet_valid'
        case 'iat':
          return err.reason === 'missing' ? 'too_old' : 'not_yet_valid'
        default:
          return err.reason === 'missing' ? 'required_claim' : 'malformed'
      }
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'signature'
    default:
      return 'malformed'
  }
}

interface Config {
  name: string
  options: Partial<JwtVerifierOptions>
}

const CONFIGS: Config[] = [
  { name: 'audience, default tolerance', options: { audience: ['api', 'api2'] } },
  {
    name: 'maxTokenAge, requiredClaims, trailing-slash tolerance, no audience',
    options: {
      maxTokenAge: 600,
      requiredClaims: ['sub'],
      tolerateIssuerTrailingSlash: true,
      clockTolerance: 0,
    },
  },
]

/** What jose says about `token` under the same settings: `'ok'` or the mapped reason. */
async function joseOutcome(token: string, options: Partial<JwtVerifierOptions>): Promise<string> {
  const issuer = server.issuer
  const jwks = createLocalJWKSet({ keys: [...keys.values()].map((k): JWK => k.jwk) })
  try {
    await jwtVerify(token, jwks, {
      issuer: options.tolerateIssuerTrailingSlash === true ? [issuer, `${issuer}/`] : issuer,
      audience: options.audience as string[] | undefined,
      algorithms: ALGS,
      clockTolerance: options.clockTolerance ?? 5,
      maxTokenAge: options.maxTokenAge,
      requiredClaims: ['exp', ...(options.requiredClaims ?? [])],
    })
    return 'ok'
  } catch (err) {
    return reasonForJose(err as JoseError)
  }
}

async function ourOutcome(v: JwtVerifier, token: string): Promise<string> {
  try {
    await v.verify(token)
    return 'ok'
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidTokenError)
    return (err as InvalidTokenError).reason
  }
}

/**
 * Where hydrakit is deliberately stricter than jose: the case name and the reason hydrakit always
 * gives, where jose accepts the token (or, with maxTokenAge, refuses it for another reason). Rows
 * not listed here must get exactly jose's verdict.
 */
const STRICTER: Record<string, string> = {
  // jose checks a future `iat` only with maxTokenAge; hydrakit always does.
  'iat in a minute': 'not_yet_valid',
  // NumericDate values must be finite and within years 1970–9999.
  'exp far future (year 33658)': 'malformed',
  'exp 1e309 (Infinity)': 'malformed',
  'nbf negative': 'malformed',
  'iat negative': 'malformed',
}

/** Claim sets around every boundary jose checks. `now` is taken per case. */
function claimCases(now: number): [string, Record<string, unknown> | string | Buffer][] {
  const iss = server.issuer
  const base = { iss, sub: 'u', aud: 'api', iat: now - 10, nbf: now - 10, exp: now + 600 }
  return [
    ['valid', base],
    ['aud array with one accepted', { ...base, aud: ['x', 'api2'] }],
    ['aud none accepted', { ...base, aud: ['x'] }],
    ['aud missing', { ...base, aud: undefined }],
    ['aud a number', { ...base, aud: 5 }],
    ['iss other', { ...base, iss: 'https://evil.example' }],
    ['iss with a trailing slash', { ...base, iss: `${iss}/` }],
    ['iss missing', { ...base, iss: undefined }],
    ['iss a number', { ...base, iss: 1 }],
    ['exp long past', { ...base, exp: now - 100 }],
    ['exp 3 s past', { ...base, exp: now - 3 }],
    ['exp missing', { ...base, exp: undefined }],
    ['exp a string', { ...base, exp: String(now + 600) }],
    ['exp far future (year 33658)', { ...base, exp: 1e12 }],
    ['exp in year 9999', { ...base, exp: 253_402_300_799 }],
    ['exp 1e309 (Infinity)', rawClaims(base, 'exp', '1e309')],
    ['exp with a fraction', { ...base, exp: now + 600.5 }],
    ['nbf negative', { ...base, nbf: -1 }],
    ['iat negative', { ...base, iat: -1 }],
    ['nbf in a minute', { ...base, nbf: now + 60 }],
    ['nbf in 3 s', { ...base, nbf: now + 3 }],
    ['nbf a string', { ...base, nbf: 'soon' }],
    ['iat in a minute', { ...base, iat: now + 60 }],
    ['iat long ago', { ...base, iat: now - 1000 }],
    ['iat missing', { ...base, iat: undefined }],
    ['iat a string', { ...base, iat: 'then' }],
    ['sub missing', { ...base, sub: undefined }],
    ['payload an array', '[1,2]'],
    ['payload null', 'null'],
    ['payload a number', '42'],
    ['payload not JSON', 'not json'],
    ['payload invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])],
    [
      'payload with duplicate keys (last wins)',
      `{"iss":"x","iss":${JSON.stringify(iss)},"exp":${now + 600},"aud":"api","sub":"u","iat":${now}}`,
    ],
  ]
}

/** `base` as JSON text with `claim` set to a raw JSON literal (one JSON.stringify cannot write). */
function rawClaims(base: Record<string, unknown>, claim: string, literal: string): string {
  const rest = JSON.stringify({ ...base, [claim]: undefined })
  return `{${JSON.stringify(claim)}:${literal},${rest.slice(1)}`
}

function payloadOf(claims: Record<string, unknown> | string | Buffer): string | Buffer {
  if (typeof claims === 'string' || Buffer.isBuffer(claims)) return claims
  const copy: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(claims)) if (v !== undefined) copy[k] = v
  return JSON.stringify(copy)
}

describe.each(CONFIGS)('node:crypto verification agrees with jose jwtVerify ($name)', ({ options }) => {
  it.each(ALGS)('%s: every claim case gets jose’s verdict', async (alg) => {
    const v = createJwtVerifier({
      issuer: server.issuer,
      audience: false,
      algorithms: ALGS,
      resultCache: false,
      ...options,
    })
    verifiers.push(v)
    const key = keys.get(alg)!
    const now = Math.floor(Date.now() / 1000)
    const verdicts: string[] = []
    const stricter: string[] = []
    for (const [name, claims] of claimCases(now)) {
      const token = rawToken(key, payloadOf(claims))
      const jose = await joseOutcome(token, options)
      const expected = STRICTER[name] ?? jose
      if (STRICTER[name] !== undefined) stricter.push(`${name}: ${jose}`)
      const actual = await ourOutcome(v, token)
      verdicts.push(`${name}: ${actual}`)
      expect(`${name}: ${actual}`).toBe(`${name}: ${expected}`)
    }
    // The rows marked stricter really are: jose accepts most of them.
    expect(stricter.filter((x) => x.endsWith(': ok')).length).toBeGreaterThanOrEqual(3)
    // The corpus really exercises both sides.
    expect(verdicts.filter((x) => x.endsWith(': ok')).length).toBeGreaterThan(3)
    expect(verdicts.filter((x) => !x.endsWith(': ok')).length).toBeGreaterThan(10)
  })
})

describe('node:crypto verification: signatures', () => {
  it.each(ALGS)('%s: a changed payload, a foreign signature and a truncated signature fail', async (alg) => {
    const v = createJwtVerifier({ issuer: server.issuer, audience: false, algorithms: ALGS })
    verifiers.push(v)
    const key = keys.get(alg)!
    const now = Math.floor(Date.now() / 1000)
    const good = rawToken(key, JSON.stringify({ iss: server.issuer, exp: now + 600 }))
    const [h, , s] = good.split('.')
    const changed = `${h}.${b64json({ iss: server.issuer, exp: now + 601 })}.${s}`
    const other = await makeKey(alg, key.kid)
    const foreign = rawToken(other, JSON.stringify({ iss: server.issuer, exp: now + 600 }))
    for (const token of [changed, foreign]) {
      expect(await joseOutcome(token, {})).not.toBe('ok')
      expect(await ourOutcome(v, token)).toBe('signature')
    }
    // A truncated signature is usually not canonical base64url any more (stricter than jose).
    const truncated = good.slice(0, -4)
    expect(await joseOutcome(truncated, {})).not.toBe('ok')
    expect(await ourOutcome(v, truncated)).toMatch(/^(signature|malformed)$/)
    expect(await ourOutcome(v, good)).toBe('ok')
  })

  it('a token signed by an impostor key under a trusted kid is refused without refetching', async () => {
    const v = createJwtVerifier({ issuer: server.issuer, audience: false })
    verifiers.push(v)
    const now = Math.floor(Date.now() / 1000)
    await v.verify(rawToken(keys.get('RS256')!, JSON.stringify({ iss: server.issuer, exp: now + 60 })))
    const hits = server.jwksHits
    const err = await rejectionOf(
      v.verify(rawToken(impostor, JSON.stringify({ iss: server.issuer, exp: now + 60 }))),
    )
    expect(err).toMatchObject({ reason: 'signature', status: 401 })
    expect(server.jwksHits).toBe(hits)
  })

  it('is stricter than jose on encoding: padding, base64 (not base64url) characters, impossible lengths', async () => {
    const v = createJwtVerifier({ issuer: server.issuer, audience: false })
    verifiers.push(v)
    const now = Math.floor(Date.now() / 1000)
    const good = rawToken(keys.get('RS256')!, JSON.stringify({ iss: server.issuer, exp: now + 600 }))
    const [h, p, s] = good.split('.') as [string, string, string]
    for (const token of [
      `${h}.${p}.${s}==`,
      `${h}.${p}.${s.replace(/-/g, '+').replace(/_/g, '/')}+/`,
      `${h}=.${p}.${s}`,
      `${h}.${p}.${s}A`.length % 4 === 1 ? `${h}.${p}.${s}A` : `${h}.${p}.${s}AB`,
    ]) {
      expect(await ourOutcome(v, token)).toMatch(/^(malformed|signature)$/)
    }
  })

  it('RSA-PSS tokens must use a salt as long as the digest', async () => {
    const v = createJwtVerifier({ issuer: server.issuer, audience: false, algorithms: ['PS256'] })
    verifiers.push(v)
    const key = keys.get('PS256')!
    const now = Math.floor(Date.now() / 1000)
    const h = b64json({ alg: 'PS256', kid: key.kid, typ: 'JWT' })
    const p = b64json({ iss: server.issuer, exp: now + 600 })
    const input = Buffer.from(`${h}.${p}`)
    const withSalt = (saltLength: number): string =>
      `${h}.${p}.${sign('sha256', input, { key: KeyObject.from(key.privateKey), padding: 6, saltLength }).toString('base64url')}`
    expect(await ourOutcome(v, withSalt(32))).toBe('ok')
    expect(await ourOutcome(v, withSalt(0))).toBe('signature')
    expect(await ourOutcome(v, withSalt(222))).toBe('signature')
  })

  it('ES256 tokens carry IEEE P1363 signatures: a DER signature is refused', async () => {
    const v = createJwtVerifier({ issuer: server.issuer, audience: false })
    verifiers.push(v)
    const key = keys.get('ES256')!
    const now = Math.floor(Date.now() / 1000)
    const h = b64json({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
    const p = b64json({ iss: server.issuer, exp: now + 600 })
    const der = sign('sha256', Buffer.from(`${h}.${p}`), {
      key: KeyObject.from(key.privateKey),
      dsaEncoding: 'der',
    })
    expect(await ourOutcome(v, `${h}.${p}.${der.toString('base64url')}`)).toBe('signature')
  })
})

describe('node:crypto verification: algorithm and key binding', () => {
  it('a token whose alg does not fit its kid’s key is refused (key_not_allowed), whatever it is signed with', async () => {
    const v = createJwtVerifier({ issuer: server.issuer, audience: false, algorithms: ALGS })
    verifiers.push(v)
    const now = Math.floor(Date.now() / 1000)
    const rsa = keys.get('RS256')!
    // RS256-signed, but claims PS256 under the RS256 key's kid (the JWK pins alg RS256).
    const token = rawToken(rsa, JSON.stringify({ iss: server.issuer, exp: now + 600 }), { alg: 'PS256' })
    expect(await ourOutcome(v, token)).toBe('key_not_allowed')
  })
})
