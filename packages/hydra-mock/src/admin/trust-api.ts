import { notFound, oauthError } from '../errors.js'
import { readJson } from '../http/body.js'
import type { MockRequest, MockResponse } from '../http/message.js'
import { emptyResponse, jsonResponse } from '../http/message.js'
import { paginate, readPaging } from '../http/paging.js'
import type { MockState } from '../state.js'
import type { TrustedIssuer } from '../store/trust.js'
import { asObject } from './fields.js'

/** Hydra's `trustedOAuth2JwtGrantIssuer`; the key is referenced by set (the issuer) and kid. */
function view(t: TrustedIssuer): Record<string, unknown> {
  return {
    id: t.id,
    issuer: t.issuer,
    subject: t.subject,
    allow_any_subject: t.allowAnySubject,
    scope: [...t.scope],
    public_key: { set: t.issuer, kid: t.jwk.kid },
    created_at: new Date(t.createdAt).toISOString(),
    expires_at: new Date(t.expiresAt).toISOString(),
  }
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/

/**
 * `POST /admin/trust/grants/jwt-bearer/issuers`: trusts `issuer` to assert `subject` (or any
 * subject with `allow_any_subject`) for `scope`, verified with `jwk`, until `expires_at`.
 * 201; 400 naming the field; 409 when the same issuer, subject and key id are already trusted.
 */
export async function trustIssuer(state: MockState, req: MockRequest): Promise<MockResponse> {
  const body = asObject(await readJson(req))
  const bad = (hint: string): never => {
    throw oauthError('invalid_request', hint)
  }
  const issuer = body.issuer
  if (typeof issuer !== 'string' || issuer === '') bad("Field 'issuer' is required.")
  const subject = body.subject ?? ''
  const allowAny = body.allow_any_subject ?? false
  if (typeof subject !== 'string') bad("Field 'subject' must be a string.")
  if (typeof allowAny !== 'boolean') bad("Field 'allow_any_subject' must be a boolean.")
  if (subject === '' && !allowAny) bad("One of 'subject' or 'allow_any_subject' field must be set.")
  if (subject !== '' && allowAny) {
    bad("Both 'subject' and 'allow_any_subject' fields cannot be set at the same time.")
  }
  const scope = body.scope
  if (!Array.isArray(scope) || !scope.every((s) => typeof s === 'string' && s !== '' && !/\s/.test(s))) {
    bad("Field 'scope' is required and must be an array of scope strings.")
  }
  const expiresRaw = body.expires_at
  const expiresAt = typeof expiresRaw === 'string' && RFC3339.test(expiresRaw) ? Date.parse(expiresRaw) : NaN
  if (Number.isNaN(expiresAt)) bad("Field 'expires_at' is required and must be an RFC 3339 date-time.")
  if (expiresAt <= state.clock.nowMs()) bad("Field 'expires_at' must be in the future.")
  const jwk = body.jwk
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) bad("Field 'jwk' is required.")
  const key = jwk as Record<string, unknown>
  for (const f of ['kty', 'kid', 'alg', 'use']) {
    if (typeof key[f] !== 'string' || key[f] === '') bad(`Field 'jwk' must have a non-empty string '${f}'.`)
  }
  if (key.kty === 'oct') bad("Field 'jwk' must be an asymmetric public key, not a shared secret.")
  let trusted: TrustedIssuer | undefined
  try {
    trusted = await state.trust.add({
      issuer: issuer as string,
      subject: subject as string,
      allowAnySubject: allowAny as boolean,
      scope: [...(scope as string[])],
      jwk: structuredClone(key) as TrustedIssuer['jwk'],
      createdAt: state.clock.nowMs(),
      expiresAt,
    })
  } catch (e) {
    bad(`Field 'jwk' could not be imported: ${e instanceof Error ? e.message : String(e)}.`)
  }
  if (!trusted) throw oauthError('Conflict')
  return jsonResponse(201, view(trusted))
}

/** `GET /admin/trust/grants/jwt-bearer/issuers/{id}`: 404 when unknown. */
export function getTrustedIssuer(state: MockState, id: string): MockResponse {
  const t = state.trust.get(id)
  if (!t) throw notFound()
  return jsonResponse(200, view(t))
}

/**
 * `GET /admin/trust/grants/jwt-bearer/issuers` (`issuer` filter): one page at a time (`page_size`
 * 1 to 1000, default 250) with Hydra's `Link` header.
 */
export function listTrustedIssuers(state: MockState, req: MockRequest): MockResponse {
  const paging = readPaging(req, 1000)
  const issuer = req.url.searchParams.get('issuer') || undefined
  const page = paginate(state.trust.list(issuer), req, paging)
  return jsonResponse(200, page.items.map(view), page.headers)
}

/** `DELETE /admin/trust/grants/jwt-bearer/issuers/{id}`: 204; 404 when unknown. */
export function deleteTrustedIssuer(state: MockState, id: string): MockResponse {
  if (!state.trust.delete(id)) throw notFound()
  return emptyResponse(204)
}
