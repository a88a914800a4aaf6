// application/x-www-form-urlencoded values (WHATWG URL, "urlencoded serializer"), without building a
// URLSearchParams per upstream call.

import { isWellFormedText } from './well-formed.js'

// encodeURIComponent leaves these unescaped; the form serializer escapes them.
const LEFT_BY_ENCODE_URI_COMPONENT = /[!'()~]/g
const LONE_SURROGATES = /\p{Cs}/gu
const percent = (c: string): string => `%${c.charCodeAt(0).toString(16).toUpperCase()}`

/**
 * Encodes one name or value exactly as `new URLSearchParams({ k: value }).toString()` encodes it:
 * everything but ASCII letters, digits and `*-._` percent-encoded as UTF-8, a space as `+`, and a
 * lone surrogate as U+FFFD (where `encodeURIComponent` alone would throw).
 */
export function formEncode(value: string): string {
  const text = isWellFormedText(value) ? value : value.replace(LONE_SURROGATES, '\ufffd')
  return encodeURIComponent(text).replace(LEFT_BY_ENCODE_URI_COMPONENT, percent).replaceAll('%20', '+')
}
