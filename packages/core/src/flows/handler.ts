// The framework-free entry point: createLoginConsentHandler validates the options once and gives
// adapters three flow handlers (data in, FlowResult out), a renderer that turns a result into an
// HTTP response with strict security headers, and `handle()` that does a whole exchange.

import { randomBytes } from 'node:crypto'
import type { Readable } from 'node:stream'
import { handleConsent } from './consent.js'
import { isCrossOriginRequest } from './csrf.js'
import { fail } from './flow-support.js'
import { FormBodyError, readFormBody } from './form.js'
import { handleLogin } from './login.js'
import { handleLogout } from './logout.js'
import { resolveFlowOptions, type LoginConsentOptions } from './options.js'
import type { FlowRequest, FlowResult, RenderContext } from './types.js'

/** The three routes. */
export type FlowRoute = 'login' | 'consent' | 'logout'

/** An HTTP response to write, as plain data. */
export interface FlowHttpResponse {
  status: number
  /** Lower-case header names; `set-cookie` is an array. */
  headers: Record<string, string | string[]>
  /** The body (HTML for pages, empty for redirects). */
  body: string
}

/** One HTTP exchange as an adapter sees it (see {@link LoginConsentHandler.handle}). */
export interface FlowHttpInput {
  /** HTTP method. */
  method: string
  /** The request target (path and query), e.g. Express `req.originalUrl`, Koa `ctx.originalUrl`. */
  url: string
  /** Request headers (lower-case names). */
  headers: Record<string, string | string[] | undefined>
  /** Whether the browser used https (Express `req.secure`, Koa `ctx.secure`). */
  secure: boolean
  /** The request stream, read for a POST (Express `req`, Koa `ctx.req`). */
  stream: Readable
  /** What the host app's body parser left, if any (Express `req.body`, Koa `ctx.request.body`). */
  parsedBody?: unknown
}

/** What {@link createLoginConsentHandler} returns. */
export interface LoginConsentHandler {
  /** The login flow: GET `?login_challenge=`, POST the login form. */
  login(req: FlowRequest): Promise<FlowResult>
  /** The consent flow: GET `?consent_challenge=`, POST the consent form. */
  consent(req: FlowRequest): Promise<FlowResult>
  /** The logout flow: GET `?logout_challenge=`, POST the confirmation. */
  logout(req: FlowRequest): Promise<FlowResult>
  /** Maps a path below the mount point (`/login`, `/consent/`, ...) to its route, or `undefined`. */
  route(path: string): FlowRoute | undefined
  /**
   * A whole exchange for one route: GET or POST only (405 otherwise), a POST whose
   * `Sec-Fetch-Site` shows another origin refused with the CSRF page (403) before its body is read,
   * the form body read with the size limit (413/415 pages), the flow run, the result rendered by
   * {@link respond}. Rejects only when an app hook or the renderer throws.
   */
  handle(route: FlowRoute, input: FlowHttpInput): Promise<FlowHttpResponse>
  /**
   * Turns a result into a response: a redirect (302/303, `Location`), or a page rendered by the
   * `render` option (or the built-in one) with `Content-Security-Policy`, `X-Frame-Options: DENY`,
   * `Cache-Control: no-store`, `Referrer-Policy: no-referrer`, `X-Content-Type-Options: nosniff`;
   * `Set-Cookie` for the result's cookies.
   */
  respond(result: FlowResult): Promise<FlowHttpResponse>
}

/**
 * The default Content-Security-Policy of a rendered page: nothing may load except the page's own
 * nonce-tagged stylesheet and https images (a client logo); no script at all; no framing.
 * `form-action` is left out on purpose: browsers apply it to the redirects that follow a form POST
 * (to Hydra, then to the client's redirect_uri, which this app cannot list).
 */
export function defaultContentSecurityPolicy(context: RenderContext): string {
  return `default-src 'none'; style-src 'nonce-${context.nonce}'; img-src https:; base-uri 'none'; frame-ancestors 'none'`
}

const COMMON_HEADERS: Record<string, string> = {
  'cache-control': 'no-store',
  pragma: 'no-cache',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
}

/**
 * Builds the login, consent and logout flows from options validated once, here (a bad option
 * throws a TypeError naming it). Adapters (`@hydrakit/express`, `@hydrakit/koa`) wrap `handle`.
 *
 * @example
 * ```ts
 * const flows = createLoginConsentHandler({ admin, hydraPublicUrl, csrfSecret, authenticate })
 * const result = await flows.login({ method: 'GET', query, headers, secure: false })
 * const { status, headers, body } = await flows.respond(result)
 * ```
 */
export function createLoginConsentHandler(options: LoginConsentOptions): LoginConsentHandler {
  const ctx = resolveFlowOptions(options)

  const respond = async (result: FlowResult): Promise<FlowHttpResponse> => {
    const headers: Record<string, string | string[]> = { ...COMMON_HEADERS }
    if (result.cookies.length > 0) headers['set-cookie'] = [...result.cookies]
    if (result.type === 'redirect') {
      headers.location = result.location
      return { status: result.status, headers, body: '' }
    }
    const context: RenderContext = { nonce: randomBytes(16).toString('base64') }
    const body = await ctx.render(result.page, result.data, context)
    if (typeof body !== 'string') throw new TypeError('render() must return a string of HTML')
    headers['content-type'] = 'text/html; charset=utf-8'
    headers['content-security-policy'] = (ctx.contentSecurityPolicy ?? defaultContentSecurityPolicy)(context)
    headers['x-frame-options'] = 'DENY'
    if (result.headers !== undefined) for (const [k, v] of Object.entries(result.headers)) headers[k] = v
    return { status: result.status, headers, body }
  }

  const flows: Record<FlowRoute, (req: FlowRequest) => Promise<FlowResult>> = {
    login: (req) => handleLogin(ctx, req),
    consent: (req) => handleConsent(ctx, req),
    logout: (req) => handleLogout(ctx, req),
  }

  const run = async (route: FlowRoute, input: FlowHttpInput): Promise<FlowResult> => {
    const method = input.method.toUpperCase()
    if (method !== 'GET' && method !== 'POST') {
      if (method !== 'HEAD') input.stream.resume()
      return fail(ctx, route, 'method_not_allowed')
    }
    let query: URLSearchParams
    try {
      query = new URL(input.url, 'http://localhost').searchParams
    } catch {
      return fail(ctx, route, 'invalid_request')
    }
    const req: FlowRequest = { method, query, headers: input.headers, secure: input.secure === true }
    if (method === 'POST' && isCrossOriginRequest(input.headers)) {
      // Every POST of these routes changes state (accept or reject at Hydra): a browser that says
      // the form came from another origin gets the CSRF page before the body is even read.
      input.stream.resume()
      return fail(ctx, route, 'csrf')
    }
    if (method === 'POST') {
      try {
        req.form = await readFormBody(
          { stream: input.stream, headers: input.headers, parsed: input.parsedBody },
          ctx.maxBodyBytes,
        )
      } catch (err) {
        if (!(err instanceof FormBodyError)) throw err
        return fail(ctx, route, err.reason, err)
      }
    }
    return flows[route](req)
  }

  return {
    ...flows,
    route(path) {
      const p = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path
      if (p === '/login') return 'login'
      if (p === '/consent') return 'consent'
      if (p === '/logout') return 'logout'
      return undefined
    },
    async handle(route, input) {
      return respond(await run(route, input))
    },
    respond,
  }
}
