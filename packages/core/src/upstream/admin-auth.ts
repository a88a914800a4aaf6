import type { Dispatcher } from 'undici'
import { emit, type HydrakitHooks } from '../hooks.js'
import { headerValue, httpRequest, parseJsonSafe, TransportError } from './request.js'

/**
 * How hydrakit authenticates to Hydra's admin API (introspection, admin client).
 * Self-hosted Hydra's admin port has no auth of its own (network isolation); Ory Network takes a
 * bearer API key; a gateway in front of Hydra may want basic auth or a client-credentials token.
 */
export type AdminAuth =
  | { type: 'none' }
  | { type: 'basic'; username: string; password: string }
  | { type: 'bearer'; token: string }
  | {
      /** Pre-authorization: fetch a token with the client-credentials grant and send it as a bearer token. */
      type: 'client_credentials'
      /** Token endpoint URL, e.g. `https://hydra.example/oauth2/token`. */
      tokenUrl: string
      clientId: string
      clientSecret: string
      /** Space-separated scopes to request. */
      scope?: string | undefined
      /** Audience to request (Hydra: `audience` form parameter). */
      audience?: string | undefined
      /** How the client authenticates at the token endpoint. Default `client_secret_basic`. */
      clientAuthMethod?: 'client_secret_basic' | 'client_secret_post' | undefined
      /** Refresh this many seconds before the token expires. Default 30. */
      refreshSkewSeconds?: number | undefined
    }

/** Supplies the auth headers for one admin call. */
export interface AdminAuthProvider {
  headers(): Promise<Record<string, string>> | Record<string, string>
  /** Drops a cached client-credentials token (e.g. after the admin API answered 401). */
  invalidate(): void
}

/** Context shared by the calls an {@link AdminAuthProvider} makes. */
export interface AdminAuthContext {
  timeoutMs: number
  dispatcher?: Dispatcher | undefined
  hooks?: HydrakitHooks | undefined
}

/** Thrown when a client-credentials token cannot be obtained. */
export class AdminAuthError extends Error {
  readonly status: number | undefined
  constructor(message: string, status?: number, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause })
    this.status = status
  }
  override get name(): string {
    return 'AdminAuthError'
  }
}

function nonEmpty(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${name} must be a non-empty string`)
  return value
}

/**
 * Validates an {@link AdminAuth} now (a TypeError names the bad option under `optionPath`) and
 * returns a provider of request headers.
 */
export function createAdminAuthProvider(
  auth: AdminAuth | undefined,
  context: AdminAuthContext,
  optionPath = 'auth',
): AdminAuthProvider {
  const none: AdminAuthProvider = { headers: () => ({}), invalidate: () => undefined }
  if (auth === undefined) return none
  if (auth === null || typeof auth !== 'object') throw new TypeError(`${optionPath} must be an object`)
  switch (auth.type) {
    case 'none':
      return none
    case 'basic': {
      const user = nonEmpty(auth.username, `${optionPath}.username`)
      const pass =
        typeof auth.password === 'string' ? auth.password : nonEmpty(auth.password, `${optionPath}.password`)
      if (user.includes(':')) throw new TypeError(`${optionPath}.username must not contain ':'`)
      const value = 'Basic ' + Buffer.from(`${user}:${pass}`, 'utf8').toString('base64')
      const h = { authorization: value }
      return { headers: () => h, invalidate: () => undefined }
    }
    case 'bearer': {
      const token = nonEmpty(auth.token, `${optionPath}.token`)
      if (!/^[\x21-\x7e]+$/.test(token))
        throw new TypeError(`${optionPath}.token has characters a header cannot carry`)
      const h = { authorization: `Bearer ${token}` }
      return { headers: () => h, invalidate: () => undefined }
    }
    case 'client_credentials':
      return clientCredentials(auth, context, optionPath)
    default:
      throw new TypeError(
        `${optionPath}.type must be 'none', 'basic', 'bearer' or 'client_credentials', got ${JSON.stringify((auth as { type?: unknown }).type)}`,
      )
  }
}

function clientCredentials(
  auth: Extract<AdminAuth, { type: 'client_credentials' }>,
  context: AdminAuthContext,
  optionPath: string,
): AdminAuthProvider {
  const tokenUrl = nonEmpty(auth.tokenUrl, `${optionPath}.tokenUrl`)
  try {
    new URL(tokenUrl)
  } catch {
    throw new TypeError(`${optionPath}.tokenUrl must be an absolute URL`)
  }
  const clientId = nonEmpty(auth.clientId, `${optionPath}.clientId`)
  const clientSecret = nonEmpty(auth.clientSecret, `${optionPath}.clientSecret`)
  const method = auth.clientAuthMethod ?? 'client_secret_basic'
  if (method !== 'client_secret_basic' && method !== 'client_secret_post') {
    throw new TypeError(
      `${optionPath}.clientAuthMethod must be 'client_secret_basic' or 'client_secret_post'`,
    )
  }
  const skew = auth.refreshSkewSeconds ?? 30
  if (!Number.isFinite(skew) || skew < 0) throw new TypeError(`${optionPath}.refreshSkewSeconds must be >= 0`)

  let current: { header: Record<string, string>; expiresAtMs: number } | undefined
  let inflight: Promise<Record<string, string>> | undefined

  const fetchToken = async (): Promise<Record<string, string>> => {
    const form = new URLSearchParams({ grant_type: 'client_credentials' })
    if (auth.scope !== undefined) form.set('scope', auth.scope)
    if (auth.audience !== undefined) form.set('audience', auth.audience)
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    }
    if (method === 'client_secret_basic') {
      // RFC 6749 §2.3.1: form-urlencode id and secret before base64.
      const enc = (s: string): string => encodeURIComponent(s).replace(/%20/g, '+')
      headers.authorization =
        'Basic ' + Buffer.from(`${enc(clientId)}:${enc(clientSecret)}`).toString('base64')
    } else {
      form.set('client_id', clientId)
      form.set('client_secret', clientSecret)
    }
    const started = performance.now()
    let status: number | undefined
    let failure: unknown
    try {
      const res = await httpRequest({
        method: 'POST',
        url: tokenUrl,
        headers,
        body: form.toString(),
        timeoutMs: context.timeoutMs,
        dispatcher: context.dispatcher,
        maxResponseBytes: 64 * 1024,
      })
      status = res.status
      const body = parseJsonSafe(res.body) as Record<string, unknown> | undefined
      if (res.status !== 200 || body === undefined || typeof body.access_token !== 'string') {
        const err = typeof body?.error === 'string' ? `: ${body.error}` : ''
        const retry = headerValue(res.headers, 'retry-after')
        throw new AdminAuthError(
          `client_credentials token request failed with HTTP ${res.status}${err}${retry ? ` (retry after ${retry})` : ''}`,
          res.status,
        )
      }
      if (!/^[\x21-\x7e]+$/.test(body.access_token)) {
        throw new AdminAuthError(
          'client_credentials token endpoint returned an unusable access_token',
          res.status,
        )
      }
      const expiresIn = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 300
      const header = { authorization: `Bearer ${body.access_token}` }
      current = { header, expiresAtMs: Date.now() + Math.max(0, expiresIn - skew) * 1000 }
      return header
    } catch (err) {
      failure = err
      if (err instanceof TransportError) {
        throw new AdminAuthError(`client_credentials token request: ${err.message}`, undefined, err)
      }
      throw err
    } finally {
      if (context.hooks?.onUpstream) {
        emit(context.hooks.onUpstream, {
          kind: 'token',
          method: 'POST',
          url: tokenUrl,
          status,
          durationMs: performance.now() - started,
          error: failure,
        })
      }
    }
  }

  return {
    headers: () => {
      if (current !== undefined && Date.now() < current.expiresAtMs) return current.header
      // One token request at a time, shared by every caller waiting on it.
      inflight ??= fetchToken().finally(() => {
        inflight = undefined
      })
      return inflight
    },
    invalidate: () => {
      current = undefined
    },
  }
}
