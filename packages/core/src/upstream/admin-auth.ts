import { httpUrl, nonEmptyString } from '../options/validate.js'
import { sanitizeText } from '../text/sanitize.js'
import { isWellFormedText } from '../text/well-formed.js'
import { UpstreamError, type UpstreamClient } from './client.js'
import { headerValue, parseJsonSafe } from './request.js'

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
  /** Deadline of one token request, in milliseconds. */
  timeoutMs: number
  /** The upstream client the token request goes through (its dispatcher and `onUpstream` hook). */
  upstream: UpstreamClient
}

/**
 * Thrown when a client-credentials token cannot be obtained. The message is safe to log: the
 * token endpoint's own text in it is sanitised (printable ASCII, bounded length).
 */
export class AdminAuthError extends Error {
  /** HTTP status of the token endpoint's answer; `undefined` when none arrived. */
  readonly upstreamStatus: number | undefined
  constructor(message: string, upstreamStatus?: number, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause })
    this.upstreamStatus = upstreamStatus
  }
  override get name(): string {
    return 'AdminAuthError'
  }
}

function wellFormed(value: string, path: string): void {
  if (!isWellFormedText(value)) throw new TypeError(`${path} must not contain a lone surrogate`)
}

/** A required non-empty string option (`undefined` is refused like `''`). */
function required(value: unknown, path: string): string {
  return nonEmptyString(value ?? '', '', path)
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
      const user = required(auth.username, `${optionPath}.username`)
      const pass =
        typeof auth.password === 'string' ? auth.password : required(auth.password, `${optionPath}.password`)
      if (user.includes(':')) throw new TypeError(`${optionPath}.username must not contain ':'`)
      const value = 'Basic ' + Buffer.from(`${user}:${pass}`, 'utf8').toString('base64')
      const h = { authorization: value }
      return { headers: () => h, invalidate: () => undefined }
    }
    case 'bearer': {
      const token = required(auth.token, `${optionPath}.token`)
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
  const tokenUrl = required(auth.tokenUrl, `${optionPath}.tokenUrl`)
  httpUrl(tokenUrl, `${optionPath}.tokenUrl`)
  const clientId = required(auth.clientId, `${optionPath}.clientId`)
  const clientSecret = required(auth.clientSecret, `${optionPath}.clientSecret`)
  // Both are form-urlencoded for every token request: a lone surrogate would throw a URIError there.
  wellFormed(clientId, `${optionPath}.clientId`)
  wellFormed(clientSecret, `${optionPath}.clientSecret`)
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
    let res
    try {
      res = await context.upstream.send({
        kind: 'token',
        method: 'POST',
        url: tokenUrl,
        headers,
        body: form.toString(),
        timeoutMs: context.timeoutMs,
        maxResponseBytes: 64 * 1024,
        label: 'client_credentials token request',
        accept: () => true,
      })
    } catch (err) {
      if (err instanceof UpstreamError) throw new AdminAuthError(err.message, undefined, err)
      throw err
    }
    const body = parseJsonSafe(res.body) as Record<string, unknown> | undefined
    if (res.status !== 200 || body === undefined || typeof body.access_token !== 'string') {
      // The endpoint's own words, made safe for a log: they end up in the `cause` of 503s.
      const err = typeof body?.error === 'string' ? `: ${sanitizeText(body.error, 100)}` : ''
      const retry = headerValue(res.headers, 'retry-after')
      const retryText = retry === undefined ? '' : ` (retry after ${sanitizeText(retry, 40)})`
      throw new AdminAuthError(
        `client_credentials token request failed with HTTP ${res.status}${err}${retryText}`,
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
