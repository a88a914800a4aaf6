import { InvalidRequestError, MissingTokenError } from '../errors/errors.js'
import { bool } from '../options/validate.js'

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
   * `req.headers`; with the raw list a second one is detected and refused. Its length also tells
   * whether Node cut the header list short (see `socket`).
   */
  rawHeaders?: readonly string[] | undefined
  /**
   * Node's `req.socket`. Only `socket.server.maxHeadersCount` is read: Node parses at most that many
   * header lines (1000 when the server leaves it unset) and silently drops the rest, a second
   * `Authorization` header included. A request whose `rawHeaders` reach that limit is refused with
   * 400, since its headers cannot be checked. Without a socket Node's default of 1000 is assumed.
   */
  socket?: object | undefined
}

/**
 * Where to look for the bearer token (RFC 6750 §2). Only the header is on by default.
 *
 * RFC 6750 §2 forbids a client to send the token by more than one method, so the methods it defines
 * count whether or not they are enabled here: a `Bearer` `Authorization` header, `access_token` in
 * the query and `access_token` in an `application/x-www-form-urlencoded` body (any request method).
 * A request where a token is found and another of these is present is refused with 400.
 */
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
  /**
   * Custom getter, tried like the other methods. Return `undefined` when it finds nothing. It counts
   * as a method of its own: a request where it finds a token and another method carries one is
   * refused. Do not use it to read the `Authorization` header, the query or the form body (enable
   * `header`, `query` or `body` instead): a token there always counts as a method.
   */
  getToken?: ((req: RequestLike) => string | undefined) | undefined
  /** Longest token accepted, in characters; longer ones are refused before any parsing. Default 8192. */
  maxTokenLength?: number | undefined
}

/** Validated extraction settings; build once with {@link createTokenExtractor}. */
export type TokenExtractor = (req: RequestLike, realm: string) => string | undefined

// RFC 6750 §2.1 b64token (= RFC 7235 token68): ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/",
// then "=" padding. `\w` is [A-Za-z0-9_] (no `u` flag) and runs measurably faster than the spelled-out class.
const TOKEN68 = /^[\w\-.~+/]+=*$/

/**
 * Where the token starts in an `Authorization` value of the `Bearer` scheme (any case, one or more
 * spaces after it), or -1. What `/^bearer +/i` matches, without a match array per request.
 */
function bearerTokenStart(value: string): number {
  // `c | 0x20` is the lower case of an ASCII letter, and equals one only for that letter's two cases.
  if (
    (value.charCodeAt(0) | 0x20) !== 0x62 || // b
    (value.charCodeAt(1) | 0x20) !== 0x65 || // e
    (value.charCodeAt(2) | 0x20) !== 0x61 || // a
    (value.charCodeAt(3) | 0x20) !== 0x72 || // r
    (value.charCodeAt(4) | 0x20) !== 0x65 || // e
    (value.charCodeAt(5) | 0x20) !== 0x72 || // r
    value.charCodeAt(6) !== 0x20
  ) {
    return -1
  }
  let i = 7
  while (value.charCodeAt(i) === 0x20) i++
  return i
}

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

  // One pass per request, no allocation on the common path: each source is read in turn, counting
  // how many the client used. A header token was already checked against the b64token syntax by
  // fromHeader. RFC 6750's own methods count even when they are not enabled (see TokenExtractionOptions).
  return (req, realm) => {
    const raw = req.rawHeaders
    if (raw !== undefined) {
      const limit = headerEntryLimit(req.socket)
      if (limit > 0 && raw.length >= limit) {
        throw new InvalidRequestError({
          description: 'too many header lines',
          reason: 'malformed_header',
          realm,
          debug: { headerLines: raw.length >> 1, maxHeadersCount: limit >> 1 },
        })
      }
    }
    let found: string | undefined
    let count = 0
    let checked = false
    const authorization = req.headers.authorization
    if (authorization !== undefined) {
      if (useHeader) {
        if (raw !== undefined && countAuthorization(raw) > 1) {
          throw malformed(realm, 'more than one Authorization header')
        }
        found = fromHeader(authorization, realm, max)
        if (found !== undefined) {
          count = 1
          checked = true
        }
      } else if (isBearer(authorization)) {
        count = 1
      }
    }
    const inBody = formAccessToken(req)
    if (inBody !== undefined) {
      const t = useBody ? fromBody(req.method, inBody, realm) : undefined
      if (t !== undefined) {
        found = t
        checked = false
      }
      count++
    }
    if (useQuery) {
      const t = fromQuery(req.url, realm)
      if (t !== undefined) {
        found = t
        count++
        checked = false
      }
    } else if (hasQueryAccessToken(req.url)) {
      count++
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

// Node's parser keeps 2000 raw header entries (1000 lines) unless the server sets maxHeadersCount.
const NODE_DEFAULT_HEADER_ENTRIES = 2000

/**
 * How many `rawHeaders` entries Node keeps for this request's server, computed as Node's HTTP server
 * does (`maxHeadersCount << 1`); 0 or less means no limit.
 */
function headerEntryLimit(socket: object | undefined): number {
  if (socket === undefined || socket === null) return NODE_DEFAULT_HEADER_ENTRIES
  const server = (socket as { server?: unknown }).server
  if (server === null || typeof server !== 'object') return NODE_DEFAULT_HEADER_ENTRIES
  const count = (server as { maxHeadersCount?: unknown }).maxHeadersCount
  return typeof count === 'number' ? count << 1 : NODE_DEFAULT_HEADER_ENTRIES
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
  const start = bearerTokenStart(value)
  if (start < 0) {
    throw malformed(
      realm,
      value.trim() === '' ? 'empty Authorization header' : 'Authorization scheme must be Bearer',
    )
  }
  const token = value.slice(start)
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

/** True for an `Authorization` value that uses the Bearer scheme, however malformed. */
function isBearer(value: string | string[]): boolean {
  const values = Array.isArray(value) ? value : [value]
  return values.some((v) => /^bearer(?:[ \t]|$)/i.test(v))
}

/** The query string of a path-and-query, or undefined when it has none. */
function queryOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined
  const q = url.indexOf('?')
  return q === -1 ? undefined : url.slice(q + 1)
}

/**
 * Whether the query has an `access_token` parameter, in any spelling that decodes to that name
 * (`%61ccess_token`), empty or not. Parses only when the name or a percent sign is there.
 */
function hasQueryAccessToken(url: string | undefined): boolean {
  const query = queryOf(url)
  if (query === undefined || (!query.includes('access_token') && !query.includes('%'))) return false
  return new URLSearchParams(query).has('access_token')
}

function fromQuery(url: string | undefined, realm: string): string | undefined {
  const query = queryOf(url)
  if (query === undefined) return undefined
  const all = new URLSearchParams(query).getAll('access_token')
  if (all.length === 0) return undefined
  if (all.length > 1) throw malformed(realm, 'access_token appears more than once in the query')
  if (all[0] === '') throw malformed(realm, 'empty access_token in the query')
  return all[0]
}

/**
 * `access_token` of a parsed `application/x-www-form-urlencoded` body, whatever the request method
 * and whatever the parser made of it (a string, or an array or object for a repeated or bracketed
 * name); `undefined` when there is none.
 */
function formAccessToken(req: RequestLike): unknown {
  const body = req.body
  if (body === null || typeof body !== 'object' || !Object.hasOwn(body, 'access_token')) return undefined
  const ct = req.headers['content-type']
  const type = (Array.isArray(ct) ? ct[0] : ct)?.split(';', 1)[0]?.trim().toLowerCase()
  if (type !== 'application/x-www-form-urlencoded') return undefined
  // A parser may produce `undefined` for a name without value; it is still a parameter the client sent.
  return (body as Record<string, unknown>).access_token ?? ''
}

/** The body token when the body method applies (RFC 6750 §2.2: not for GET or HEAD). */
function fromBody(method: string, value: unknown, realm: string): string | undefined {
  const m = method.toUpperCase()
  if (m === 'GET' || m === 'HEAD') return undefined
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
