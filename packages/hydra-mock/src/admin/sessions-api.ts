import { missingQueryParameter, oauthError } from '../errors.js'
import type { MockRequest, MockResponse } from '../http/message.js'
import { emptyResponse, jsonResponse } from '../http/message.js'
import { paginate, readPaging } from '../http/paging.js'
import type { MockState } from '../state.js'
import type { ConsentSession } from '../store/sessions.js'

function view(c: ConsentSession): Record<string, unknown> {
  const out: Record<string, unknown> = {
    consent_request: structuredClone(c.consentRequest),
    consent_request_id: c.consentRequestId,
    grant_scope: [...c.grantScope],
    grant_access_token_audience: [...c.grantAudience],
    handled_at: new Date(c.handledAt).toISOString(),
    remember: c.remember,
    remember_for: c.rememberFor,
    session: structuredClone(c.session),
  }
  if (c.context !== undefined) out.context = structuredClone(c.context)
  return out
}

/**
 * `GET /admin/oauth2/auth/sessions/consent?subject=`: 400 without `subject`; newest first, one
 * page at a time (`page_size` 1 to 500, default 250; `page_token`) with Hydra's `Link` header.
 */
export function listConsentSessions(state: MockState, req: MockRequest): MockResponse {
  const q = req.url.searchParams
  const subject = q.get('subject')
  if (!subject) throw missingQueryParameter('subject')
  const paging = readPaging(req, 500)
  const sessions = state.sessions.listConsents(subject, q.get('login_session_id') || undefined)
  const page = paginate(sessions, req, paging)
  return jsonResponse(200, page.items.map(view), page.headers)
}

/**
 * `DELETE /admin/oauth2/auth/sessions/consent`: by `consent_request_id`, or `subject` with
 * `client` or `all=true`. Revokes the tokens issued under those consents, as Hydra does. 204.
 */
export function revokeConsentSessions(state: MockState, req: MockRequest): MockResponse {
  const q = req.url.searchParams
  const consentRequestId = q.get('consent_request_id') || undefined
  if (consentRequestId !== undefined) {
    state.sessions.revokeConsents({ consentRequestId })
    state.tokens.revokeWhere({ consentRequestId })
    return emptyResponse(204)
  }
  const subject = q.get('subject')
  if (!subject) throw missingQueryParameter('subject')
  const all = q.get('all') === 'true'
  const clientId = q.get('client') || undefined
  if (!all && clientId === undefined) {
    throw oauthError(
      'invalid_request',
      "Query parameter 'client' is not defined but should have been (or set 'all=true').",
    )
  }
  const filter = { subject, clientId: all ? undefined : clientId }
  state.sessions.revokeConsents(filter)
  state.tokens.revokeWhere(filter)
  return emptyResponse(204)
}

/** `DELETE /admin/oauth2/auth/sessions/login?subject=|sid=`: ends login sessions (no more skip). 204. */
export function revokeLoginSessions(state: MockState, req: MockRequest): MockResponse {
  const q = req.url.searchParams
  const subject = q.get('subject') || undefined
  const sid = q.get('sid') || undefined
  if (subject === undefined && sid === undefined) {
    throw oauthError('invalid_request', "Either 'subject' or 'sid' query parameters need to be defined.")
  }
  state.sessions.revokeLogins({ subject, sid })
  return emptyResponse(204)
}
