import { Readable } from 'node:stream'
import type { ReadableStream as NodeReadableStream } from 'node:stream/web'
import { checkPrefix, pathBelow } from '@hydrakit/core/adapter'
import {
  createLoginConsentHandler,
  type FlowHttpResponse,
  type LoginConsentHandler,
  type LoginConsentOptions,
} from '@hydrakit/core/flows'

/** Options of {@link loginConsentHandler}: core's `LoginConsentOptions` plus where the routes live. */
export interface LoginConsentHandlerOptions extends LoginConsentOptions {
  /**
   * Path prefix of the routes, e.g. `'/auth'` serves `/auth/login`, `/auth/consent` and
   * `/auth/logout`. Must start with `/` and not end with one. Default `''` (`/login`, ...).
   */
  prefix?: string | undefined
}

/** A Web handler for the three routes: a `Response`, or `undefined` for a path that is not one of them. */
export type WebLoginConsentHandler = ((request: Request) => Promise<Response | undefined>) & {
  /** The core handler (flows, `respond`). */
  readonly flows: LoginConsentHandler
}

/**
 * Hydra's login, consent and logout provider as a Web handler (runtimes with `node:stream`: Node,
 * Bun, Deno; the Node.js runtime of Next.js). It reads form bodies itself, with the size limit.
 * Options are checked now: a bad one throws a TypeError naming it. Errors thrown by your hooks reject.
 *
 * ```ts
 * const flows = loginConsentHandler({ prefix: '/auth', admin, hydraPublicUrl, csrfSecret, authenticate })
 * app.all('/auth/*', async (c) => (await flows(c.req.raw)) ?? c.notFound()) // Hono
 * ```
 */
export function loginConsentHandler(options: LoginConsentHandlerOptions): WebLoginConsentHandler {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object')
  const { prefix: rawPrefix, ...core } = options
  const prefix = checkPrefix(rawPrefix)
  const flows = createLoginConsentHandler(core)
  const handler = async (request: Request): Promise<Response | undefined> => {
    const url = new URL(request.url)
    const below = pathBelow(prefix, url.pathname)
    const route = below === undefined ? undefined : flows.route(below)
    if (route === undefined) return undefined
    const headers: Record<string, string> = {}
    request.headers.forEach((value, name) => {
      headers[name] = value
    })
    const stream =
      request.body === null
        ? Readable.from([])
        : Readable.fromWeb(request.body as NodeReadableStream<Uint8Array>)
    return toResponse(
      await flows.handle(route, {
        method: request.method,
        url: url.pathname + url.search,
        headers,
        secure: url.protocol === 'https:',
        stream,
      }),
    )
  }
  return Object.assign(handler, { flows })
}

function toResponse(out: FlowHttpResponse): Response {
  const headers = new Headers()
  for (const [name, value] of Object.entries(out.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v)
    else headers.set(name, value)
  }
  const empty = out.body === '' || out.status === 204 || out.status === 304
  return new Response(empty ? null : out.body, { status: out.status, headers })
}
