/**
 * The asymmetric JWS algorithms a {@link JwtVerifier} can accept
 * (RFC 7518 §3, RFC 8037, RFC 9864). Symmetric (`HS*`) and `none` are deliberately absent: with a
 * public JWKS they are never safe.
 */
export type JwtAlgorithm =
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'EdDSA'
  | 'Ed25519'

/** What a JWK must look like to verify signatures of one algorithm. */
export interface AlgorithmKeyType {
  /** Required `kty`. */
  readonly kty: 'RSA' | 'EC' | 'OKP'
  /** Required `crv` (EC and OKP keys only). */
  readonly crv: string | undefined
}

const RSA: AlgorithmKeyType = { kty: 'RSA', crv: undefined }

/** Key type per supported algorithm. */
export const ALGORITHM_KEY_TYPES: Readonly<Record<JwtAlgorithm, AlgorithmKeyType>> = {
  RS256: RSA,
  RS384: RSA,
  RS512: RSA,
  PS256: RSA,
  PS384: RSA,
  PS512: RSA,
  ES256: { kty: 'EC', crv: 'P-256' },
  ES384: { kty: 'EC', crv: 'P-384' },
  ES512: { kty: 'EC', crv: 'P-521' },
  EdDSA: { kty: 'OKP', crv: 'Ed25519' },
  Ed25519: { kty: 'OKP', crv: 'Ed25519' },
}

/** Every algorithm {@link JwtAlgorithm} names, in a stable order. */
export const SUPPORTED_JWT_ALGORITHMS: readonly JwtAlgorithm[] = Object.freeze(
  Object.keys(ALGORITHM_KEY_TYPES) as JwtAlgorithm[],
)

/** Default allowlist: what Hydra signs with out of the box (RS256) plus ES256. */
export const DEFAULT_JWT_ALGORITHMS: readonly JwtAlgorithm[] = Object.freeze(['RS256', 'ES256'])

/** True for a supported asymmetric algorithm name. */
export function isJwtAlgorithm(value: unknown): value is JwtAlgorithm {
  return typeof value === 'string' && Object.hasOwn(ALGORITHM_KEY_TYPES, value)
}
