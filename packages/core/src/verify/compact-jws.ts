// JWS compact serialization (RFC 7515 §7.1), parsed once for the JWT verifier and for token-shape
// detection.

/** A JOSE header is a few hundred characters; a huge first segment is not worth decoding. */
export const MAX_HEADER_SEGMENT = 4096

// Three base64url segments (no padding, §2). The signature may be empty so that an unsecured
// (`alg: none`) token is refused for its algorithm, not as malformed.
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/
// Header and payload must be UTF-8 (RFC 7515 §5.2): invalid sequences make the token malformed.
const UTF8 = new TextDecoder('utf-8', { fatal: true })

/** A compact JWS split at its dots, with its decoded JOSE header. */
export interface CompactJws {
  header: Record<string, unknown>
  /** Index of the first `.`. */
  headerEnd: number
  /** Index of the second `.`: the signing input is `token.slice(0, payloadEnd)`. */
  payloadEnd: number
}

/**
 * Splits a compact JWS and decodes its header, or `undefined` when the token is not one: three
 * base64url segments (no padding, no other characters; only the signature may be empty), a header
 * of at most {@link MAX_HEADER_SEGMENT} characters that is a UTF-8 JSON object. Never throws.
 */
export function parseCompactJws(token: string): CompactJws | undefined {
  const headerEnd = token.indexOf('.')
  if (headerEnd <= 0 || headerEnd > MAX_HEADER_SEGMENT) return undefined
  const payloadEnd = token.indexOf('.', headerEnd + 1)
  if (payloadEnd < 0 || !COMPACT_JWS.test(token)) return undefined
  // A base64url segment of length 4n + 1 cannot be decoded (RFC 4648 §5).
  if (
    headerEnd % 4 === 1 ||
    (payloadEnd - headerEnd - 1) % 4 === 1 ||
    (token.length - payloadEnd - 1) % 4 === 1
  ) {
    return undefined
  }
  const header = decodeJsonObject(token.slice(0, headerEnd))
  return header === undefined ? undefined : { header, headerEnd, payloadEnd }
}

/** Decodes the payload of a parsed JWS as a JSON object; `undefined` for anything else. */
export function decodeCompactPayload(token: string, jws: CompactJws): Record<string, unknown> | undefined {
  return decodeJsonObject(token.slice(jws.headerEnd + 1, jws.payloadEnd))
}

/** Decodes a base64url segment holding a UTF-8 JSON object; `undefined` for anything else. */
function decodeJsonObject(segment: string): Record<string, unknown> | undefined {
  let value: unknown
  try {
    value = JSON.parse(UTF8.decode(Buffer.from(segment, 'base64url')))
  } catch {
    return undefined
  }
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined
}
