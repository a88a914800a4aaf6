import { generateKeyPairSync } from 'node:crypto'
import { exportJWK, type JWK } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { compatibleAlgorithms, JwksKey, KeySet, readJwks } from '../../src/jwks/key-set.js'
import { makeKey, type TestKey } from './helpers.js'

let rsa: TestKey
let ec: TestKey
let ed: TestKey

beforeAll(async () => {
  rsa = await makeKey('RS256', 'rsa')
  ec = await makeKey('ES256', 'ec')
  ed = await makeKey('EdDSA', 'ed')
})

describe('readJwks', () => {
  it('refuses documents that are not a JWKS', () => {
    for (const doc of [null, 'x', [], {}, { keys: 'no' }, { keys: {} }]) {
      expect(readJwks(doc)).toMatchObject({ ok: false })
    }
  })

  it('refuses a JWKS with more keys than the limit', () => {
    const keys = Array.from({ length: 5 }, (_, i) => ({ ...rsa.jwk, kid: `k${i}` }))
    expect(readJwks({ keys }, { maxKeys: 4 })).toEqual({
      ok: false,
      problem: 'JWKS has 5 keys, more than the limit of 4',
    })
  })

  it('keeps usable RSA, EC and Ed25519 keys with public members only', async () => {
    const privateRsa: JWK = { ...(await exportJWK(rsa.privateKey)), kid: 'rsa-private' }
    const result = readJwks({ keys: [rsa.jwk, ec.jwk, ed.jwk, privateRsa] })
    if (!result.ok) throw new Error(result.problem)
    expect(result.keys.map((k) => k.kid)).toEqual(['rsa', 'ec', 'ed', 'rsa-private'])
    expect(Object.keys(result.keys[3]!.jwk).sort()).toEqual(['e', 'kty', 'n'])
    expect(result.keys[3]!.fingerprint).toBe(result.keys[0]!.fingerprint)
    expect(result.refusedKids).toEqual([])
  })

  it('refuses symmetric, encryption, non-verify, short and unsupported entries, reporting their kid', () => {
    const short = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' })
    const x25519 = generateKeyPairSync('x25519').publicKey.export({ format: 'jwk' })
    const keys: unknown[] = [
      { kty: 'oct', kid: 'oct', k: 'c2VjcmV0' },
      { ...rsa.jwk, kid: 'enc', use: 'enc' },
      { ...rsa.jwk, kid: 'ops', key_ops: ['encrypt'] },
      { ...rsa.jwk, kid: 'ops-bad', key_ops: 'verify' },
      { ...short, kid: 'short' },
      { ...x25519, kid: 'x25519' },
      { ...ec.jwk, kid: 'k1', crv: 'secp256k1' },
      { ...rsa.jwk, kid: 'no-n', n: undefined },
      { kty: 'AKP', kid: 'akp', alg: 'ML-DSA-44', pub: 'AAAA' },
      { ...rsa.jwk, kid: 'bad-alg', alg: 7 },
      { ...rsa.jwk, kid: 42 },
      'not an object',
      null,
    ]
    const result = readJwks({ keys })
    if (!result.ok) throw new Error(result.problem)
    expect(result.keys).toEqual([])
    expect(result.refusedKids).toEqual([
      'oct',
      'enc',
      'ops',
      'ops-bad',
      'short',
      'x25519',
      'k1',
      'no-n',
      'akp',
      'bad-alg',
    ])
  })

  it('keeps key_ops containing verify; with checkUsage off, reads private signing keys (admin API)', () => {
    const signOnly = { ...rsa.jwk, kid: 'priv', key_ops: ['sign'], use: 'sig' }
    expect(readJwks({ keys: [{ ...rsa.jwk, key_ops: ['verify'] }] })).toMatchObject({ ok: true, keys: [{}] })
    expect(readJwks({ keys: [signOnly] })).toMatchObject({ ok: true, keys: [], refusedKids: ['priv'] })
    expect(readJwks({ keys: [signOnly] }, { checkUsage: false })).toMatchObject({
      ok: true,
      keys: [{ kid: 'priv' }],
    })
  })
})

describe('compatibleAlgorithms', () => {
  it('matches kty/crv and honours the key’s own alg', () => {
    const all = ['RS256', 'RS384', 'PS256', 'ES256', 'ES384', 'EdDSA', 'Ed25519'] as const
    expect(compatibleAlgorithms({ kty: 'RSA', crv: undefined, alg: undefined }, all)).toEqual([
      'RS256',
      'RS384',
      'PS256',
    ])
    expect(compatibleAlgorithms({ kty: 'RSA', crv: undefined, alg: 'PS256' }, all)).toEqual(['PS256'])
    expect(compatibleAlgorithms({ kty: 'EC', crv: 'P-384', alg: undefined }, all)).toEqual(['ES384'])
    expect(compatibleAlgorithms({ kty: 'OKP', crv: 'Ed25519', alg: undefined }, all)).toEqual([
      'EdDSA',
      'Ed25519',
    ])
    expect(compatibleAlgorithms({ kty: 'RSA', crv: undefined, alg: 'HS256' }, all)).toEqual([])
  })
})

describe('JwksKey and KeySet', () => {
  it('indexes by kid and per algorithm (bounded) and detects removals', () => {
    const result = readJwks({
      keys: [rsa.jwk, { ...rsa.jwk, kid: 'rsa-2' }, ec.jwk, { ...ec.jwk, kid: undefined }],
    })
    if (!result.ok) throw new Error(result.problem)
    const keys = result.keys.map((d) => new JwksKey(d, compatibleAlgorithms(d, ['RS256', 'ES256'])))
    const set = new KeySet(keys, ['gone'], ['RS256', 'ES256'], 1)
    expect([...set.byKid.keys()]).toEqual(['rsa', 'rsa-2', 'ec'])
    expect(set.byAlgorithm.get('RS256')?.map((k) => k.kid)).toEqual(['rsa'])
    expect(set.byAlgorithm.get('ES256')?.map((k) => k.kid)).toEqual(['ec'])
    expect(set.refusedKids.has('gone')).toBe(true)
    const smaller = new KeySet(keys.slice(0, 2), [], ['RS256'], 3)
    expect(smaller.isSubsetOf(set)).toBe(true)
    expect(set.isSubsetOf(smaller)).toBe(false)
  })
})
