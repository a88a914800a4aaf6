// Minimal cookie reading and writing for the flows' CSRF cookie (RFC 6265). Only what the flows need:
// read one cookie by name from a Cookie header, serialize one Set-Cookie value.

/** Attributes of a cookie the flows set. */
export interface SetCookieAttributes {
  path: string
  domain?: string | undefined
  secure: boolean
  httpOnly: boolean
  sameSite: 'Strict' | 'Lax' | 'None'
  /** Seconds; `undefined` = a session cookie. */
  maxAge?: number | undefined
}

/**
 * The value of cookie `name` in a Cookie header (or an array of them), or `undefined`. The first
 * occurrence wins, as browsers send the most specific path first. Values are not decoded.
 */
export function readCookie(header: string | string[] | undefined, name: string): string | undefined {
  if (header === undefined) return undefined
  const lines = Array.isArray(header) ? header : [header]
  for (const line of lines) {
    for (const part of line.split(';')) {
      const eq = part.indexOf('=')
      if (eq < 0) continue
      if (part.slice(0, eq).trim() !== name) continue
      let value = part.slice(eq + 1).trim()
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1)
      return value
    }
  }
  return undefined
}

/** One `Set-Cookie` header value. `name` and `value` must already be cookie-safe tokens. */
export function serializeCookie(name: string, value: string, attrs: SetCookieAttributes): string {
  let out = `${name}=${value}; Path=${attrs.path}`
  if (attrs.domain !== undefined) out += `; Domain=${attrs.domain}`
  if (attrs.maxAge !== undefined) out += `; Max-Age=${attrs.maxAge}`
  if (attrs.httpOnly) out += '; HttpOnly'
  if (attrs.secure) out += '; Secure'
  out += `; SameSite=${attrs.sameSite}`
  return out
}
