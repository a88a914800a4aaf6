import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto'

/** `bytes` random bytes (default 32 = 256 bits), base64url without padding. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url')
}

/** A random RFC 4122 version 4 UUID, as Hydra uses for client ids, kids and `jti`s. */
export function uuid(): string {
  return randomUUID()
}

/** SHA-256 of a UTF-8 string, base64url. Used as the lookup key of stored secrets and tokens. */
export function sha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64url')
}

/** Hex SHA-256, for pairwise subject identifiers. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex')
}

/** Compares two secrets in constant time (hashes both first, so lengths never leak). */
export function secretsEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest()
  const hb = createHash('sha256').update(b, 'utf8').digest()
  return timingSafeEqual(ha, hb)
}
