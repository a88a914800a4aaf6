// Checks that Hydra's answers have the fields hydrakit relies on, with the right types, before they
// are handed out as typed objects. Unknown fields pass through untouched; a `null` string array
// (Go's nil slice) becomes `[]`. A wrong shape is a HydraError of kind `response` whose message
// names the field but never echoes its value.

import { parseJsonSafe } from '../upstream/request.js'
import { HydraError } from './hydra-error.js'
import type {
  HealthReadiness,
  HealthStatus,
  HydraVersion,
  IntrospectedOAuth2Token,
  JsonWebKey,
  JsonWebKeySet,
  OAuth2Client,
  OAuth2ConsentRequest,
  OAuth2ConsentSession,
  OAuth2LoginRequest,
  OAuth2LogoutRequest,
  OAuth2RedirectTo,
  OAuth2TokenExchange,
  OidcConfiguration,
  OidcUserInfo,
  TrustedOAuth2JwtGrantIssuer,
} from './types.js'

type Obj = Record<string, unknown>

/** Field checks bound to one operation, so every failure names it. */
class Shape {
  constructor(readonly operation: string) {}

  fail(path: string, expectation: string): never {
    throw new HydraError({
      kind: 'response',
      operation: this.operation,
      message: `Hydra ${this.operation} returned an unexpected response: ${path === '' ? 'body' : `field "${path}"`} ${expectation}`,
    })
  }

  object(value: unknown, path: string): Obj {
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      this.fail(path, 'must be an object')
    return { ...(value as Obj) }
  }

  array(value: unknown, path: string): unknown[] {
    if (!Array.isArray(value)) this.fail(path, 'must be an array')
    return value
  }

  string(o: Obj, key: string, path: string, required: boolean, nonEmpty = false): void {
    const v = o[key]
    if (v === undefined && !required) return
    if (typeof v !== 'string') this.fail(join(path, key), 'must be a string')
    if (nonEmpty && v === '') this.fail(join(path, key), 'must not be empty')
  }

  boolean(o: Obj, key: string, path: string, required: boolean): void {
    const v = o[key]
    if (v === undefined && !required) return
    if (typeof v !== 'boolean') this.fail(join(path, key), 'must be a boolean')
  }

  number(o: Obj, key: string, path: string): void {
    const v = o[key]
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v)))
      this.fail(join(path, key), 'must be a number')
  }

  /** `required`: must be present (null allowed); `fill`: absent becomes `[]`; otherwise absent stays absent. */
  stringArray(o: Obj, key: string, path: string, mode: 'required' | 'fill' | 'optional'): void {
    const v = o[key]
    if (v === undefined) {
      if (mode === 'required') this.fail(join(path, key), 'is missing')
      if (mode === 'fill') o[key] = []
      return
    }
    if (v === null) {
      o[key] = []
      return
    }
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) {
      this.fail(join(path, key), 'must be an array of strings')
    }
    o[key] = [...v]
  }

  optionalObject(o: Obj, key: string, path: string, nullable = false): void {
    const v = o[key]
    if (v === undefined || (nullable && v === null)) return
    o[key] = this.object(v, join(path, key))
  }
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`
}

/** Parses a JSON body or fails naming the operation. */
export function readJson(operation: string, body: string): unknown {
  const parsed = parseJsonSafe(body)
  if (parsed === undefined) new Shape(operation).fail('', 'is not JSON')
  return parsed
}

function client(s: Shape, value: unknown, path: string): OAuth2Client {
  const o = s.object(value, path)
  s.string(o, 'client_id', path, true)
  for (const k of [
    'redirect_uris',
    'grant_types',
    'response_types',
    'audience',
    'post_logout_redirect_uris',
  ]) {
    s.stringArray(o, k, path, 'optional')
  }
  s.string(o, 'scope', path, false)
  return o
}

/** An `oAuth2Client` answer. */
export function parseOAuth2Client(operation: string, body: unknown): OAuth2Client {
  return client(new Shape(operation), body, '')
}

/** A list of `oAuth2Client`. */
export function parseOAuth2ClientList(operation: string, body: unknown): OAuth2Client[] {
  const s: Shape = new Shape(operation)
  return s.array(body, '').map((c, i) => client(s, c, `[${i}]`))
}

function loginRequest(s: Shape, value: unknown): OAuth2LoginRequest {
  const o = s.object(value, '')
  s.string(o, 'challenge', '', true, true)
  s.boolean(o, 'skip', '', true)
  s.string(o, 'subject', '', true)
  o.client = client(s, o.client, 'client')
  s.string(o, 'request_url', '', true)
  s.stringArray(o, 'requested_scope', '', 'required')
  s.stringArray(o, 'requested_access_token_audience', '', 'fill')
  s.string(o, 'session_id', '', false)
  s.optionalObject(o, 'oidc_context', '', true)
  return o as unknown as OAuth2LoginRequest
}

/** An `oAuth2LoginRequest` (v1 `loginRequest`). */
export function parseOAuth2LoginRequest(operation: string, body: unknown): OAuth2LoginRequest {
  return loginRequest(new Shape(operation), body)
}

function consentRequest(s: Shape, value: unknown, path: string): OAuth2ConsentRequest {
  const o = s.object(value, path)
  s.string(o, 'challenge', path, true, true)
  if (o.skip === undefined) o.skip = false
  s.boolean(o, 'skip', path, true)
  s.string(o, 'subject', path, true)
  o.client = client(s, o.client, join(path, 'client'))
  s.string(o, 'request_url', path, false)
  s.stringArray(o, 'requested_scope', path, 'required')
  s.stringArray(o, 'requested_access_token_audience', path, 'fill')
  s.stringArray(o, 'amr', path, 'optional')
  s.string(o, 'acr', path, false)
  s.string(o, 'login_challenge', path, false)
  s.string(o, 'login_session_id', path, false)
  s.string(o, 'consent_request_id', path, false)
  s.optionalObject(o, 'oidc_context', path, true)
  return o as unknown as OAuth2ConsentRequest
}

/** An `oAuth2ConsentRequest` (v1 `consentRequest`). */
export function parseOAuth2ConsentRequest(operation: string, body: unknown): OAuth2ConsentRequest {
  return consentRequest(new Shape(operation), body, '')
}

/** An `oAuth2LogoutRequest` (v1 `logoutRequest`). */
export function parseOAuth2LogoutRequest(operation: string, body: unknown): OAuth2LogoutRequest {
  const s: Shape = new Shape(operation)
  const o = s.object(body, '')
  for (const k of ['challenge', 'subject', 'sid', 'request_url']) s.string(o, k, '', false)
  s.boolean(o, 'rp_initiated', '', false)
  if (o.client !== undefined && o.client !== null) o.client = client(s, o.client, 'client')
  return o
}

/** An `oAuth2RedirectTo` (v1 `completedRequest` / `requestWasHandledResponse`): an absolute http(s) URL. */
export function parseOAuth2RedirectTo(operation: string, body: unknown): OAuth2RedirectTo {
  const s: Shape = new Shape(operation)
  const o = s.object(body, '')
  s.string(o, 'redirect_to', '', true, true)
  let url: URL | undefined
  try {
    url = new URL(o.redirect_to as string)
  } catch {
    url = undefined
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    s.fail('redirect_to', 'must be an absolute http(s) URL')
  }
  return o as unknown as OAuth2RedirectTo
}

/** A list of `oAuth2ConsentSession` (v1 `PreviousConsentSession`). */
export function parseOAuth2ConsentSessions(operation: string, body: unknown): OAuth2ConsentSession[] {
  const s: Shape = new Shape(operation)
  return s.array(body, '').map((item, i) => {
    const path = `[${i}]`
    const o = s.object(item, path)
    if (o.consent_request !== undefined && o.consent_request !== null) {
      o.consent_request = consentRequest(s, o.consent_request, join(path, 'consent_request'))
    }
    s.stringArray(o, 'grant_scope', path, 'fill')
    s.stringArray(o, 'grant_access_token_audience', path, 'fill')
    s.boolean(o, 'remember', path, false)
    s.number(o, 'remember_for', path)
    s.optionalObject(o, 'session', path, true)
    return o
  })
}

/** An `introspectedOAuth2Token` (v1 `oAuth2TokenIntrospection`). */
export function parseIntrospectedOAuth2Token(operation: string, body: unknown): IntrospectedOAuth2Token {
  const s: Shape = new Shape(operation)
  const o = s.object(body, '')
  s.boolean(o, 'active', '', true)
  for (const k of [
    'scope',
    'client_id',
    'sub',
    'iss',
    'token_type',
    'token_use',
    'username',
    'obfuscated_subject',
  ]) {
    s.string(o, k, '', false)
  }
  for (const k of ['exp', 'iat', 'nbf']) s.number(o, k, '')
  s.stringArray(o, 'aud', '', 'optional')
  s.optionalObject(o, 'ext', '', true)
  return o as IntrospectedOAuth2Token
}

function jwk(s: Shape, value: unknown, path: string): JsonWebKey {
  const o = s.object(value, path)
  s.string(o, 'kty', path, true, true)
  for (const k of ['kid', 'alg', 'use']) s.string(o, k, path, false)
  return o as JsonWebKey
}

/** A `jsonWebKey`. */
export function parseJsonWebKey(operation: string, body: unknown): JsonWebKey {
  return jwk(new Shape(operation), body, '')
}

/** A `jsonWebKeySet`. */
export function parseJsonWebKeySet(operation: string, body: unknown): JsonWebKeySet {
  const s: Shape = new Shape(operation)
  const o = s.object(body, '')
  const keys = s.array(o.keys, 'keys').map((k, i) => jwk(s, k, `keys[${i}]`))
  return { ...o, keys }
}

function trustedIssuer(s: Shape, value: unknown, path: string): TrustedOAuth2JwtGrantIssuer {
  const o = s.object(value, path)
  s.string(o, 'id', path, true, true)
  s.string(o, 'issuer', path, false)
  s.stringArray(o, 'scope', path, 'optional')
  s.optionalObject(o, 'public_key', path, true)
  return o as TrustedOAuth2JwtGrantIssuer
}

/** A `trustedOAuth2JwtGrantIssuer`. */
export function parseTrustedOAuth2JwtGrantIssuer(
  operation: string,
  body: unknown,
): TrustedOAuth2JwtGrantIssuer {
  return trustedIssuer(new Shape(operation), body, '')
}

/** A list of `trustedOAuth2JwtGrantIssuer`. */
export function parseTrustedOAuth2JwtGrantIssuers(
  operation: string,
  body: unknown,
): TrustedOAuth2JwtGrantIssuer[] {
  const s: Shape = new Shape(operation)
  return s.array(body, '').map((t, i) => trustedIssuer(s, t, `[${i}]`))
}

/** A `healthStatus`. */
export function parseHealthStatus(operation: string, body: unknown): HealthStatus {
  const s: Shape = new Shape(operation)
  const o = s.object(body, '')
  s.string(o, 'status', '', true)
  return o as unknown as HealthStatus
}

/**
 * `isReady`: 200 `{status}` or 503 `{errors}`. A 503 is "not ready" whatever its body (a proxy's
 * page included); only its string-valued `errors` are kept.
 */
export function parseHealthReadiness(operation: string, status: number, body: unknown): HealthReadiness {
  if (status === 503) {
    const errors: Record<string, string> = {}
    const raw = body !== null && typeof body === 'object' ? (body as Obj).errors : undefined
    if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
      for (const [k, v] of Object.entries(raw as Obj)) if (typeof v === 'string') errors[k] = v
    }
    return { ready: false, errors }
  }
  const s: Shape = new Shape(operation)
  const o = s.object(body, '')
  s.string(o, 'status', '', true)
  return { ready: true, status: o.status as string }
}

/** `getVersion`. */
export function parseHydraVersion(operation: string, body: unknown): HydraVersion {
  const s: Shape = new Shape(operation)
  const o = s.object(body, '')
  s.string(o, 'version', '', true)
  return o as unknown as HydraVersion
}

/** A token endpoint answer. */
export function parseOAuth2TokenExchange(operation: string, body: unknown): OAuth2TokenExchange {
  const s: Shape = new Shape(operation)
  const o = s.object(body, '')
  s.string(o, 'access_token', '', true, true)
  s.string(o, 'token_type', '', true, true)
  s.number(o, 'expires_in', '')
  for (const k of ['refresh_token', 'id_token', 'scope']) s.string(o, k, '', false)
  return o as OAuth2TokenExchange
}

/** An OpenID Connect discovery document. */
export function parseOidcConfiguration(operation: string, body: unknown): OidcConfiguration {
  const s: Shape = new Shape(operation)
  const o = s.object(body, '')
  for (const k of ['issuer', 'authorization_endpoint', 'token_endpoint', 'jwks_uri'])
    s.string(o, k, '', true, true)
  for (const k of ['userinfo_endpoint', 'revocation_endpoint', 'end_session_endpoint'])
    s.string(o, k, '', false)
  return o as OidcConfiguration
}

/** A userinfo answer. */
export function parseOidcUserInfo(operation: string, body: unknown): OidcUserInfo {
  const s: Shape = new Shape(operation)
  const o = s.object(body, '')
  s.string(o, 'sub', '', true, true)
  return o as OidcUserInfo
}
