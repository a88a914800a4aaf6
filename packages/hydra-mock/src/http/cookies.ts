/** Parses a `Cookie` header into a map (first occurrence of a name wins). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>()
  if (!header) return out
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq <= 0) continue
    const name = part.slice(0, eq).trim()
    const value = part.slice(eq + 1).trim()
    if (name && !out.has(name)) out.set(name, value)
  }
  return out
}

/** Attributes of a cookie the mock sets on the public origin. */
export interface CookieOptions {
  /** Lifetime in seconds; `undefined` makes a browser-session cookie, `0` deletes it. */
  maxAge?: number | undefined
  /** Adds `Secure` (when the public URL is https). */
  secure: boolean
}

/** Serializes a `Set-Cookie` value: `Path=/; HttpOnly; SameSite=Lax`, plus `Max-Age` and `Secure`. */
export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  let out = `${name}=${value}; Path=/; HttpOnly; SameSite=Lax`
  if (options.maxAge !== undefined) out += `; Max-Age=${Math.max(0, Math.floor(options.maxAge))}`
  if (options.maxAge === 0) out += '; Expires=Thu, 01 Jan 1970 00:00:00 GMT'
  if (options.secure) out += '; Secure'
  return out
}
