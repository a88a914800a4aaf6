// Internal: not exported from the package entry points. Use it wherever text that hydrakit does not
// control (an upstream reply, a header, a claim) becomes part of an error message or a log field.

/** Longest result of {@link sanitizeText} by default, in characters. */
export const DEFAULT_SANITIZED_LENGTH = 200

/** Appended by {@link sanitizeText} when it cut its input short. Printable ASCII, like the rest. */
export const TRUNCATION_MARK = '...[truncated]'

// Printable ASCII except the backslash, which is the escape character and is doubled.
const PLAIN = /^[\x20-\x5b\x5d-\x7e]*$/

/**
 * Makes text from outside (an upstream reply's `error` or `error_description`, a `Retry-After`
 * value, a header, a claim) safe to put into an error message or a log field: the result is
 * printable ASCII only and at most `maxLength` characters long, so it can neither forge log lines
 * (CR, LF, U+2028, U+2029), drive a terminal (ESC and other control characters), reorder what a
 * reader sees (bidi overrides such as U+202E) nor flood a log.
 *
 * - Printable ASCII (U+0020 to U+007E) is kept as is, except `\`, which becomes `\\`.
 * - Tab, LF and CR become `\t`, `\n`, `\r`; other characters below U+0100 become `\xHH`; everything
 *   else becomes `\uHHHH`, one escape per UTF-16 code unit (a lone surrogate included). The escapes
 *   are unambiguous, so the original can be read back from a log.
 * - When the escaped text is longer than `maxLength`, it is cut at an escape boundary and
 *   {@link TRUNCATION_MARK} is appended; the result, mark included, never exceeds `maxLength`.
 * - A non-string is described, never run: numbers, booleans, bigints, `null` and `undefined` as
 *   `String()` gives them, a symbol as `[symbol]`, an object or function as `[object]` /
 *   `[function]` (no `toString()` call, which could throw or lie).
 *
 * Not for HTTP header values (use `quoteHeaderValue`) nor for anything that must stay
 * byte-identical (a token, a URL to fetch): it is for humans reading messages and logs.
 *
 * @param value The text to make safe.
 * @param maxLength Longest result in characters, mark included: an integer of at least
 *   `TRUNCATION_MARK.length + 1`. Default {@link DEFAULT_SANITIZED_LENGTH} (200).
 * @returns The escaped, bounded text.
 * @throws TypeError when `maxLength` is not such an integer.
 *
 * @example
 * ```ts
 * sanitizeText('bad\r\n[ERROR] forged line \u202e') // 'bad\\r\\n[ERROR] forged line \\u202e'
 * new Error(`token endpoint answered ${sanitizeText(body.error, 100)}`)
 * ```
 */
export function sanitizeText(value: unknown, maxLength: number = DEFAULT_SANITIZED_LENGTH): string {
  if (!Number.isSafeInteger(maxLength) || maxLength <= TRUNCATION_MARK.length) {
    throw new TypeError(
      `maxLength must be an integer greater than ${TRUNCATION_MARK.length}, got ${String(maxLength)}`,
    )
  }
  const text = describe(value)
  if (text.length <= maxLength && PLAIN.test(text)) return text
  // Escape piece by piece while the result, plus the mark if more follows, still fits.
  const budget = maxLength - TRUNCATION_MARK.length
  let out = ''
  for (let i = 0; i < text.length; i++) {
    const piece = escapeUnit(text.charCodeAt(i))
    if (out.length + piece.length > budget) {
      // Would the whole rest fit without a mark? Then it is not truncated after all.
      const rest = escapeRest(text, i, maxLength - out.length)
      return rest === undefined ? out + TRUNCATION_MARK : out + rest
    }
    out += piece
  }
  return out
}

function describe(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value
    case 'object':
      return value === null ? 'null' : '[object]'
    case 'function':
      return '[function]'
    case 'symbol':
      return '[symbol]'
    default:
      return String(value)
  }
}

/** The escaped rest of `text` from `from`, or undefined when it is longer than `room`. */
function escapeRest(text: string, from: number, room: number): string | undefined {
  let out = ''
  for (let i = from; i < text.length; i++) {
    out += escapeUnit(text.charCodeAt(i))
    if (out.length > room) return undefined
  }
  return out
}

function escapeUnit(c: number): string {
  if (c >= 0x20 && c <= 0x7e) return c === 0x5c ? '\\\\' : String.fromCharCode(c)
  if (c === 0x09) return '\\t'
  if (c === 0x0a) return '\\n'
  if (c === 0x0d) return '\\r'
  if (c < 0x100) return '\\x' + c.toString(16).padStart(2, '0')
  return '\\u' + c.toString(16).padStart(4, '0')
}
