import { missingQueryParameter, notFound, oauthError } from '../errors.js'
import { readJson } from '../http/body.js'
import type { MockRequest, MockResponse } from '../http/message.js'
import { jsonResponse } from '../http/message.js'
import { withQuery } from '../http/url.js'
import { consentRequestView, oidcContext } from '../public/authorize.js'
import type { MockState } from '../state.js'
import type { Flow, Rejection } from '../store/flows.js'
import { asObject, optBool, optInt, optRecord, optString, optStrings } from './fields.js'

const MAX_INT32 = 2 ** 31 - 1

/** Reads `<kind>_challenge`, falling back to `challenge` as Hydra does; 400 when both are missing. */
export function challengeParam(req: MockRequest, kind: 'login' | 'consent' | 'logout'): string {
  const q = req.url.searchParams
  const value = q.get(`${kind}_challenge`) || q.get('challenge')
  if (!value) throw missingQueryParameter('challenge')
  return value
}

function gone(redirectTo: string): MockResponse {
  return jsonResponse(410, { redirect_to: redirectTo })
}

function expired(kind: 'login' | 'consent'): never {
  throw oauthError('request_unauthorized', `The ${kind} request has expired, please try again.`)
}

/**
 * Finds the flow of a login challenge: 404 unknown, 401 older than `ttl.loginConsentRequest`,
 * and in `handledChallenges: 'gone'` mode 410 once the login verifier was used.
 */
function loginFlow(state: MockState, req: MockRequest): Flow | MockResponse {
  const flow = state.flows.byLoginChallenge(challengeParam(req, 'login'))
  if (!flow) throw notFound()
  if (state.clock.nowMs() > flow.requestedAt + state.options.ttl.loginConsentRequest * 1000) expired('login')
  if (state.options.handledChallenges === 'gone' && flow.loginUsed) return gone(flow.requestUrl)
  return flow
}

function consentFlow(state: MockState, req: MockRequest): Flow | MockResponse {
  const flow = state.flows.byConsentChallenge(challengeParam(req, 'consent'))
  if (!flow || flow.consentRequestedAt === undefined) throw notFound()
  if (state.clock.nowMs() > flow.consentRequestedAt + state.options.ttl.loginConsentRequest * 1000) {
    expired('consent')
  }
  if (state.options.handledChallenges === 'gone' && flow.consentUsed) return gone(flow.requestUrl)
  return flow
}

function isResponse(v: Flow | MockResponse): v is MockResponse {
  return 'status' in v
}

/** Hydra's `oAuth2LoginRequest`. */
export function loginRequestView(state: MockState, flow: Flow): Record<string, unknown> {
  const client = state.clients.get(flow.params.clientId)
  return {
    challenge: flow.loginChallenge,
    requested_scope: [...flow.params.scopes],
    requested_access_token_audience: [...flow.params.audience],
    skip: flow.loginSkip,
    subject: flow.loginSubject,
    oidc_context: oidcContext(flow),
    client: client ? structuredClone(client.client) : { client_id: flow.params.clientId },
    request_url: flow.requestUrl,
    session_id: flow.loginSessionId,
  }
}

async function readRejection(req: MockRequest): Promise<Rejection> {
  const body = asObject(await readJson(req))
  return {
    error: optString(body, 'error') || 'request_denied',
    errorDescription: optString(body, 'error_description') ?? '',
    errorHint: optString(body, 'error_hint') || undefined,
    statusCode: optInt(body, 'status_code', 100, 599) ?? 400,
  }
}

/** `GET /admin/oauth2/auth/requests/login`. */
export function getLoginRequest(state: MockState, req: MockRequest): MockResponse {
  const flow = loginFlow(state, req)
  if (isResponse(flow)) return flow
  return jsonResponse(200, loginRequestView(state, flow))
}

/**
 * `PUT /admin/oauth2/auth/requests/login/accept`: 400 for an empty `subject`. When the request was
 * skipped and the subject differs from the remembered one, Hydra answers with the original request
 * URL plus `prompt=login`, forcing a new login; on skip `remember` is forced to true.
 */
export async function acceptLoginRequest(state: MockState, req: MockRequest): Promise<MockResponse> {
  const flow = loginFlow(state, req)
  if (isResponse(flow)) return flow
  const body = asObject(await readJson(req))
  const subject = optString(body, 'subject') ?? ''
  if (subject === '') throw oauthError('invalid_request', "Field 'subject' must not be empty.")
  const remember = optBool(body, 'remember') ?? false
  const rememberFor = optInt(body, 'remember_for', 0, MAX_INT32) ?? 0
  const login = {
    subject,
    remember: flow.loginSkip ? true : remember,
    rememberFor,
    acr: optString(body, 'acr'),
    amr: optStrings(body, 'amr'),
    context: body.context === undefined ? undefined : structuredClone(body.context),
    forceSubjectIdentifier: optString(body, 'force_subject_identifier') || undefined,
    extendSessionLifespan: optBool(body, 'extend_session_lifespan') ?? false,
    identityProviderSessionId: optString(body, 'identity_provider_session_id') || undefined,
  }
  if (flow.loginSkip && subject !== flow.loginSubject) {
    return jsonResponse(200, { redirect_to: withQuery(flow.requestUrl, { prompt: 'login' }) })
  }
  const verifier = state.flows.issueVerifier(flow, 'login', {
    type: 'accept-login',
    login,
    acceptedAt: state.clock.nowMs(),
  })
  return jsonResponse(200, { redirect_to: withQuery(flow.requestUrl, { login_verifier: verifier }) })
}

/** `PUT /admin/oauth2/auth/requests/login/reject`: the error goes to the client via the verifier. */
export async function rejectLoginRequest(state: MockState, req: MockRequest): Promise<MockResponse> {
  const flow = loginFlow(state, req)
  if (isResponse(flow)) return flow
  const rejection = await readRejection(req)
  const verifier = state.flows.issueVerifier(flow, 'login', { type: 'reject', rejection })
  return jsonResponse(200, { redirect_to: withQuery(flow.requestUrl, { login_verifier: verifier }) })
}

/** `GET /admin/oauth2/auth/requests/consent`. */
export function getConsentRequest(state: MockState, req: MockRequest): MockResponse {
  const flow = consentFlow(state, req)
  if (isResponse(flow)) return flow
  return jsonResponse(200, consentRequestView(state, flow))
}

/**
 * `PUT /admin/oauth2/auth/requests/consent/accept`: `grant_scope` / `grant_access_token_audience`
 * become the token's scopes and audience, `session.access_token` its `ext`, `session.id_token`
 * extra ID token claims; `remember` + `remember_for` (0 = forever) let later requests skip.
 */
export async function acceptConsentRequest(state: MockState, req: MockRequest): Promise<MockResponse> {
  const flow = consentFlow(state, req)
  if (isResponse(flow)) return flow
  const body = asObject(await readJson(req))
  const session = optRecord(body, 'session') ?? {}
  const consent = {
    grantScope: optStrings(body, 'grant_scope') ?? [],
    grantAudience: optStrings(body, 'grant_access_token_audience') ?? [],
    remember: optBool(body, 'remember') ?? false,
    rememberFor: optInt(body, 'remember_for', 0, MAX_INT32) ?? 0,
    accessTokenSession: optRecord(session, 'access_token') ?? {},
    idTokenSession: optRecord(session, 'id_token') ?? {},
    context: body.context === undefined ? undefined : structuredClone(body.context),
  }
  const verifier = state.flows.issueVerifier(flow, 'consent', {
    type: 'accept-consent',
    consent,
    acceptedAt: state.clock.nowMs(),
  })
  return jsonResponse(200, { redirect_to: withQuery(flow.requestUrl, { consent_verifier: verifier }) })
}

/** `PUT /admin/oauth2/auth/requests/consent/reject`. */
export async function rejectConsentRequest(state: MockState, req: MockRequest): Promise<MockResponse> {
  const flow = consentFlow(state, req)
  if (isResponse(flow)) return flow
  const rejection = await readRejection(req)
  const verifier = state.flows.issueVerifier(flow, 'consent', { type: 'reject', rejection })
  return jsonResponse(200, { redirect_to: withQuery(flow.requestUrl, { consent_verifier: verifier }) })
}
