// CSRF protection of the flows' form POSTs, without a third-party package: a random per-browser
// cookie (HttpOnly, SameSite) plus a token in the form that is HMAC-SHA256(secret, flow, challenge,
// cookie). A token only works in the browser that got it, for the challenge and flow it was made
// for, and cannot be made without the app's secret. Compared in constant time.
// Someone who can set cookies for the host (a page on another port of the same host name, or a
// sibling subdomain when the cookie is not __Host-) can plant a cookie and a matching token of their
// own. Fetch metadata stops that: a POST whose Sec-Fetch-Site says it came from another origin is
// refused, whatever its token.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { readCookie, serializeCookie } from './cookies.js'
import type { FlowRequest } from './types.js'

/** Which flow a token belongs to. */
export type CsrfFlow = 'login' | 'consent' | 'logout'

/** The per-browser CSRF cookie. Every field is optional. */
export interface CsrfCookieOptions {
  /**
   * Cookie name. Default `__Host-hydrakit_csrf` when the cookie is `Secure`, has path `/` and no
   * domain (the `__Host-` prefix stops subdomains from planting it), else `hydrakit_csrf`.
   */
  name?: string | undefined
  /**
   * `Secure` attribute: `true`, `false`, or `'auto'` (default) = when the request came over https
   * (`FlowRequest.secure`, i.e. Express `req.secure` / Koa `ctx.secure`; behind a TLS-terminating
   * proxy set the framework's `trust proxy` / `app.proxy`).
   */
  secure?: boolean | 'auto' | undefined
  /**
   * `SameSite` attribute: `'lax'` (default), `'strict'` or `'none'` (requires `secure: true`).
   * `'lax'` is right for most apps: the login page is reached by a cross-site redirect from Hydra.
   */
  sameSite?: 'lax' | 'strict' | 'none' | undefined
  /** `Path` attribute. Default `/`. Must start with `/`. */
  path?: string | undefined
  /** `Domain` attribute. Default none (host-only cookie, recommended). */
  domain?: string | undefined
  /**
   * `Max-Age` in seconds. Default `undefined`: a browser-session cookie. It only has to outlive a
   * login/consent round (Hydra's default request lifetime is 30 minutes).
   */
  maxAge?: number | undefined
}

/** CSRF tokens and cookies for the flows (see {@link createCsrfProtection}). */
export interface CsrfProtection {
  /**
   * A token for a form of `flow` and `challenge`, bound to the browser's CSRF cookie. When the
   * browser has no (valid) cookie yet, a new one is made and returned in `cookies` (`Set-Cookie`).
   */
  issue(req: FlowRequest, flow: CsrfFlow, challenge: string): { token: string; cookies: string[] }
  /**
   * True only for a token made by {@link issue} for this browser's cookie, this flow and this
   * challenge, on a request that its fetch metadata does not show as cross-origin
   * (`isCrossOriginRequest`).
   */
  verify(req: FlowRequest, flow: CsrfFlow, challenge: string, token: string | null | undefined): boolean
}

/**
 * Whether a browser says that a request was started by a page of another origin: a
 * `Sec-Fetch-Site` header is present and is neither `same-origin` nor `none` (a navigation the user
 * typed). `same-site` counts as cross-origin on purpose: a page on another port of the same host, or
 * on a sibling subdomain, is same-site. Clients that send no fetch metadata (older browsers, scripts,
 * tests) are not refused by this check; the CSRF token still applies to them.
 */
export function isCrossOriginRequest(headers: Record<string, string | string[] | undefined>): boolean {
  const site = headers['sec-fetch-site']
  if (site === undefined) return false
  // A repeated header is not something a browser sends: refuse it.
  if (typeof site !== 'string') return true
  const value = site.trim().toLowerCase()
  return value !== 'same-origin' && value !== 'none'
}

/** Smallest accepted secret, in bytes (256 bits for HMAC-SHA256). */
export const MIN_CSRF_SECRET_BYTES = 32

const COOKIE_VALUE = /^[A-Za-z0-9_-]{43}$/
const TOKEN = /^[A-Za-z0-9_-]{43}$/
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const ATTRIBUTE = /^[\x21-\x3a\x3c-\x7e]+$/ // visible ASCII without ';'

/**
 * Checks the secret and the cookie options and returns the CSRF protection. Throws a TypeError
 * naming the option (`csrfSecret`, `cookie.sameSite`, ...) when one is wrong.
 */
export function createCsrfProtection(
  secret: string | Uint8Array,
  cookie?: CsrfCookieOptions,
): CsrfProtection {
  const cookieOptionName = 'cookie'
  const key = secretBytes(secret, 'csrfSecret')
  const c = cookie ?? {}
  if (typeof c !== 'object' || c === null) throw new TypeError(`${cookieOptionName} must be an object`)
  const secure = c.secure ?? 'auto'
  if (secure !== true && secure !== false && secure !== 'auto') {
    throw new TypeError(`${cookieOptionName}.secure must be true, false or 'auto'`)
  }
  const sameSite = c.sameSite ?? 'lax'
  if (sameSite !== 'lax' && sameSite !== 'strict' && sameSite !== 'none') {
    throw new TypeError(`${cookieOptionName}.sameSite must be 'lax', 'strict' or 'none'`)
  }
  if (sameSite === 'none' && secure !== true) {
    throw new TypeError(`${cookieOptionName}.sameSite 'none' requires ${cookieOptionName}.secure: true`)
  }
  const path = c.path ?? '/'
  if (typeof path !== 'string' || !path.startsWith('/') || !ATTRIBUTE.test(path)) {
    throw new TypeError(`${cookieOptionName}.path must start with / and contain no spaces, ';' or controls`)
  }
  const domain = c.domain
  if (domain !== undefined && (typeof domain !== 'string' || !ATTRIBUTE.test(domain))) {
    throw new TypeError(`${cookieOptionName}.domain must be a host name`)
  }
  const maxAge = c.maxAge
  if (maxAge !== undefined && (typeof maxAge !== 'number' || !Number.isInteger(maxAge) || maxAge <= 0)) {
    throw new TypeError(`${cookieOptionName}.maxAge must be a positive integer (seconds)`)
  }
  if (c.name !== undefined && (typeof c.name !== 'string' || !COOKIE_NAME.test(c.name))) {
    throw new TypeError(`${cookieOptionName}.name must be a cookie name token`)
  }
  if (c.name?.startsWith('__Host-') === true && (secure !== true || path !== '/' || domain !== undefined)) {
    throw new TypeError(
      `${cookieOptionName}.name with the __Host- prefix needs secure: true, path '/' and no domain`,
    )
  }
  if (c.name?.startsWith('__Secure-') === true && secure !== true) {
    throw new TypeError(`${cookieOptionName}.name with the __Secure- prefix needs secure: true`)
  }
  const attrSameSite = sameSite === 'lax' ? 'Lax' : sameSite === 'strict' ? 'Strict' : 'None'

  const isSecure = (req: FlowRequest): boolean => (secure === 'auto' ? req.secure === true : secure)
  const nameFor = (isSecureCookie: boolean): string => {
    if (c.name !== undefined) return c.name
    return isSecureCookie && path === '/' && domain === undefined ? '__Host-hydrakit_csrf' : 'hydrakit_csrf'
  }
  const current = (req: FlowRequest): string | undefined => {
    const value = readCookie(req.headers.cookie, nameFor(isSecure(req)))
    return value !== undefined && COOKIE_VALUE.test(value) ? value : undefined
  }
  const sign = (flow: CsrfFlow, challenge: string, browser: string): string =>
    createHmac('sha256', key)
      .update(`hydrakit-csrf/v1\n${flow}\n${challenge}\n${browser}`)
      .digest('base64url')

  return {
    issue(req, flow, challenge) {
      let browser = current(req)
      const cookies: string[] = []
      if (browser === undefined) {
        browser = randomBytes(32).toString('base64url')
        const s = isSecure(req)
        cookies.push(
          serializeCookie(nameFor(s), browser, {
            path,
            domain,
            secure: s,
            httpOnly: true,
            sameSite: attrSameSite,
            maxAge,
          }),
        )
      }
      return { token: sign(flow, challenge, browser), cookies }
    },
    verify(req, flow, challenge, token) {
      if (typeof token !== 'string' || !TOKEN.test(token)) return false
      if (isCrossOriginRequest(req.headers)) return false
      const browser = current(req)
      if (browser === undefined) return false
      const expected = Buffer.from(sign(flow, challenge, browser), 'utf8')
      const given = Buffer.from(token, 'utf8')
      return given.length === expected.length && timingSafeEqual(given, expected)
    },
  }
}

function secretBytes(secret: unknown, name: string): Buffer {
  let bytes: Buffer
  if (typeof secret === 'string') bytes = Buffer.from(secret, 'utf8')
  else if (secret instanceof Uint8Array) bytes = Buffer.from(secret)
  else
    throw new TypeError(
      `${name} is required: a string or Uint8Array of at least ${MIN_CSRF_SECRET_BYTES} bytes`,
    )
  if (bytes.length < MIN_CSRF_SECRET_BYTES) {
    throw new TypeError(
      `${name} must be at least ${MIN_CSRF_SECRET_BYTES} bytes (use a random secret, e.g. crypto.randomBytes(32).toString('base64url'))`,
    )
  }
  return bytes
}
