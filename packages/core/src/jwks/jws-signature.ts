import {
  constants,
  createPublicKey,
  verify,
  type JsonWebKey,
  type KeyObject,
  type VerifyKeyObjectInput,
} from 'node:crypto'
import type { JwtAlgorithm } from './algorithms.js'

/**
 * Checks one JWS signature (RFC 7515 §5.2) over the ASCII bytes of `header.payload`. `true` only
 * when the signature verifies; a malformed signature or a library error is `false`, never a throw.
 */
export type SignatureCheck = (signingInput: Uint8Array, signature: Uint8Array) => boolean

/** Smallest RSA modulus used, in bits (RFC 7518 §3.3). */
const MIN_RSA_BITS = 2048

/** node:crypto digest per algorithm; `null` for EdDSA (the digest is part of the scheme). */
const DIGEST: Readonly<Record<JwtAlgorithm, string | null>> = {
  RS256: 'sha256',
  RS384: 'sha384',
  RS512: 'sha512',
  PS256: 'sha256',
  PS384: 'sha384',
  PS512: 'sha512',
  ES256: 'sha256',
  ES384: 'sha384',
  ES512: 'sha512',
  EdDSA: null,
  Ed25519: null,
}

/** OpenSSL curve names of the JOSE curves, as `KeyObject.asymmetricKeyDetails.namedCurve` reports them. */
const EC_CURVE: Readonly<Record<string, string>> = {
  ES256: 'prime256v1',
  ES384: 'secp384r1',
  ES512: 'secp521r1',
}

/** Length of an ECDSA signature in the JWS (IEEE P1363, `r || s`) format, in bytes. */
const EC_SIGNATURE_BYTES: Readonly<Record<string, number>> = { ES256: 64, ES384: 96, ES512: 132 }

const ED25519_SIGNATURE_BYTES = 64

/**
 * Imports the public members of a JWK as a node:crypto `KeyObject`, or `undefined` when node:crypto
 * refuses the material (e.g. an EC point that is not on its curve).
 */
export function importPublicJwk(jwk: JsonWebKey): KeyObject | undefined {
  try {
    const key = createPublicKey({ key: jwk, format: 'jwk' })
    return key.type === 'public' ? key : undefined
  } catch {
    return undefined
  }
}

/**
 * Builds the {@link SignatureCheck} for `alg` with `key`, or `undefined` when the key cannot verify
 * that algorithm (wrong type or curve, RSA modulus under 2048 bits). Everything that does not depend
 * on the token — digest, padding, signature format — is fixed here, so a check allocates nothing
 * but the result of `crypto.verify`:
 * - `RS*`: RSASSA-PKCS1-v1_5 (RFC 7518 §3.3);
 * - `PS*`: RSASSA-PSS with MGF1 on the same digest and a salt as long as the digest (RFC 7518 §3.5);
 * - `ES*`: ECDSA with the signature as IEEE P1363 `r || s` of exactly the curve's length (§3.4);
 * - `EdDSA` / `Ed25519`: Ed25519 (RFC 8037, RFC 9864).
 */
export function createSignatureCheck(alg: JwtAlgorithm, key: KeyObject): SignatureCheck | undefined {
  const digest = DIGEST[alg]
  const type = key.asymmetricKeyType
  switch (alg) {
    case 'RS256':
    case 'RS384':
    case 'RS512':
    case 'PS256':
    case 'PS384':
    case 'PS512': {
      if (type !== 'rsa') return undefined
      const bits = key.asymmetricKeyDetails?.modulusLength
      if (bits === undefined || bits < MIN_RSA_BITS) return undefined
      const input: KeyObject | VerifyKeyObjectInput = alg.startsWith('PS')
        ? {
            key,
            padding: constants.RSA_PKCS1_PSS_PADDING,
            saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
          }
        : key
      const bytes = Math.ceil(bits / 8)
      return (data, signature) => signature.length === bytes && safeVerify(digest, data, input, signature)
    }
    case 'ES256':
    case 'ES384':
    case 'ES512': {
      if (type !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== EC_CURVE[alg]) return undefined
      const input: VerifyKeyObjectInput = { key, dsaEncoding: 'ieee-p1363' }
      const bytes = EC_SIGNATURE_BYTES[alg]
      return (data, signature) => signature.length === bytes && safeVerify(digest, data, input, signature)
    }
    case 'EdDSA':
    case 'Ed25519': {
      if (type !== 'ed25519') return undefined
      return (data, signature) =>
        signature.length === ED25519_SIGNATURE_BYTES && safeVerify(null, data, key, signature)
    }
    default:
      return undefined
  }
}

function safeVerify(
  digest: string | null,
  data: Uint8Array,
  key: KeyObject | VerifyKeyObjectInput,
  signature: Uint8Array,
): boolean {
  try {
    return verify(digest, data, key, signature)
  } catch {
    return false
  }
}
