import { oauthError } from '../errors.js'
import type { OAuth2Error } from '../errors.js'
import { readForm } from '../http/body.js'
import { serializeCookie } from '../http/cookies.js'
import type { MockRequest, MockResponse } from '../http/message.js'
import { redirectResponse } from '../http/message.js'
import { withQuery } from '../http/url.js'
import type { MockState } from '../state.js'
import { obfuscateSubject } from '../subject.js'
import { SESSION_COOKIE, verifyIdTokenHint } from './authorize.js'

function toErrorPage(state: MockState, e: OAuth2Error): MockResponse {
  return redirectResponse(withQuery(state.urls.error, { error: e.error, error_description: e.description }))
}

function withState(uri: string, st: string | undefined): string {
  return st ? withQuery(uri, { state: st }) : uri
}

/**
 * `GET|POST /oauth2/sessions/logout`: OpenID Connect RP-initiated logout. With `id_token_hint`
 * (and optionally a registered `post_logout_redirect_uri` + `state`) or from the browser session
 * alone, it creates a logout request and sends the browser to the logout app with
 * `logout_challenge`. Without a session there is nothing to end: it redirects straight to the
 * post-logout URL. With `logout_verifier` (after the app accepted) it ends the login session,
 * clears the cookie and redirects.
 */
export async function logoutEndpoint(state: MockState, req: MockRequest): Promise<MockResponse> {
  const q = req.method === 'POST' ? await readForm(req) : req.url.searchParams
  const verifier = q.get('logout_verifier')
  if (verifier) return finishLogout(state, verifier)

  const now = state.clock.nowMs()
  const hint = q.get('id_token_hint') || undefined
  const postLogout = q.get('post_logout_redirect_uri') || undefined
  const st = q.get('state') || undefined
  if (postLogout && !hint) {
    return toErrorPage(
      state,
      oauthError(
        'invalid_request',
        'Logout failed because query parameter post_logout_redirect_uri is set but id_token_hint is missing.',
      ),
    )
  }
  let clientId: string | undefined
  let hintSubject: unknown
  if (hint) {
    const claims = await verifyIdTokenHint(state, hint)
    if (!claims)
      return toErrorPage(state, oauthError('invalid_request', 'Unable to validate the id_token_hint.'))
    const aud = Array.isArray(claims.aud) ? (claims.aud as unknown[])[0] : claims.aud
    const client = typeof aud === 'string' ? state.clients.get(aud) : undefined
    if (!client) {
      return toErrorPage(
        state,
        oauthError('invalid_request', 'The id_token_hint was issued to an unknown client.'),
      )
    }
    clientId = client.client.client_id
    hintSubject = claims.sub
    if (postLogout && !(client.client.post_logout_redirect_uris ?? []).includes(postLogout)) {
      return toErrorPage(
        state,
        oauthError(
          'invalid_request',
          'Logout failed because query parameter post_logout_redirect_uri is not a whitelisted as a post_logout_redirect_uri for the client.',
        ),
      )
    }
  }

  const session = state.sessions.validLogin(req.cookies.get(SESSION_COOKIE), now)
  if (!session) {
    return redirectResponse(postLogout ? withState(postLogout, st) : state.urls.postLogoutRedirect)
  }
  if (clientId !== undefined) {
    const client = state.clients.get(clientId)!
    const expected =
      obfuscateSubject(client.client, session.subject, undefined, state.pairwiseSalt) ?? session.subject
    if (hintSubject !== expected) {
      return toErrorPage(
        state,
        oauthError(
          'request_forbidden',
          'Logout failed because the subject of the id_token_hint does not match the subject of the current session.',
        ),
      )
    }
  }
  const request = state.logouts.create({
    subject: session.subject,
    sid: session.id,
    requestUrl: `${state.urls.public}${req.url.pathname}${req.url.search}`,
    rpInitiated: hint !== undefined,
    clientId,
    postLogoutRedirectUri: postLogout,
    state: st,
    requestedAt: now,
    expiresAt: now + state.options.ttl.loginConsentRequest * 1000,
  })
  return redirectResponse(withQuery(state.urls.logout, { logout_challenge: request.challenge }))
}

function finishLogout(state: MockState, verifier: string): MockResponse {
  const request = state.logouts.byVerifierValue(verifier)
  if (!request || !request.accepted || request.handled) {
    return toErrorPage(
      state,
      oauthError(
        'invalid_request',
        'The logout verifier has already been used, has not been granted, or is invalid.',
      ),
    )
  }
  if (state.clock.nowMs() > request.expiresAt) {
    return toErrorPage(
      state,
      oauthError('request_unauthorized', 'The logout request has expired, please try again.'),
    )
  }
  request.handled = true
  state.sessions.revokeLogins({ sid: request.sid })
  const clear = serializeCookie(SESSION_COOKIE, '', {
    maxAge: 0,
    secure: state.urls.public.startsWith('https:'),
  })
  const target = request.postLogoutRedirectUri
    ? withState(request.postLogoutRedirectUri, request.state)
    : state.urls.postLogoutRedirect
  return redirectResponse(target, [clear])
}
