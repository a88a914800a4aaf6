// Internal. `String.prototype.isWellFormed` is ES2024; Node 20 has it, but core targets ES2023.

// With the `u` flag a surrogate pair is one code point; only a lone surrogate is category Cs.
const LONE_SURROGATE = /\p{Cs}/u

/**
 * True when `text` is well-formed UTF-16 (no lone surrogate), i.e. `encodeURIComponent` and
 * `TextEncoder` can encode it without a URIError or a replacement character.
 */
export function isWellFormedText(text: string): boolean {
  return !LONE_SURROGATE.test(text)
}
