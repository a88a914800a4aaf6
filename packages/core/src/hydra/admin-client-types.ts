import type { AdminAuth } from '../upstream/admin-auth.js'
import type { HydraCallOptions, HydraHttpOptions } from './hydra-transport.js'
import type { HydraApiVersion, HydraPage, HydraPageCursor } from './pagination.js'
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

// The admin client's public types: its options, the parameters of its methods and the client
// interface itself (createHydraAdminClient in admin-client.ts builds it).

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
