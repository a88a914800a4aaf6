import { notFound } from '../errors.js'
import type { MockRequest, MockResponse } from '../http/message.js'
import { emptyResponse, jsonResponse } from '../http/message.js'
import type { MockState } from '../state.js'
import type { LogoutRequest } from '../store/logouts.js'
import { challengeParam } from './flows-api.js'

function find(state: MockState, req: MockRequest): LogoutRequest | MockResponse {
  const request = state.logouts.get(challengeParam(req, 'logout'))
  if (!request) throw notFound()
  if (request.handled) return jsonResponse(410, { redirect_to: request.requestUrl })
  return request
}

function isResponse(v: LogoutRequest | MockResponse): v is MockResponse {
  return 'status' in v
}

/** Hydra's `oAuth2LogoutRequest`. */
function view(state: MockState, r: LogoutRequest): Record<string, unknown> {
  const client = r.clientId === undefined ? undefined : state.clients.get(r.clientId)
  const out: Record<string, unknown> = {
    challenge: r.challenge,
    subject: r.subject,
    sid: r.sid,
    request_url: r.requestUrl,
    rp_initiated: r.rpInitiated,
  }
  // The spec's `client` is an object: a logout no client started has none, so it is left out.
  if (client) out.client = structuredClone(client.client)
  out.expires_at = new Date(r.expiresAt).toISOString()
  out.requested_at = new Date(r.requestedAt).toISOString()
  return out
}

/** `GET /admin/oauth2/auth/requests/logout`: 404 unknown, 410 `{redirect_to}` once handled. */
export function getLogoutRequest(state: MockState, req: MockRequest): MockResponse {
  const r = find(state, req)
  return isResponse(r) ? r : jsonResponse(200, view(state, r))
}

/**
 * `PUT /admin/oauth2/auth/requests/logout/accept`: `{redirect_to: <public>/oauth2/sessions/logout?logout_verifier=…}`.
 * A handled request answers 410 like GET does.
 */
export function acceptLogoutRequest(state: MockState, req: MockRequest): MockResponse {
  const r = find(state, req)
  if (isResponse(r)) return r
  const verifier = state.logouts.accept(r)
  const redirectTo = new URL(`${state.urls.public}/oauth2/sessions/logout`)
  redirectTo.searchParams.set('logout_verifier', verifier)
  return jsonResponse(200, { redirect_to: redirectTo.toString() })
}

/** `PUT /admin/oauth2/auth/requests/logout/reject`: 204, the request is deleted and the session kept. */
export function rejectLogoutRequest(state: MockState, req: MockRequest): MockResponse {
  const r = find(state, req)
  if (isResponse(r)) return r
  state.logouts.reject(r)
  return emptyResponse(204)
}
