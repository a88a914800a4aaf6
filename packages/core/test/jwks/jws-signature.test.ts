import { constants, generateKeyPairSync, sign, type KeyObject } from 'node:crypto'
import { CompactSign, generateKeyPair, exportJWK, type JWK } from 'jose'
import { describe, expect, it } from 'vitest'
import type { JwtAlgorithm } from '../../src/jwks/algorithms.js'
import { createSignatureCheck, importPublicJwk } from '../../src/jwks/jws-signature.js'
import { JwksKey, readJwks } from '../../src/jwks/key-set.js'

const ALGS: JwtAlgorithm[] = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
]

/** Signs `payload` with jose and returns the signing input and the decoded signature. */
async function joseSigned(alg: JwtAlgorithm): Promise<{ key: KeyObject; input: Buffer; signature: Buffer }> {
  const pair = await generateKeyPair(alg, { extractable: true })
  const jws = await new CompactSign(new TextEncoder().encode('{"sub":"s"}'))
    .setProtectedHeader({ alg })
    .sign(pair.privateKey)
  const last = jws.lastIndexOf('.')
  const key = importPublicJwk(await exportJWK(pair.publicKey))
  if (key === undefined) throw new Error('import failed')
  return {
    key,
    input: Buffer.from(jws.slice(0, last)),
    signature: Buffer.from(jws.slice(last + 1), 'base64url'),
  }
}

function publicJwk(key: KeyObject): JWK {
  return key.export({ format: 'jwk' })
}

describe('createSignatureCheck: signatures made by jose verify with node:crypto', () => {
  it.each(ALGS)('%s: a jose signature verifies; a changed input or signature does not', async (alg) => {
    const { key, input, signature } = await joseSigned(alg)
    const check = createSignatureCheck(alg, key)
    expect(check).toBeDefined()
    expect(check!(input, signature)).toBe(true)
    const otherInput = Buffer.from(input)
    otherInput.writeUInt8(otherInput.readUInt8(otherInput.length - 1) ^ 1, otherInput.length - 1)
    expect(check!(otherInput, signature)).toBe(false)
    const otherSignature = Buffer.from(signature)
    otherSignature.writeUInt8(otherSignature.readUInt8(0) ^ 1, 0)
    expect(check!(input, otherSignature)).toBe(false)
    expect(check!(input, Buffer.alloc(0))).toBe(false)
    expect(check!(input, Buffer.concat([signature, Buffer.from([0])]))).toBe(false)
  })
})

describe('createSignatureCheck: formats and parameters are exact', () => {
  it('ES256 takes only IEEE P1363 (r || s, 64 bytes), not DER', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const input = Buffer.from('header.payload')
    const p1363 = sign('sha256', input, { key: privateKey, dsaEncoding: 'ieee-p1363' })
    const der = sign('sha256', input, { key: privateKey, dsaEncoding: 'der' })
    const check = createSignatureCheck('ES256', publicKey)!
    expect(p1363.length).toBe(64)
    expect(check(input, p1363)).toBe(true)
    expect(check(input, der)).toBe(false)
    expect(check(input, p1363.subarray(0, 63))).toBe(false)
  })

  it('ES512 signatures are 132 bytes (P-521)', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-521' })
    const input = Buffer.from('h.p')
    const p1363 = sign('sha512', input, { key: privateKey, dsaEncoding: 'ieee-p1363' })
    expect(p1363.length).toBe(132)
    expect(createSignatureCheck('ES512', publicKey)!(input, p1363)).toBe(true)
  })

  it('PS256 needs RSASSA-PSS with a salt as long as the digest; other salts and PKCS#1 v1.5 fail', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const input = Buffer.from('header.payload')
    const pss = (saltLength: number): Buffer =>
      sign('sha256', input, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength })
    const check = createSignatureCheck('PS256', publicKey)!
    expect(check(input, pss(32))).toBe(true)
    expect(check(input, pss(0))).toBe(false)
    expect(check(input, pss(64))).toBe(false)
    expect(check(input, sign('sha256', input, privateKey))).toBe(false)
    // And the other way round: RS256 refuses a PSS signature.
    expect(createSignatureCheck('RS256', publicKey)!(input, pss(32))).toBe(false)
  })

  it('RS256 refuses a signature made with another digest', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const input = Buffer.from('header.payload')
    expect(createSignatureCheck('RS256', publicKey)!(input, sign('sha384', input, privateKey))).toBe(false)
    expect(createSignatureCheck('RS384', publicKey)!(input, sign('sha384', input, privateKey))).toBe(true)
  })
})

describe('createSignatureCheck: a key only verifies what it fits', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey
  const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey
  const ed = generateKeyPairSync('ed25519').publicKey

  it.each<[string, KeyObject, JwtAlgorithm]>([
    ['an RSA key for ES256', rsa, 'ES256'],
    ['an RSA key for EdDSA', rsa, 'EdDSA'],
    ['a P-256 key for RS256', p256, 'RS256'],
    ['a P-256 key for ES384 (curve mismatch)', p256, 'ES384'],
    ['an Ed25519 key for ES256', ed, 'ES256'],
    ['an Ed25519 key for PS256', ed, 'PS256'],
  ])('%s gives no check', (_name, key, alg) => {
    expect(createSignatureCheck(alg, key)).toBeUndefined()
  })

  it('an RSA key under 2048 bits gives no check', () => {
    const short = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey
    expect(createSignatureCheck('RS256', short)).toBeUndefined()
    expect(createSignatureCheck('PS256', short)).toBeUndefined()
  })
})

describe('importPublicJwk', () => {
  it('imports RSA, EC and OKP public JWKs', () => {
    for (const key of [
      generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey,
      generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey,
      generateKeyPairSync('ed25519').publicKey,
    ]) {
      expect(importPublicJwk(publicJwk(key))?.asymmetricKeyType).toBe(key.asymmetricKeyType)
    }
  })

  it('refuses material node:crypto rejects (an EC point off the curve), never throwing', () => {
    expect(importPublicJwk({ kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA' })).toBeUndefined()
    expect(importPublicJwk({ kty: 'oct', k: 'c2VjcmV0' })).toBeUndefined()
    // An empty modulus may import, but such a key never gets a signature check.
    const empty = importPublicJwk({ kty: 'RSA', n: '', e: 'AQAB' })
    expect(empty === undefined || createSignatureCheck('RS256', empty) === undefined).toBe(true)
  })
})

describe('JwksKey.signatureCheck', () => {
  it('builds one check per allowed algorithm and reuses it; none outside the allowlist', () => {
    const jwk = { ...publicJwk(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey), kid: 'r' }
    const read = readJwks({ keys: [jwk] })
    if (!read.ok) throw new Error(read.problem)
    const key = new JwksKey(read.keys[0]!, ['RS256', 'PS256'])
    const check = key.signatureCheck('RS256')
    expect(check).toBeTypeOf('function')
    expect(key.signatureCheck('RS256')).toBe(check)
    expect(key.signatureCheck('PS256')).toBeTypeOf('function')
    expect(key.signatureCheck('RS512')).toBeUndefined()
  })

  it('material node:crypto refuses gives no check, never a throw', () => {
    const broken = new JwksKey(
      {
        kid: 'broken',
        kty: 'EC',
        crv: 'P-256',
        alg: undefined,
        jwk: { kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA' },
        fingerprint: 'x',
      },
      ['ES256'],
    )
    expect(broken.signatureCheck('ES256')).toBeUndefined()
  })
})
