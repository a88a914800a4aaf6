// JWS compact serialization (RFC 7515 §7.1), parsed once for the JWT verifier and for token-shape
// detection.

import { deepFreeze } from './freeze.js'

/** A JOSE header is a few hundred characters; a huge first segment is not worth decoding. */
export const MAX_HEADER_SEGMENT = 4096

/**
 * Deepest nesting of objects and arrays accepted in a JOSE header or JWT payload (the claims
 * object itself is level 1). Real claims nest a few levels (`ext`, `act`, `cnf`); thousands of
 * levels would make `JSON.stringify`, `structuredClone` or any recursive walk in the app throw a
 * RangeError. The size is bounded by the token length (16 KiB).
 */
export const MAX_JSON_DEPTH = 32

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

/** Value of each base64url character (RFC 4648 §5); -1 for anything else. */
const B64URL_VALUE = new Int8Array(128).fill(-1)
for (let i = 0; i < 64; i++) {
  B64URL_VALUE['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.charCodeAt(i)] = i
}

/**
 * Whether `token.slice(start, end)` is canonical base64url without padding (RFC 7515 §2, RFC 4648
 * §3.5): a length that is not 4n + 1 and, in a final group of 2 or 3 characters, unused low bits of
 * the last character that are zero. Otherwise up to 16 different strings decode to the same bytes,
 * and one signed token could be presented (and cached) under many spellings. The alphabet itself
 * is checked by the caller.
 */
export function isCanonicalBase64url(token: string, start: number, end: number): boolean {
  const rest = (end - start) % 4
  if (rest === 0) return true
  if (rest === 1) return false
  const value = B64URL_VALUE[token.charCodeAt(end - 1)] ?? -1
  if (value < 0) return false
  // 2 characters carry 8 bits (4 unused), 3 carry 16 bits (2 unused).
  return (value & (rest === 2 ? 0x0f : 0x03)) === 0
}

/**
 * Splits a compact JWS and decodes its header, or `undefined` when the token is not one: three
 * canonical base64url segments (no padding, no other characters, zero unused bits; only the
 * signature may be empty), a header of at most {@link MAX_HEADER_SEGMENT} characters that is a
 * UTF-8 JSON object. Never throws.
 */
export function parseCompactJws(token: string): CompactJws | undefined {
  const headerEnd = token.indexOf('.')
  if (headerEnd <= 0 || headerEnd > MAX_HEADER_SEGMENT) return undefined
  const payloadEnd = token.indexOf('.', headerEnd + 1)
  if (payloadEnd < 0 || !COMPACT_JWS.test(token)) return undefined
  if (
    !isCanonicalBase64url(token, 0, headerEnd) ||
    !isCanonicalBase64url(token, headerEnd + 1, payloadEnd) ||
    !isCanonicalBase64url(token, payloadEnd + 1, token.length)
  ) {
    return undefined
  }
  const header = decodeHeader(token.slice(0, headerEnd))
  return header === undefined ? undefined : { header, headerEnd, payloadEnd }
}

// Every token an issuer signs with one key carries the same header segment (`alg`, `kid`, `typ`), so
// decoded headers are remembered by their exact base64url text: the same text always decodes to the
// same object, shared frozen. Only short segments that decoded are kept, at most HEADER_MEMO_MAX of
// them; when full the memo starts over, so a stream of made-up headers costs what it cost without it.
const HEADER_MEMO_MAX = 64
const HEADER_MEMO_SEGMENT = 512
const headerMemo = new Map<string, Record<string, unknown>>()

function decodeHeader(segment: string): Record<string, unknown> | undefined {
  if (segment.length > HEADER_MEMO_SEGMENT) return decodeJsonObject(segment)
  const known = headerMemo.get(segment)
  if (known !== undefined) return known
  const header = decodeJsonObject(segment)
  if (header === undefined) return undefined
  if (headerMemo.size >= HEADER_MEMO_MAX) headerMemo.clear()
  headerMemo.set(segment, deepFreeze(header))
  return header
}

/** Decodes the payload of a parsed JWS as a JSON object; `undefined` for anything else. */
export function decodeCompactPayload(token: string, jws: CompactJws): Record<string, unknown> | undefined {
  return decodeJsonObject(token.slice(jws.headerEnd + 1, jws.payloadEnd))
}

/**
 * Decodes a base64url segment holding a UTF-8 JSON object nested at most {@link MAX_JSON_DEPTH}
 * levels; `undefined` for anything else.
 */
function decodeJsonObject(segment: string): Record<string, unknown> | undefined {
  let value: unknown
  try {
    const text = UTF8.decode(Buffer.from(segment, 'base64url'))
    if (openingBrackets(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH && jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
      return undefined
    }
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined
}

/**
 * How many `{` and `[` the text holds, counting stops past `max`. Text with no more than `max`
 * of them cannot nest deeper than `max`, whatever is inside its strings: the exact scan below is
 * only needed for the rest. Two native searches per bracket instead of a loop over every character.
 */
function openingBrackets(text: string, max: number): number {
  let n = 0
  for (let i = text.indexOf('{'); i !== -1 && n <= max; i = text.indexOf('{', i + 1)) n++
  for (let i = text.indexOf('['); i !== -1 && n <= max; i = text.indexOf('[', i + 1)) n++
  return n
}

/**
 * Whether the JSON text `text` nests objects and arrays deeper than `max`: one pass over the
 * characters (brackets inside strings do not count), before anything is built. For text that is
 * not JSON the answer does not matter: parsing it fails anyway.
 */
export function jsonDepthExceeds(text: string, max: number): boolean {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c)
        i++ // backslash: skip the escaped character
      else if (c === 0x22) inString = false
    } else if (c === 0x22) {
      inString = true
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true
    } else if (c === 0x7d || c === 0x5d) {
      depth--
    }
  }
  return false
}
