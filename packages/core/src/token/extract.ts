import { InvalidRequestError, MissingTokenError } from '../errors/errors.js'

/** The parts of an HTTP request token extraction reads. Adapters build it from their framework's request. */
export interface RequestLike {
  method: string
  /** Path and query, e.g. `req.originalUrl` / `ctx.originalUrl`. Only read when `query` extraction is on. */
  url?: string | undefined
  /** Lower-case header names. A header seen several times may be an array (`req.headersDistinct`). */
  headers: Record<string, string | string[] | undefined>
  /** Parsed body, when the app parsed one. Only read when `body` extraction is on. */
  body?: unknown
  /**
   * Node's `req.rawHeaders`. Node keeps only the first of several `Authorization` headers in
   * `req.headers`; with the raw list a second one is detected and refused.
   */
  rawHeaders?: readonly string[] | undefined
}

/** Where to look for the bearer token (RFC 6750 §2). Only the header is on by default. */
export interface TokenExtractionOptions {
  /** `Authorization: Bearer <token>` (§2.1). Default `true`. */
  header?: boolean | undefined
  /**
   * `access_token` in an `application/x-www-form-urlencoded` body (§2.2). Requires a body parser to
   * have run; ignored for GET/HEAD and other content types. Default `false`.
   */
  body?: boolean | undefined
  /** `access_token` in the query string (§2.3; discouraged: it leaks into logs). Default `false`. */
  query?: boolean | undefined
  /** Name of a cookie that carries the token. Default: none. */
  cookie?: string | undefined
  /** Custom getter, tried like the other methods. Return `undefined` when it finds nothing. */
  getToken?: ((req: RequestLike) => string | undefined) | undefined
  /** Longest token accepted, in characters; longer ones are refused before any parsing. Default 8192. */
  maxTokenLength?: number | undefined
}

/** Validated extraction settings; build once with {@link createTokenExtractor}. */
export type TokenExtractor = (req: RequestLike, realm: string) => string | undefined

// RFC 6750 §2.1 b64token (= RFC 7235 token68): ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/",
// then "=" padding. `\w` is [A-Za-z0-9_] (no `u` flag) and runs measurably faster than the spelled-out class.
const TOKEN68 = /^[\w\-.~+/]+=*$/
const BEARER = /^bearer +/i

/**
 * Builds a token extractor from options, validating them now (a bad option throws a TypeError naming
 * it). The extractor returns the token, `undefined` when none was sent, or throws
 * {@link InvalidRequestError} for a malformed header, a token sent by more than one method, or one
 * over `maxTokenLength`.
 */
export function createTokenExtractor(
  options: TokenExtractionOptions = {},
  optionPath = 'token',
): TokenExtractor {
  const useHeader = bool(options.header, true, `${optionPath}.header`)
  const useBody = bool(options.body, false, `${optionPath}.body`)
  const useQuery = bool(options.query, false, `${optionPath}.query`)
  const cookie = options.cookie
  if (
    cookie !== undefined &&
    (typeof cookie !== 'string' || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(cookie))
  ) {
    throw new TypeError(`${optionPath}.cookie must be a cookie name (an RFC 6265 token)`)
  }
  const getToken = options.getToken
  if (getToken !== undefined && typeof getToken !== 'function') {
    throw new TypeError(`${optionPath}.getToken must be a function`)
  }
  const max = options.maxTokenLength ?? 8192
  if (!Number.isInteger(max) || max < 1) {
    throw new TypeError(`${optionPath}.maxTokenLength must be a positive integer, got ${String(max)}`)
  }

  // One pass per request, no allocation: each source is read in turn, counting how many sent a
  // token. A header token was already checked against the b64token syntax by fromHeader.
  return (req, realm) => {
    let found: string | undefined
    let count = 0
    let checked = false
    if (useHeader) {
      const value = req.headers.authorization
      if (value !== undefined) {
        if (req.rawHeaders !== undefined && countAuthorization(req.rawHeaders) > 1) {
          throw malformed(realm, 'more than one Authorization header')
        }
        found = fromHeader(value, realm, max)
        if (found !== undefined) {
          count = 1
          checked = true
        }
      }
    }
    if (useBody) {
      const t = fromBody(req, realm)
      if (t !== undefined) {
        found = t
        count++
        checked = false
      }
    }
    if (useQuery) {
      const t = fromQuery(req.url, realm)
      if (t !== undefined) {
        found = t
        count++
        checked = false
      }
    }
    if (cookie !== undefined) {
      const t = fromCookie(req.headers.cookie, cookie, realm)
      if (t !== undefined) {
        found = t
        count++
        checked = false
      }
    }
    if (getToken !== undefined) {
      const t = getToken(req)
      if (t !== undefined && typeof t !== 'string') {
        throw new TypeError(`${optionPath}.getToken returned a ${typeof t}, expected a string or undefined`)
      }
      if (t !== undefined && t !== '') {
        found = t
        count++
        checked = false
      }
    }
    if (count > 1) {
      throw new InvalidRequestError({
        description: 'token sent by more than one method',
        reason: 'multiple_methods',
        realm,
      })
    }
    if (found === undefined) return undefined
    if (found.length > max) {
      throw new InvalidRequestError({ description: 'token too large', reason: 'too_large', realm })
    }
    if (!checked && !TOKEN68.test(found)) {
      throw new InvalidRequestError({
        description: 'malformed token in request',
        reason: 'malformed_header',
        realm,
      })
    }
    return found
  }
}

function bool(value: unknown, fallback: boolean, name: string): boolean {
  if (value === undefined) return fallback
  if (typeof value !== 'boolean') throw new TypeError(`${name} must be a boolean`)
  return value
}

function malformed(realm: string, description: string): InvalidRequestError {
  return new InvalidRequestError({ description, reason: 'malformed_header', realm })
}

function fromHeader(value: string | string[] | undefined, realm: string, max: number): string | undefined {
  if (value === undefined) return undefined
  if (Array.isArray(value)) {
    if (value.length === 0) return undefined
    if (value.length > 1) throw malformed(realm, 'more than one Authorization header')
    value = value[0]!
  }
  // Refuse absurd headers before running any regex over them.
  if (value.length > max + 16) {
    throw new InvalidRequestError({ description: 'token too large', reason: 'too_large', realm })
  }
  const m = BEARER.exec(value)
  if (m === null) {
    throw malformed(
      realm,
      value.trim() === '' ? 'empty Authorization header' : 'Authorization scheme must be Bearer',
    )
  }
  const token = value.slice(m[0].length)
  if (token === '') throw malformed(realm, 'empty bearer token')
  if (!TOKEN68.test(token)) throw malformed(realm, 'malformed bearer token')
  return token
}

function countAuthorization(raw: readonly string[]): number {
  let n = 0
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!
    if (name.length === 13 && name.toLowerCase() === 'authorization') n++
  }
  return n
}

function fromQuery(url: string | undefined, realm: string): string | undefined {
  if (url === undefined) return undefined
  const q = url.indexOf('?')
  if (q === -1) return undefined
  const params = new URLSearchParams(url.slice(q + 1))
  const all = params.getAll('access_token')
  if (all.length === 0) return undefined
  if (all.length > 1) throw malformed(realm, 'access_token appears more than once in the query')
  if (all[0] === '') throw malformed(realm, 'empty access_token in the query')
  return all[0]
}

function fromBody(req: RequestLike, realm: string): string | undefined {
  const method = req.method.toUpperCase()
  if (method === 'GET' || method === 'HEAD') return undefined
  const ct = req.headers['content-type']
  const type = (Array.isArray(ct) ? ct[0] : ct)?.split(';', 1)[0]?.trim().toLowerCase()
  if (type !== 'application/x-www-form-urlencoded') return undefined
  const body = req.body
  if (body === null || typeof body !== 'object') return undefined
  if (!Object.hasOwn(body, 'access_token')) return undefined
  const value = (body as Record<string, unknown>).access_token
  if (typeof value !== 'string') throw malformed(realm, 'access_token in the body must appear once')
  if (value === '') throw malformed(realm, 'empty access_token in the body')
  return value
}

function fromCookie(header: string | string[] | undefined, name: string, realm: string): string | undefined {
  if (header === undefined) return undefined
  const raw = Array.isArray(header) ? header.join('; ') : header
  let found: string | undefined
  for (const part of raw.split(';')) {
    const eq = part.indexOf('=')
    if (eq === -1 || part.slice(0, eq).trim() !== name) continue
    if (found !== undefined) throw malformed(realm, `cookie ${name} appears more than once`)
    let value = part.slice(eq + 1).trim()
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1)
    found = value
  }
  return found === '' ? undefined : found
}

/** Extraction that needs a token: throws {@link MissingTokenError} when none was sent. */
export function requireToken(extract: TokenExtractor, req: RequestLike, realm: string): string {
  const token = extract(req, realm)
  if (token === undefined) throw new MissingTokenError({ realm })
  return token
}
