import { isWellFormedText } from '../text/well-formed.js'
import type { HttpResponse } from '../upstream/request.js'
import { HydraError } from './hydra-error.js'
import type { HydraCall, HydraCallOptions, HydraTransport } from './hydra-transport.js'
import { toPage, type HydraApiVersion, type HydraPage, type HydraPageCursor } from './pagination.js'
import { parseOAuth2RedirectTo, readJson } from './response-shapes.js'
import type { FlowRequestResult } from './admin-client-types.js'

// What every admin client method is made of: argument checks (a TypeError names the argument)
// and the call helpers over the Hydra transport.

/** A JSON request body. */
export type Body = Record<string, unknown>

/** A non-empty string argument. */
export function requireString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${name} must be a non-empty string`)
  return value
}

/** One path segment: percent-encoded, so `/`, `?`, `#` and `%` can never change the path. */
export function segment(value: unknown, name: string): string {
  const s = requireString(value, name)
  // `.` and `..` would be removed by URL normalisation and address another resource.
  if (s === '.' || s === '..') throw new TypeError(`${name} must not be "." or ".."`)
  // encodeURIComponent throws a URIError on a lone surrogate: say which argument instead.
  if (!isWellFormedText(s)) throw new TypeError(`${name} must not contain a lone surrogate`)
  return encodeURIComponent(s)
}

/** A plain object argument. */
export function requireObject(value: unknown, name: string): Body {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`${name} must be an object`)
  }
  return value as Body
}

/** A non-empty string argument or `undefined`. */
export function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined
  return requireString(value, name)
}

/** Scopes as a space-separated string or an array; `undefined` stays `undefined`. */
export function scopeString(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined
  if (typeof value === 'string') return value
  if (Array.isArray(value) && value.every((s) => typeof s === 'string' && s !== '' && !/\s/.test(s))) {
    return value.join(' ')
  }
  throw new TypeError(`${name} must be a string or an array of scope strings`)
}

/** The call helpers the admin client's methods are written with. */
export interface AdminCalls {
  version: HydraApiVersion
  v1: boolean
  /** `'/admin'` (v2) or `''` (v1). */
  admin: string
  /** Sends `call` through the transport. */
  send: (call: HydraCall) => Promise<HttpResponse>
  /** Sends `call` and parses its JSON answer. */
  json: <T>(call: HydraCall, parse: (operation: string, body: unknown) => T) => Promise<T>
  /** Sends `call`; the answer has no body worth reading. */
  nothing: (call: HydraCall) => Promise<void>
  /** Sends a list call and reads the page links. */
  page: <T>(call: HydraCall, parse: (operation: string, body: unknown) => T[]) => Promise<HydraPage<T>>
  /** GET of a login/consent/logout request: `pending`, or `handled` (410) with its redirect. */
  flowGet: <T>(
    operation: string,
    kind: 'login' | 'consent' | 'logout',
    challenge: string,
    parse: (operation: string, body: unknown) => T,
    options: HydraCallOptions | undefined,
  ) => Promise<FlowRequestResult<T>>
  /** The PUT that accepts or rejects a login/consent/logout request. */
  flowPut: (
    operation: string,
    kind: 'login' | 'consent' | 'logout',
    action: 'accept' | 'reject',
    challenge: string,
    body: Body | undefined,
    options: HydraCallOptions | undefined,
  ) => HydraCall
  listParams: (params: HydraPageCursor | undefined, name: string) => HydraPageCursor
  /** The error of an operation this API version does not have. */
  unsupported: (operation: string, what: string) => HydraError
}

/** The call helpers for one admin base URL and API version. */
export function createAdminCalls(
  transport: HydraTransport,
  adminUrl: string,
  version: HydraApiVersion,
): AdminCalls {
  const v1 = version === 'v1'
  const admin = v1 ? '' : '/admin'
  const flowPath = (kind: 'login' | 'consent' | 'logout', action = ''): string =>
    `${admin}/oauth2/auth/requests/${kind}${action === '' ? '' : `/${action}`}`

  const unsupported = (operation: string, what: string): HydraError =>
    new HydraError({
      kind: 'unsupported',
      operation,
      message: `Hydra ${operation}: ${what} is not supported by the Hydra ${version} admin API`,
    })

  const send = (call: HydraCall): Promise<HttpResponse> => transport.send(call)

  async function json<T>(call: HydraCall, parse: (operation: string, body: unknown) => T): Promise<T> {
    const res = await send(call)
    return parse(call.operation, readJson(call.operation, res.body))
  }

  async function nothing(call: HydraCall): Promise<void> {
    await send(call)
  }

  async function page<T>(
    call: HydraCall,
    parse: (operation: string, body: unknown) => T[],
  ): Promise<HydraPage<T>> {
    const res = await send(call)
    const items = parse(call.operation, readJson(call.operation, res.body))
    return toPage(items, res, adminUrl + call.path, version)
  }

  async function flowGet<T>(
    operation: string,
    kind: 'login' | 'consent' | 'logout',
    challenge: string,
    parse: (operation: string, body: unknown) => T,
    options: HydraCallOptions | undefined,
  ): Promise<FlowRequestResult<T>> {
    const res = await send({
      operation,
      method: 'GET',
      path: flowPath(kind),
      query: { [`${kind}_challenge`]: challenge },
      answers: [410],
      eventKind: 'admin',
      options,
    })
    const body = readJson(operation, res.body)
    if (res.status === 410) {
      return { status: 'handled', redirectTo: parseOAuth2RedirectTo(operation, body).redirect_to }
    }
    return { status: 'pending', request: parse(operation, body) }
  }

  const flowPut = (
    operation: string,
    kind: 'login' | 'consent' | 'logout',
    action: 'accept' | 'reject',
    challenge: string,
    body: Body | undefined,
    options: HydraCallOptions | undefined,
  ): HydraCall => ({
    operation,
    method: 'PUT',
    path: flowPath(kind, action),
    query: { [`${kind}_challenge`]: challenge },
    json: body,
    eventKind: 'admin',
    options,
  })

  const listParams = (params: HydraPageCursor | undefined, name: string): HydraPageCursor =>
    params === undefined ? {} : requireObject(params, name)

  return { version, v1, admin, send, json, nothing, page, flowGet, flowPut, listParams, unsupported }
}
