import { parseJsonSafe, type HttpResponse } from '../http/request.js'
import { createAdminAuthProvider, type AdminAuth } from './admin-auth.js'
import { HydraError } from './hydra-error.js'
import {
  createHydraTransport,
  createOwnedAgent,
  normalizeBaseUrl,
  resolveHttpOptions,
  type HydraCall,
  type HydraCallOptions,
  type HydraHttpOptions,
} from './hydra-transport.js'
import {
  pageQuery,
  toPage,
  type HydraApiVersion,
  type HydraPage,
  type HydraPageCursor,
} from './pagination.js'
import {
  parseHealthReadiness,
  parseHealthStatus,
  parseHydraVersion,
  parseIntrospectedOAuth2Token,
  parseJsonWebKey,
  parseJsonWebKeySet,
  parseOAuth2Client,
  parseOAuth2ClientList,
  parseOAuth2ConsentRequest,
  parseOAuth2ConsentSessions,
  parseOAuth2LoginRequest,
  parseOAuth2LogoutRequest,
  parseOAuth2RedirectTo,
  parseTrustedOAuth2JwtGrantIssuer,
  parseTrustedOAuth2JwtGrantIssuers,
  readJson,
} from './response-shapes.js'
import type {
  AcceptOAuth2ConsentRequest,
  AcceptOAuth2LoginRequest,
  CreateJsonWebKeySet,
  HealthReadiness,
  HealthStatus,
  HydraVersion,
  IntrospectedOAuth2Token,
  JsonPatchDocument,
  JsonWebKey,
  JsonWebKeyInput,
  JsonWebKeySet,
  JsonWebKeySetInput,
  OAuth2Client,
  OAuth2ClientTokenLifespans,
  OAuth2ConsentRequest,
  OAuth2ConsentSession,
  OAuth2LoginRequest,
  OAuth2LogoutRequest,
  OAuth2RedirectTo,
  RejectOAuth2Request,
  TrustedOAuth2JwtGrantIssuer,
  TrustOAuth2JwtGrantIssuer,
} from './types.js'

/** Options of {@link createHydraAdminClient}. */
export interface HydraAdminClientOptions extends HydraHttpOptions {
  /**
   * Base URL of Hydra's admin API, e.g. `http://hydra:4445` or, for Ory Network,
   * `https://<slug>.projects.oryapis.com`. A path prefix (a gateway) is kept; a trailing slash
   * is ignored. Required; must not carry a query, fragment or credentials.
   */
  adminUrl: string
  /**
   * `v2` (default): Hydra v2.x, v25+, v26 and Ory Network, paths under `/admin/...`.
   * `v1`: Hydra v1.x, un-prefixed paths (`/clients`, `/oauth2/auth/requests/login`, `/keys/{set}`).
   */
  apiVersion?: HydraApiVersion | undefined
  /**
   * How to authenticate to the admin API: `{type:'none'}` (default; self-hosted Hydra relies on
   * network isolation), `basic`, `bearer` (Ory Network API key) or `client_credentials`
   * (a token fetched and refreshed for you; after a 401 it is dropped and the call is tried once
   * more with a fresh one).
   */
  auth?: AdminAuth | undefined
}

/**
 * Result of `getOAuth2LoginRequest`, `getOAuth2ConsentRequest` and `getOAuth2LogoutRequest`:
 * either the request is still `pending` (Hydra answered 200), or it was already `handled`
 * (Hydra answered 410 Gone) and the browser should go to `redirectTo`, an absolute http(s) URL
 * Hydra sent.
 *
 * @example
 * ```ts
 * const r = await admin.getOAuth2LoginRequest(challenge)
 * if (r.status === 'handled') return res.redirect(r.redirectTo)
 * if (r.request.skip) ...
 * ```
 */
export type FlowRequestResult<T> =
  | { status: 'pending'; request: T; redirectTo?: undefined }
  | { status: 'handled'; redirectTo: string; request?: undefined }

/** Filters of {@link HydraAdminClient.listOAuth2Clients}. */
export interface ListOAuth2ClientsParams extends HydraPageCursor {
  /** Only clients with this exact `client_name`. */
  clientName?: string | undefined
  /** Only clients with this `owner`. */
  owner?: string | undefined
}

/** Filters of {@link HydraAdminClient.listOAuth2ConsentSessions}. */
export interface ListOAuth2ConsentSessionsParams extends HydraPageCursor {
  /** v2 only: only the consents granted in this login session. */
  loginSessionId?: string | undefined
}

/** Filters of {@link HydraAdminClient.listTrustedOAuth2JwtGrantIssuers}. */
export interface ListTrustedOAuth2JwtGrantIssuersParams extends HydraPageCursor {
  /** Only grants of this issuer. */
  issuer?: string | undefined
}

/**
 * Which consent sessions `revokeOAuth2ConsentSessions` revokes (and the tokens issued from them):
 * those of one subject for one client, all of one subject, or (v2 only) the token chains of one
 * consent request.
 */
export type RevokeOAuth2ConsentSessionsTarget =
  | { subject: string; client: string; all?: undefined; consentRequestId?: undefined }
  | { subject: string; all: true; client?: undefined; consentRequestId?: undefined }
  | { consentRequestId: string; subject?: undefined; client?: undefined; all?: undefined }

/**
 * Which login sessions `revokeOAuth2LoginSessions` ends: every session of a subject, or (v2 only)
 * one session by its id (which also triggers OIDC back-channel logout).
 */
export type RevokeOAuth2LoginSessionsTarget =
  { subject: string; sid?: undefined } | { sid: string; subject?: undefined }

/**
 * Typed client of Hydra's admin API. Method names are Hydra's v26 operationIds; bodies and answers
 * use Hydra's snake_case wire names. Every method rejects with a {@link HydraError} when Hydra
 * fails (or a TypeError for a bad argument) and accepts {@link HydraCallOptions} last.
 */
export interface HydraAdminClient {
  /** The API generation this client speaks. */
  readonly apiVersion: HydraApiVersion
  /** The normalized admin base URL (no trailing slash). */
  readonly adminUrl: string

  /** Creates an OAuth 2.0 client (201). The answer carries `client_secret` once. */
  createOAuth2Client(client: OAuth2Client, options?: HydraCallOptions): Promise<OAuth2Client>
  /** Reads a client by id (404 → HydraError). */
  getOAuth2Client(id: string, options?: HydraCallOptions): Promise<OAuth2Client>
  /** Lists clients, one page at a time; follow `page.next`. */
  listOAuth2Clients(
    params?: ListOAuth2ClientsParams,
    options?: HydraCallOptions,
  ): Promise<HydraPage<OAuth2Client>>
  /** Replaces a client (PUT; v1 `updateOAuth2Client`). */
  setOAuth2Client(id: string, client: OAuth2Client, options?: HydraCallOptions): Promise<OAuth2Client>
  /** Changes a client with an RFC 6902 JSON Patch. */
  patchOAuth2Client(id: string, patch: JsonPatchDocument, options?: HydraCallOptions): Promise<OAuth2Client>
  /** Deletes a client (204). */
  deleteOAuth2Client(id: string, options?: HydraCallOptions): Promise<void>
  /** Sets a client's per-grant token lifespans (v1 `UpdateOAuth2ClientLifespans`). */
  setOAuth2ClientLifespans(
    id: string,
    lifespans: OAuth2ClientTokenLifespans,
    options?: HydraCallOptions,
  ): Promise<OAuth2Client>

  /** Reads a login request; a 410 (already handled) resolves as `{status:'handled', redirectTo}`. */
  getOAuth2LoginRequest(
    loginChallenge: string,
    options?: HydraCallOptions,
  ): Promise<FlowRequestResult<OAuth2LoginRequest>>
  /** Accepts a login: the user is `body.subject`. Resolves with where to send the browser. */
  acceptOAuth2LoginRequest(
    loginChallenge: string,
    body: AcceptOAuth2LoginRequest,
    options?: HydraCallOptions,
  ): Promise<OAuth2RedirectTo>
  /** Rejects a login; Hydra sends `body.error` to the client's redirect_uri. */
  rejectOAuth2LoginRequest(
    loginChallenge: string,
    body?: RejectOAuth2Request,
    options?: HydraCallOptions,
  ): Promise<OAuth2RedirectTo>
  /** Reads a consent request; a 410 resolves as `{status:'handled', redirectTo}`. */
  getOAuth2ConsentRequest(
    consentChallenge: string,
    options?: HydraCallOptions,
  ): Promise<FlowRequestResult<OAuth2ConsentRequest>>
  /** Grants consent (scopes, audiences, session claims). */
  acceptOAuth2ConsentRequest(
    consentChallenge: string,
    body: AcceptOAuth2ConsentRequest,
    options?: HydraCallOptions,
  ): Promise<OAuth2RedirectTo>
  /** Denies consent. */
  rejectOAuth2ConsentRequest(
    consentChallenge: string,
    body?: RejectOAuth2Request,
    options?: HydraCallOptions,
  ): Promise<OAuth2RedirectTo>
  /** Reads a logout request; a 410 resolves as `{status:'handled', redirectTo}`. */
  getOAuth2LogoutRequest(
    logoutChallenge: string,
    options?: HydraCallOptions,
  ): Promise<FlowRequestResult<OAuth2LogoutRequest>>
  /** Confirms a logout; resolves with Hydra's `redirect_to` (its logout verifier URL). */
  acceptOAuth2LogoutRequest(logoutChallenge: string, options?: HydraCallOptions): Promise<OAuth2RedirectTo>
  /**
   * Cancels a logout. Hydra answers 204 with no body, so this resolves with `undefined`: there is
   * no `redirect_to`, your app decides where the user goes.
   */
  rejectOAuth2LogoutRequest(logoutChallenge: string, options?: HydraCallOptions): Promise<void>

  /** Lists the consents a subject granted (v1 `listSubjectConsentSessions`). */
  listOAuth2ConsentSessions(
    subject: string,
    params?: ListOAuth2ConsentSessionsParams,
    options?: HydraCallOptions,
  ): Promise<HydraPage<OAuth2ConsentSession>>
  /** Revokes consent sessions and their tokens (v1 `revokeConsentSessions`). */
  revokeOAuth2ConsentSessions(
    target: RevokeOAuth2ConsentSessionsTarget,
    options?: HydraCallOptions,
  ): Promise<void>
  /** Ends login sessions, so the user must log in again (v1 `revokeAuthenticationSession`). */
  revokeOAuth2LoginSessions(
    target: RevokeOAuth2LoginSessionsTarget,
    options?: HydraCallOptions,
  ): Promise<void>

  /**
   * RFC 7662 introspection. An unknown, expired or revoked token is `{active:false}` (HTTP 200),
   * not an error. `scope`: scopes the token must all have, else it is reported inactive.
   */
  introspectOAuth2Token(
    token: string,
    params?: { scope?: string | readonly string[] | undefined },
    options?: HydraCallOptions,
  ): Promise<IntrospectedOAuth2Token>
  /** Deletes every access token issued to a client. */
  deleteOAuth2Token(clientId: string, options?: HydraCallOptions): Promise<void>
  /**
   * v1 only: deletes expired tokens, keeping those that expired after `notAfter`. On v2 it rejects
   * with an `unsupported` HydraError without calling Hydra (use `hydra janitor`).
   */
  flushInactiveOAuth2Tokens(
    params?: { notAfter?: Date | string | undefined },
    options?: HydraCallOptions,
  ): Promise<void>

  /** Generates a key set (201). */
  createJsonWebKeySet(
    set: string,
    body: CreateJsonWebKeySet,
    options?: HydraCallOptions,
  ): Promise<JsonWebKeySet>
  /** Reads a key set. */
  getJsonWebKeySet(set: string, options?: HydraCallOptions): Promise<JsonWebKeySet>
  /** Reads one key; Hydra wraps it in a key set. */
  getJsonWebKey(set: string, kid: string, options?: HydraCallOptions): Promise<JsonWebKeySet>
  /** Replaces a key set (v1 `updateJsonWebKeySet`). */
  setJsonWebKeySet(set: string, jwks: JsonWebKeySetInput, options?: HydraCallOptions): Promise<JsonWebKeySet>
  /** Replaces one key (v1 `updateJsonWebKey`). */
  setJsonWebKey(
    set: string,
    kid: string,
    jwk: JsonWebKeyInput,
    options?: HydraCallOptions,
  ): Promise<JsonWebKey>
  /** Deletes a key set. */
  deleteJsonWebKeySet(set: string, options?: HydraCallOptions): Promise<void>
  /** Deletes one key. */
  deleteJsonWebKey(set: string, kid: string, options?: HydraCallOptions): Promise<void>

  /** Trusts an issuer for the RFC 7523 JWT bearer grant (201; v1 `trustJwtGrantIssuer`). */
  trustOAuth2JwtGrantIssuer(
    body: TrustOAuth2JwtGrantIssuer,
    options?: HydraCallOptions,
  ): Promise<TrustedOAuth2JwtGrantIssuer>
  /** Reads a trusted issuer grant by id. */
  getTrustedOAuth2JwtGrantIssuer(id: string, options?: HydraCallOptions): Promise<TrustedOAuth2JwtGrantIssuer>
  /** Lists trusted issuer grants. */
  listTrustedOAuth2JwtGrantIssuers(
    params?: ListTrustedOAuth2JwtGrantIssuersParams,
    options?: HydraCallOptions,
  ): Promise<HydraPage<TrustedOAuth2JwtGrantIssuer>>
  /** Deletes a trusted issuer grant. */
  deleteTrustedOAuth2JwtGrantIssuer(id: string, options?: HydraCallOptions): Promise<void>

  /** `GET /health/alive`: the process is up. */
  isAlive(options?: HydraCallOptions): Promise<HealthStatus>
  /** `GET /health/ready`: 200 resolves `{ready:true}`, 503 resolves `{ready:false, errors}`. */
  isReady(options?: HydraCallOptions): Promise<HealthReadiness>
  /** `GET /version`. */
  getVersion(options?: HydraCallOptions): Promise<HydraVersion>
  /**
   * Prometheus metrics as text: `GET /metrics/prometheus` (v1) or `GET /admin/metrics/prometheus` (v2).
   */
  getPrometheusMetrics(options?: HydraCallOptions): Promise<string>

  /** Closes the client's own connection pool (not a dispatcher you passed). Later calls reject. */
  close(): Promise<void>
}

type Body = Record<string, unknown>

function requireString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${name} must be a non-empty string`)
  return value
}

/** One path segment: percent-encoded, so `/`, `?`, `#` and `%` can never change the path. */
function segment(value: unknown, name: string): string {
  const s = requireString(value, name)
  // `.` and `..` would be removed by URL normalisation and address another resource.
  if (s === '.' || s === '..') throw new TypeError(`${name} must not be "." or ".."`)
  return encodeURIComponent(s)
}

function requireObject(value: unknown, name: string): Body {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`${name} must be an object`)
  }
  return value as Body
}

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined
  return requireString(value, name)
}

function scopeString(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined
  if (typeof value === 'string') return value
  if (Array.isArray(value) && value.every((s) => typeof s === 'string' && s !== '' && !/\s/.test(s))) {
    return value.join(' ')
  }
  throw new TypeError(`${name} must be a string or an array of scope strings`)
}

/**
 * Creates a typed client of Hydra's admin API. Options are validated now: a bad one throws a
 * TypeError naming it (e.g. `adminUrl must be an absolute URL`).
 *
 * @example
 * ```ts
 * const admin = createHydraAdminClient({ adminUrl: 'http://hydra:4445' })
 * const login = await admin.getOAuth2LoginRequest(challenge)
 * if (login.status === 'handled') return redirect(login.redirectTo)
 * const { redirect_to } = await admin.acceptOAuth2LoginRequest(challenge, { subject: user.id, remember: true })
 * ```
 */
export function createHydraAdminClient(options: HydraAdminClientOptions): HydraAdminClient {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object')
  const adminUrl = normalizeBaseUrl(options.adminUrl, 'adminUrl')
  const version = options.apiVersion ?? 'v2'
  if (version !== 'v2' && version !== 'v1') throw new TypeError(`apiVersion must be 'v2' or 'v1'`)
  const http = resolveHttpOptions(options, adminUrl, '')
  const ownsDispatcher = http.dispatcher === undefined
  const dispatcher = http.dispatcher ?? createOwnedAgent()
  const authProvider = createAdminAuthProvider(options.auth, {
    timeoutMs: http.timeoutMs,
    dispatcher,
    hooks: http.hooks,
  })
  const refreshable = options.auth?.type === 'client_credentials'
  const transport = createHydraTransport(
    { ...http, dispatcher, ownsDispatcher },
    {
      headers: () => authProvider.headers(),
      onUnauthorized: () => {
        authProvider.invalidate()
        return refreshable
      },
    },
  )

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

  const client: HydraAdminClient = {
    apiVersion: version,
    adminUrl,

    async createOAuth2Client(body, options) {
      const c = requireObject(body, 'client')
      return json(
        {
          operation: 'createOAuth2Client',
          method: 'POST',
          path: `${admin}/clients`,
          json: c,
          eventKind: 'admin',
          options,
        },
        parseOAuth2Client,
      )
    },

    async getOAuth2Client(id, options) {
      const path = `${admin}/clients/${segment(id, 'id')}`
      return json(
        { operation: 'getOAuth2Client', method: 'GET', path, eventKind: 'admin', options },
        parseOAuth2Client,
      )
    },

    async listOAuth2Clients(params, options) {
      const p = listParams(params, 'params') as ListOAuth2ClientsParams
      const query = {
        ...pageQuery(p, version, 'params'),
        client_name: optionalString(p.clientName, 'params.clientName'),
        owner: optionalString(p.owner, 'params.owner'),
      }
      return page(
        {
          operation: 'listOAuth2Clients',
          method: 'GET',
          path: `${admin}/clients`,
          query,
          eventKind: 'admin',
          options,
        },
        parseOAuth2ClientList,
      )
    },

    async setOAuth2Client(id, body, options) {
      const path = `${admin}/clients/${segment(id, 'id')}`
      const c = requireObject(body, 'client')
      return json(
        { operation: 'setOAuth2Client', method: 'PUT', path, json: c, eventKind: 'admin', options },
        parseOAuth2Client,
      )
    },

    async patchOAuth2Client(id, patch, options) {
      const path = `${admin}/clients/${segment(id, 'id')}`
      if (!Array.isArray(patch)) throw new TypeError('patch must be a JSON Patch array')
      patch.forEach((p, i) => {
        const o = requireObject(p, `patch[${i}]`)
        requireString(o.op, `patch[${i}].op`)
        if (typeof o.path !== 'string') throw new TypeError(`patch[${i}].path must be a string`)
      })
      return json(
        { operation: 'patchOAuth2Client', method: 'PATCH', path, json: patch, eventKind: 'admin', options },
        parseOAuth2Client,
      )
    },

    async deleteOAuth2Client(id, options) {
      const path = `${admin}/clients/${segment(id, 'id')}`
      return nothing({ operation: 'deleteOAuth2Client', method: 'DELETE', path, eventKind: 'admin', options })
    },

    async setOAuth2ClientLifespans(id, lifespans, options) {
      const path = `${admin}/clients/${segment(id, 'id')}/lifespans`
      const body = requireObject(lifespans, 'lifespans')
      return json(
        {
          operation: 'setOAuth2ClientLifespans',
          method: 'PUT',
          path,
          json: body,
          eventKind: 'admin',
          options,
        },
        parseOAuth2Client,
      )
    },

    async getOAuth2LoginRequest(challenge, options) {
      const c = requireString(challenge, 'loginChallenge')
      return flowGet('getOAuth2LoginRequest', 'login', c, parseOAuth2LoginRequest, options)
    },

    async acceptOAuth2LoginRequest(challenge, body, options) {
      const operation = 'acceptOAuth2LoginRequest'
      const c = requireString(challenge, 'loginChallenge')
      const b = requireObject(body, 'body')
      requireString(b.subject, 'body.subject')
      if (v1) {
        for (const field of ['extend_session_lifespan', 'identity_provider_session_id']) {
          if (b[field] !== undefined) throw unsupported(operation, `body.${field}`)
        }
      }
      return json(flowPut(operation, 'login', 'accept', c, b, options), parseOAuth2RedirectTo)
    },

    async rejectOAuth2LoginRequest(challenge, body, options) {
      const c = requireString(challenge, 'loginChallenge')
      const b = body === undefined ? {} : requireObject(body, 'body')
      return json(
        flowPut('rejectOAuth2LoginRequest', 'login', 'reject', c, b, options),
        parseOAuth2RedirectTo,
      )
    },

    async getOAuth2ConsentRequest(challenge, options) {
      const c = requireString(challenge, 'consentChallenge')
      return flowGet('getOAuth2ConsentRequest', 'consent', c, parseOAuth2ConsentRequest, options)
    },

    async acceptOAuth2ConsentRequest(challenge, body, options) {
      const operation = 'acceptOAuth2ConsentRequest'
      const c = requireString(challenge, 'consentChallenge')
      const b = requireObject(body, 'body')
      if (v1 && b.context !== undefined) throw unsupported(operation, 'body.context')
      return json(flowPut(operation, 'consent', 'accept', c, b, options), parseOAuth2RedirectTo)
    },

    async rejectOAuth2ConsentRequest(challenge, body, options) {
      const c = requireString(challenge, 'consentChallenge')
      const b = body === undefined ? {} : requireObject(body, 'body')
      return json(
        flowPut('rejectOAuth2ConsentRequest', 'consent', 'reject', c, b, options),
        parseOAuth2RedirectTo,
      )
    },

    async getOAuth2LogoutRequest(challenge, options) {
      const c = requireString(challenge, 'logoutChallenge')
      return flowGet('getOAuth2LogoutRequest', 'logout', c, parseOAuth2LogoutRequest, options)
    },

    async acceptOAuth2LogoutRequest(challenge, options) {
      const c = requireString(challenge, 'logoutChallenge')
      return json(
        flowPut('acceptOAuth2LogoutRequest', 'logout', 'accept', c, undefined, options),
        parseOAuth2RedirectTo,
      )
    },

    async rejectOAuth2LogoutRequest(challenge, options) {
      const c = requireString(challenge, 'logoutChallenge')
      return nothing(flowPut('rejectOAuth2LogoutRequest', 'logout', 'reject', c, undefined, options))
    },

    async listOAuth2ConsentSessions(subject, params, options) {
      const operation = 'listOAuth2ConsentSessions'
      const s = requireString(subject, 'subject')
      const p = listParams(params, 'params') as ListOAuth2ConsentSessionsParams
      const loginSessionId = optionalString(p.loginSessionId, 'params.loginSessionId')
      if (v1 && loginSessionId !== undefined) throw unsupported(operation, 'params.loginSessionId')
      const query = { ...pageQuery(p, version, 'params', 500), subject: s, login_session_id: loginSessionId }
      return page(
        {
          operation,
          method: 'GET',
          path: `${admin}/oauth2/auth/sessions/consent`,
          query,
          eventKind: 'admin',
          options,
        },
        parseOAuth2ConsentSessions,
      )
    },

    async revokeOAuth2ConsentSessions(target, options) {
      const operation = 'revokeOAuth2ConsentSessions'
      const t = requireObject(target, 'target')
      let query: Record<string, string | undefined>
      if (t.consentRequestId !== undefined) {
        const id = requireString(t.consentRequestId, 'target.consentRequestId')
        if (t.subject !== undefined || t.client !== undefined || t.all !== undefined) {
          throw new TypeError('target.consentRequestId cannot be combined with subject, client or all')
        }
        if (v1) throw unsupported(operation, 'target.consentRequestId')
        query = { consent_request_id: id }
      } else {
        const subject = requireString(t.subject, 'target.subject')
        if (t.client !== undefined && t.all !== undefined) {
          throw new TypeError('target.client and target.all cannot be combined')
        }
        if (t.client !== undefined) query = { subject, client: requireString(t.client, 'target.client') }
        else if (t.all === true) query = { subject, all: 'true' }
        else throw new TypeError('target must have client, all: true, or consentRequestId')
      }
      return nothing({
        operation,
        method: 'DELETE',
        path: `${admin}/oauth2/auth/sessions/consent`,
        query,
        eventKind: 'admin',
        options,
      })
    },

    async revokeOAuth2LoginSessions(target, options) {
      const operation = 'revokeOAuth2LoginSessions'
      const t = requireObject(target, 'target')
      if ((t.subject === undefined) === (t.sid === undefined)) {
        throw new TypeError('target must have exactly one of subject or sid')
      }
      let query: Record<string, string>
      if (t.sid !== undefined) {
        const sid = requireString(t.sid, 'target.sid')
        if (v1) throw unsupported(operation, 'target.sid')
        query = { sid }
      } else {
        query = { subject: requireString(t.subject, 'target.subject') }
      }
      return nothing({
        operation,
        method: 'DELETE',
        path: `${admin}/oauth2/auth/sessions/login`,
        query,
        eventKind: 'admin',
        options,
      })
    },

    async introspectOAuth2Token(token, params, options) {
      const t = requireString(token, 'token')
      const p = params === undefined ? {} : requireObject(params, 'params')
      const form = new URLSearchParams({ token: t })
      const scope = scopeString(p.scope, 'params.scope')
      if (scope !== undefined) form.set('scope', scope)
      return json(
        {
          operation: 'introspectOAuth2Token',
          method: 'POST',
          path: `${admin}/oauth2/introspect`,
          form,
          eventKind: 'introspection',
          options,
        },
        parseIntrospectedOAuth2Token,
      )
    },

    async deleteOAuth2Token(clientId, options) {
      const query = { client_id: requireString(clientId, 'clientId') }
      return nothing({
        operation: 'deleteOAuth2Token',
        method: 'DELETE',
        path: `${admin}/oauth2/tokens`,
        query,
        eventKind: 'admin',
        options,
      })
    },

    async flushInactiveOAuth2Tokens(params, options) {
      const operation = 'flushInactiveOAuth2Tokens'
      const p = params === undefined ? {} : requireObject(params, 'params')
      let notAfter: string | undefined
      if (p.notAfter instanceof Date) {
        if (Number.isNaN(p.notAfter.getTime())) throw new TypeError('params.notAfter must be a valid Date')
        notAfter = p.notAfter.toISOString()
      } else if (p.notAfter !== undefined) {
        notAfter = requireString(p.notAfter, 'params.notAfter')
      }
      if (!v1) throw unsupported(operation, 'this operation (v1 only; use `hydra janitor` on v2)')
      return nothing({
        operation,
        method: 'POST',
        path: '/oauth2/flush',
        json: notAfter === undefined ? {} : { notAfter },
        eventKind: 'admin',
        options,
      })
    },

    async createJsonWebKeySet(set, body, options) {
      const path = `${admin}/keys/${segment(set, 'set')}`
      const b = requireObject(body, 'body')
      requireString(b.alg, 'body.alg')
      requireString(b.use, 'body.use')
      if (typeof b.kid !== 'string') throw new TypeError('body.kid must be a string')
      return json(
        { operation: 'createJsonWebKeySet', method: 'POST', path, json: b, eventKind: 'admin', options },
        parseJsonWebKeySet,
      )
    },

    async getJsonWebKeySet(set, options) {
      const path = `${admin}/keys/${segment(set, 'set')}`
      return json(
        { operation: 'getJsonWebKeySet', method: 'GET', path, eventKind: 'admin', options },
        parseJsonWebKeySet,
      )
    },

    async getJsonWebKey(set, kid, options) {
      const path = `${admin}/keys/${segment(set, 'set')}/${segment(kid, 'kid')}`
      return json(
        { operation: 'getJsonWebKey', method: 'GET', path, eventKind: 'admin', options },
        parseJsonWebKeySet,
      )
    },

    async setJsonWebKeySet(set, jwks, options) {
      const path = `${admin}/keys/${segment(set, 'set')}`
      const b = requireObject(jwks, 'jwks')
      if (!Array.isArray(b.keys)) throw new TypeError('jwks.keys must be an array')
      b.keys.forEach((k: unknown, i) => {
        for (const f of ['kty', 'kid', 'alg', 'use'])
          requireString(requireObject(k, `jwks.keys[${i}]`)[f], `jwks.keys[${i}].${f}`)
      })
      return json(
        { operation: 'setJsonWebKeySet', method: 'PUT', path, json: b, eventKind: 'admin', options },
        parseJsonWebKeySet,
      )
    },

    async setJsonWebKey(set, kid, jwk, options) {
      const path = `${admin}/keys/${segment(set, 'set')}/${segment(kid, 'kid')}`
      const b = requireObject(jwk, 'jwk')
      for (const f of ['kty', 'kid', 'alg', 'use']) requireString(b[f], `jwk.${f}`)
      return json(
        { operation: 'setJsonWebKey', method: 'PUT', path, json: b, eventKind: 'admin', options },
        parseJsonWebKey,
      )
    },

    async deleteJsonWebKeySet(set, options) {
      const path = `${admin}/keys/${segment(set, 'set')}`
      return nothing({
        operation: 'deleteJsonWebKeySet',
        method: 'DELETE',
        path,
        eventKind: 'admin',
        options,
      })
    },

    async deleteJsonWebKey(set, kid, options) {
      const path = `${admin}/keys/${segment(set, 'set')}/${segment(kid, 'kid')}`
      return nothing({ operation: 'deleteJsonWebKey', method: 'DELETE', path, eventKind: 'admin', options })
    },

    async trustOAuth2JwtGrantIssuer(body, options) {
      const b = requireObject(body, 'body')
      requireString(b.issuer, 'body.issuer')
      const k = requireObject(b.jwk, 'body.jwk')
      for (const f of ['kty', 'kid', 'alg', 'use']) requireString(k[f], `body.jwk.${f}`)
      return json(
        {
          operation: 'trustOAuth2JwtGrantIssuer',
          method: 'POST',
          path: `${admin}/trust/grants/jwt-bearer/issuers`,
          json: b,
          eventKind: 'admin',
          options,
        },
        parseTrustedOAuth2JwtGrantIssuer,
      )
    },

    async getTrustedOAuth2JwtGrantIssuer(id, options) {
      const path = `${admin}/trust/grants/jwt-bearer/issuers/${segment(id, 'id')}`
      return json(
        { operation: 'getTrustedOAuth2JwtGrantIssuer', method: 'GET', path, eventKind: 'admin', options },
        parseTrustedOAuth2JwtGrantIssuer,
      )
    },

    async listTrustedOAuth2JwtGrantIssuers(params, options) {
      const p = listParams(params, 'params') as ListTrustedOAuth2JwtGrantIssuersParams
      const query = { ...pageQuery(p, version, 'params'), issuer: optionalString(p.issuer, 'params.issuer') }
      return page(
        {
          operation: 'listTrustedOAuth2JwtGrantIssuers',
          method: 'GET',
          path: `${admin}/trust/grants/jwt-bearer/issuers`,
          query,
          eventKind: 'admin',
          options,
        },
        parseTrustedOAuth2JwtGrantIssuers,
      )
    },

    async deleteTrustedOAuth2JwtGrantIssuer(id, options) {
      const path = `${admin}/trust/grants/jwt-bearer/issuers/${segment(id, 'id')}`
      return nothing({
        operation: 'deleteTrustedOAuth2JwtGrantIssuer',
        method: 'DELETE',
        path,
        eventKind: 'admin',
        options,
      })
    },

    async isAlive(options) {
      return json(
        { operation: 'isAlive', method: 'GET', path: '/health/alive', eventKind: 'admin', options },
        parseHealthStatus,
      )
    },

    async isReady(options) {
      const operation = 'isReady'
      const res = await send({
        operation,
        method: 'GET',
        path: '/health/ready',
        answers: [503],
        eventKind: 'admin',
        options,
      })
      const body = res.status === 503 ? parseJsonSafe(res.body) : readJson(operation, res.body)
      return parseHealthReadiness(operation, res.status, body)
    },

    async getVersion(options) {
      return json(
        { operation: 'getVersion', method: 'GET', path: '/version', eventKind: 'admin', options },
        parseHydraVersion,
      )
    },

    async getPrometheusMetrics(options) {
      const res = await send({
        operation: 'getPrometheusMetrics',
        method: 'GET',
        path: `${admin}/metrics/prometheus`,
        accept: 'text/plain',
        eventKind: 'admin',
        options,
      })
      return res.body
    },

    close: () => transport.close(),
  }
  return client
}
