// The flows only ever redirect the browser to a URL Hydra returned (`redirect_to`), and only when
// its origin is Hydra's public URL or an origin the app allowed. Nothing from the query string or
// the form is ever used as a redirect target.

/** Checks Hydra's `redirect_to` values (see {@link createRedirectGuard}). */
export interface RedirectGuard {
  /** The allowed origins (`scheme://host[:port]`). */
  readonly origins: readonly string[]
  /**
   * Returns the URL (normalized) when it is an absolute http(s) URL without credentials whose
   * origin is allowed; `undefined` otherwise.
   */
  check(url: string): string | undefined
}

/**
 * Builds the guard from Hydra's public URL and extra allowed origins. Throws a TypeError naming
 * the option when one is not an absolute http(s) URL.
 */
export function createRedirectGuard(
  hydraPublicUrl: string,
  allowedOrigins?: readonly string[],
): RedirectGuard {
  const names = { publicUrl: 'hydraPublicUrl', allowed: 'allowedRedirectOrigins' }
  const extra: unknown = allowedOrigins
  const origins = new Set<string>([originOf(hydraPublicUrl, names.publicUrl)])
  if (extra !== undefined) {
    if (!Array.isArray(extra)) throw new TypeError(`${names.allowed} must be an array of origins`)
    extra.forEach((o: unknown, i) => origins.add(originOf(o, `${names.allowed}[${i}]`)))
  }
  const list = [...origins]
  return {
    origins: list,
    check(url) {
      let parsed: URL
      try {
        parsed = new URL(url)
      } catch {
        return undefined
      }
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined
      if (parsed.username !== '' || parsed.password !== '') return undefined
      return origins.has(parsed.origin) ? parsed.href : undefined
    },
  }
}

function originOf(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new TypeError(`${name} is required: an absolute http(s) URL`)
  }
  let parsed: URL
  try {
    parsed = new URL(value)
  } catch {
    throw new TypeError(`${name} must be an absolute http(s) URL`)
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(`${name} must be an http(s) URL`)
  }
  if (parsed.username !== '' || parsed.password !== '')
    throw new TypeError(`${name} must not contain credentials`)
  return parsed.origin
}
