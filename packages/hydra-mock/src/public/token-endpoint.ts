import { createHash } from 'node:crypto'
import { compactVerify, decodeJwt, decodeProtectedHeader } from 'jose'
import { oauthError } from '../errors.js'
import { readForm } from '../http/body.js'
import type { MockRequest, MockResponse } from '../http/message.js'
import { jsonResponse } from '../http/message.js'
import { firstDisallowedAudience, splitSpaces, wildcardScopeMatch } from '../scope.js'
import type { MockState } from '../state.js'
import type { StoredClient } from '../store/client-model.js'
import { authMethod, clientScopes, effectiveGrantTypes } from '../store/client-model.js'
import type { Grant } from '../store/tokens.js'
import { parseDuration } from '../util/duration.js'
import { clientStrategy } from './authorize.js'
import { authenticateClient } from './client-auth.js'

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' }
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
/** Hydra's default `oauth2.grant.jwt.max_ttl`: assertions may not live longer than 720h. */
const JWT_ASSERTION_MAX_TTL = 720 * 3600
const SINGLE_VALUED = [
  'assertion',
  'grant_type',
  'code',
  'redirect_uri',
  'code_verifier',
  'refresh_token',
  'client_id',
  'client_secret',
  'scope',
]

/** The success body of the token endpoint (`oAuth2TokenExchange`). */
interface TokenResponse {
  access_token: string
  expires_in: number
  id_token?: string
  refresh_token?: string
  scope: string
  token_type: 'bearer'
}

function requireGrantType(client: StoredClient, grantType: string): void {
  if (!effectiveGrantTypes(client.client).includes(grantType)) {
    throw oauthError(
      'unauthorized_client',
      `The OAuth 2.0 Client is not allowed to use authorization grant '${grantType}'.`,
    )
  }
}

/** Which per-grant client lifespans apply to a token response. */
type LifespanGrant = 'authorization_code' | 'refresh_token' | 'client_credentials' | 'jwt_bearer'

/**
 * The lifetime in seconds of a token type for a grant: the client's
 * `<grant>_grant_<token>_lifespan` when set (Hydra's per-client lifespans), else `fallback`.
 */
function lifespan(
  client: StoredClient,
  grantType: LifespanGrant,
  kind: 'access' | 'id' | 'refresh',
  fallback: number,
): number {
  const field = `${grantType}_grant_${kind}_token_lifespan` as keyof typeof client.client
  const value = client.client[field]
  const ns = typeof value === 'string' && value !== '' ? parseDuration(value) : undefined
  return ns === undefined || ns <= 0 ? fallback : Math.max(1, Math.ceil(ns / 1e9))
}

async function issue(
  state: MockState,
  client: StoredClient,
  grant: Grant,
  options: {
    grantType: LifespanGrant
    scopes?: readonly string[]
    refresh: boolean
    idToken: boolean
    nonce: boolean
  },
): Promise<MockResponse> {
  const scopes = options.scopes ?? grant.scopes
  const ttl = state.options.ttl
  const { token, record } = await state.tokens.issueAccessToken(
    grant,
    scopes,
    lifespan(client, options.grantType, 'access', ttl.accessToken),
  )
  const body: TokenResponse = {
    access_token: token,
    expires_in: record.expiresAt - state.clock.nowSeconds(),
    scope: scopes.join(' '),
    token_type: 'bearer',
  }
  if (options.idToken && grant.scopes.includes('openid')) {
    body.id_token = await state.tokens.issueIdToken(
      grant,
      token,
      options.nonce,
      lifespan(client, options.grantType, 'id', ttl.idToken),
    )
  }
  const offline = grant.scopes.includes('offline') || grant.scopes.includes('offline_access')
  if (options.refresh && offline && effectiveGrantTypes(client.client).includes('refresh_token')) {
    body.refresh_token = state.tokens.issueRefreshToken(
      grant,
      lifespan(client, options.grantType, 'refresh', ttl.refreshToken),
    )
  }
  const ordered = {
    access_token: body.access_token,
    expires_in: body.expires_in,
    ...(body.id_token ? { id_token: body.id_token } : {}),
    ...(body.refresh_token ? { refresh_token: body.refresh_token } : {}),
    scope: body.scope,
    token_type: body.token_type,
  }
  return jsonResponse(200, ordered, NO_STORE)
}

async function authorizationCode(
  state: MockState,
  client: StoredClient,
  form: URLSearchParams,
): Promise<MockResponse> {
  requireGrantType(client, 'authorization_code')
  const record = state.tokens.find(form.get('code') ?? '')
  if (!record || record.kind !== 'authorization_code' || !record.code) throw oauthError('invalid_grant')
  if (record.used) {
    // RFC 6749 §4.1.2: a replayed code revokes what was issued with it.
    state.tokens.revokeGrant(record.grant)
    throw oauthError('invalid_grant', 'The authorization code has already been used.')
  }
  if (record.revoked || record.grant.revoked)
    throw oauthError('invalid_grant', 'The authorization code was revoked.')
  if (record.expiresAt <= state.clock.nowSeconds()) {
    throw oauthError('invalid_grant', 'The authorization code has expired.')
  }
  if (record.grant.clientId !== client.client.client_id) {
    throw oauthError(
      'invalid_grant',
      'The OAuth 2.0 Client ID from this request does not match the one from the authorize request.',
    )
  }
  if (record.code.redirectUri !== undefined && form.get('redirect_uri') !== record.code.redirectUri) {
    throw oauthError(
      'invalid_grant',
      "The 'redirect_uri' from this request does not match the one from the authorize request.",
    )
  }
  const verifier = form.get('code_verifier') ?? ''
  if (record.code.codeChallenge !== undefined) {
    if (verifier.length < 43)
      throw oauthError('invalid_grant', 'The PKCE code verifier must be at least 43 characters.')
    if (verifier.length > 128)
      throw oauthError('invalid_grant', 'The PKCE code verifier can not be longer than 128 characters.')
    if (!/^[A-Za-z0-9._~-]+$/.test(verifier)) {
      throw oauthError(
        'invalid_grant',
        "The PKCE code verifier must only contain [a-Z], [0-9], '-', '.', '_', '~'.",
      )
    }
    const computed = createHash('sha256').update(verifier, 'ascii').digest('base64url')
    if (computed !== record.code.codeChallenge) {
      throw oauthError('invalid_grant', 'The PKCE code challenge did not match the code verifier.')
    }
  } else if (verifier !== '') {
    throw oauthError(
      'invalid_grant',
      'A code_verifier was sent, but the authorize request had no code_challenge.',
    )
  }
  record.used = true
  return issue(state, client, record.grant, {
    grantType: 'authorization_code',
    refresh: true,
    idToken: true,
    nonce: true,
  })
}

async function refreshToken(
  state: MockState,
  client: StoredClient,
  form: URLSearchParams,
): Promise<MockResponse> {
  requireGrantType(client, 'refresh_token')
  const record = state.tokens.find(form.get('refresh_token') ?? '')
  if (!record || record.kind !== 'refresh_token')
    throw oauthError('invalid_grant', 'The refresh token is malformed or not valid.')
  const grant = record.grant
  if (grant.clientId !== client.client.client_id) {
    throw oauthError(
      'invalid_grant',
      'The OAuth 2.0 Client ID from this request does not match the ID during the initial token issuance.',
    )
  }
  if (record.used) {
    // Refresh token reuse: revoke the whole chain, as fosite does.
    state.tokens.revokeGrant(grant)
    throw oauthError('invalid_grant', 'The refresh token was already used.')
  }
  if (record.revoked || grant.revoked)
    throw oauthError('invalid_grant', 'The refresh token has been revoked.')
  if (record.expiresAt <= state.clock.nowSeconds())
    throw oauthError('invalid_grant', 'The refresh token expired.')
  const allowed = clientScopes(client.client)
  for (const s of grant.scopes) {
    if (!wildcardScopeMatch(allowed, s)) {
      throw oauthError('invalid_scope', `The OAuth 2.0 Client is not allowed to request scope '${s}'.`)
    }
  }
  const requested = splitSpaces(form.get('scope'))
  for (const s of requested) {
    if (!grant.scopes.includes(s)) {
      throw oauthError(
        'invalid_scope',
        `The requested scope '${s}' was not originally granted by the resource owner.`,
      )
    }
  }
  record.used = true
  state.tokens.revokeAccessTokens(grant)
  return issue(state, client, grant, {
    grantType: 'refresh_token',
    scopes: requested.length > 0 ? requested : grant.scopes,
    refresh: true,
    idToken: true,
    nonce: false,
  })
}

async function clientCredentials(
  state: MockState,
  client: StoredClient,
  form: URLSearchParams,
): Promise<MockResponse> {
  requireGrantType(client, 'client_credentials')
  if (authMethod(client.client) === 'none') {
    throw oauthError(
      'invalid_grant',
      'The client is public and thus not allowed to use grant type client_credentials.',
    )
  }
  const scopes = splitSpaces(form.get('scope'))
  const allowed = clientScopes(client.client)
  for (const s of scopes) {
    if (!wildcardScopeMatch(allowed, s)) {
      throw oauthError('invalid_scope', `The OAuth 2.0 Client is not allowed to request scope '${s}'.`)
    }
  }
  const audience = requestedAudience(form)
  const bad = firstDisallowedAudience(client.client.audience ?? [], audience)
  if (bad !== undefined) {
    throw oauthError(
      'invalid_request',
      `Requested audience '${bad}' has not been whitelisted by the OAuth 2.0 Client.`,
    )
  }
  const grant = state.tokens.createGrant({
    clientId: client.client.client_id,
    subject: client.client.client_id,
    obfuscatedSubject: undefined,
    scopes,
    audience,
    ext: {},
    idTokenClaims: {},
    authTime: undefined,
    requestedAt: state.clock.nowSeconds(),
    acr: undefined,
    amr: undefined,
    sid: undefined,
    nonce: undefined,
    consentRequestId: undefined,
    strategy: clientStrategy(state, client),
  })
  return issue(state, client, grant, {
    grantType: 'client_credentials',
    refresh: false,
    idToken: false,
    nonce: false,
  })
}

function requestedAudience(form: URLSearchParams): string[] {
  return form.getAll('audience').length > 1 ? form.getAll('audience') : splitSpaces(form.get('audience'))
}

/**
 * RFC 7523 §2.1 (`urn:ietf:params:oauth:grant-type:jwt-bearer`), as Hydra checks it: the
 * `assertion` is a JWT whose `iss` is a trusted issuer (`/admin/trust/grants/jwt-bearer/issuers`)
 * that may assert its `sub`, signed with that trust's key (`kid`), with the token endpoint in
 * `aud`, an `exp` in the future and at most 720h away, an `iat` and `nbf` not in the future, and a
 * `jti` not used before. Requested scopes must be allowed by the trust and by the client. Issues
 * an access token for `sub` (no refresh or ID token).
 */
async function jwtBearer(
  state: MockState,
  client: StoredClient,
  form: URLSearchParams,
): Promise<MockResponse> {
  requireGrantType(client, JWT_BEARER)
  const assertion = form.get('assertion')
  if (!assertion)
    throw oauthError(
      'invalid_request',
      "The assertion request parameter must be set when using grant_type of 'urn:ietf:params:oauth:grant-type:jwt-bearer'.",
    )
  let header: ReturnType<typeof decodeProtectedHeader>
  let claims: ReturnType<typeof decodeJwt>
  try {
    header = decodeProtectedHeader(assertion)
    claims = decodeJwt(assertion)
  } catch {
    throw oauthError(
      'invalid_grant',
      'Unable to parse JSON Web Token passed in "assertion" request parameter.',
    )
  }
  const now = state.clock.nowSeconds()
  const iss = claims.iss
  const sub = claims.sub
  if (typeof iss !== 'string' || iss === '')
    throw oauthError(
      'invalid_grant',
      'The JWT in "assertion" request parameter MUST contain an "iss" (issuer) claim.',
    )
  if (typeof sub !== 'string' || sub === '')
    throw oauthError(
      'invalid_grant',
      'The JWT in "assertion" request parameter MUST contain a "sub" (subject) claim.',
    )
  const candidates = state.trust
    .list(iss)
    .filter(
      (t) =>
        (t.allowAnySubject || t.subject === sub) && (header.kid === undefined || t.jwk.kid === header.kid),
    )
  if (candidates.length === 0) {
    throw oauthError(
      'invalid_grant',
      `No public JWK was registered for issuer "${iss}" and subject "${sub}", and public key is required to check signature of JWT in "assertion" request parameter.`,
    )
  }
  let trust = undefined as (typeof candidates)[number] | undefined
  for (const t of candidates) {
    try {
      await compactVerify(assertion, t.key, { algorithms: [t.jwk.alg] })
      trust = t
      break
    } catch {
      // try the next key of this issuer
    }
  }
  if (!trust) throw oauthError('invalid_grant', "Unable to verify the integrity of the 'assertion' value.")
  if (trust.expiresAt <= state.clock.nowMs()) {
    throw oauthError(
      'invalid_grant',
      `The trust relationship for issuer "${iss}" and subject "${sub}" has expired.`,
    )
  }
  const tokenUrl = `${state.urls.public}/oauth2/token`
  const aud = typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : []
  if (!aud.includes(tokenUrl)) {
    throw oauthError(
      'invalid_grant',
      `The JWT in "assertion" request parameter MUST contain an "aud" (audience) claim containing a value "${tokenUrl}" that identifies the authorization server as an intended audience.`,
    )
  }
  if (typeof claims.exp !== 'number')
    throw oauthError(
      'invalid_grant',
      'The JWT in "assertion" request parameter MUST contain an "exp" (expiration time) claim.',
    )
  if (claims.exp <= now)
    throw oauthError('invalid_grant', 'The JWT in "assertion" request parameter expired.')
  if (claims.exp > now + JWT_ASSERTION_MAX_TTL)
    throw oauthError(
      'invalid_grant',
      'The JWT in "assertion" request parameter contains an "exp" (expiration time) claim with value that is too far in the future.',
    )
  if (typeof claims.iat !== 'number')
    throw oauthError(
      'invalid_grant',
      'The JWT in "assertion" request parameter MUST contain an "iat" (issued at) claim.',
    )
  if (claims.iat > now)
    throw oauthError(
      'invalid_grant',
      'The JWT in "assertion" request parameter contains an "iat" (issued at) claim in the future.',
    )
  if (typeof claims.nbf === 'number' && claims.nbf > now)
    throw oauthError(
      'invalid_grant',
      'The JWT in "assertion" request parameter contains an "nbf" (not before) claim, that identifies the time before which the token MUST NOT be accepted.',
    )
  if (typeof claims.jti !== 'string' || claims.jti === '')
    throw oauthError(
      'invalid_grant',
      'The JWT in "assertion" request parameter MUST contain an "jti" (JWT ID) claim.',
    )
  const scopes = splitSpaces(form.get('scope'))
  const allowed = clientScopes(client.client)
  for (const s of scopes) {
    if (!trust.scope.includes(s))
      throw oauthError(
        'invalid_scope',
        `The public key registered for issuer "${iss}" and subject "${sub}" is not allowed to request scope "${s}".`,
      )
    if (!wildcardScopeMatch(allowed, s))
      throw oauthError('invalid_scope', `The OAuth 2.0 Client is not allowed to request scope '${s}'.`)
  }
  const audience = requestedAudience(form)
  const bad = firstDisallowedAudience(client.client.audience ?? [], audience)
  if (bad !== undefined)
    throw oauthError(
      'invalid_request',
      `Requested audience '${bad}' has not been whitelisted by the OAuth 2.0 Client.`,
    )
  // Checked last, so that a refused request does not burn the assertion's jti.
  if (!state.trust.useJti(iss, claims.jti, claims.exp, now)) {
    throw oauthError('invalid_grant', 'Claim "jti" from "assertion" parameter MUST be used only once.')
  }
  const grant = state.tokens.createGrant({
    clientId: client.client.client_id,
    subject: sub,
    obfuscatedSubject: undefined,
    scopes,
    audience,
    ext: {},
    idTokenClaims: {},
    authTime: undefined,
    requestedAt: now,
    acr: undefined,
    amr: undefined,
    sid: undefined,
    nonce: undefined,
    consentRequestId: undefined,
    strategy: clientStrategy(state, client),
  })
  return issue(state, client, grant, {
    grantType: 'jwt_bearer',
    refresh: false,
    idToken: false,
    nonce: false,
  })
}

/**
 * `POST /oauth2/token`: `authorization_code` (single-use code bound to client, redirect URI and
 * PKCE verifier), `refresh_token` (rotation with reuse detection), `client_credentials` and the
 * RFC 7523 JWT-bearer grant. Token lifetimes follow the client's per-grant lifespans.
 */
export async function tokenEndpoint(state: MockState, req: MockRequest): Promise<MockResponse> {
  const form = await readForm(req)
  for (const name of SINGLE_VALUED) {
    if (form.getAll(name).length > 1) {
      throw oauthError('invalid_request', `Parameter '${name}' must not be included more than once.`)
    }
  }
  const grantType = form.get('grant_type')
  if (!grantType) throw oauthError('invalid_request', "Request parameter 'grant_type' is missing")
  const client = authenticateClient(req, form, state.clients)
  switch (grantType) {
    case 'authorization_code':
      return authorizationCode(state, client, form)
    case 'refresh_token':
      return refreshToken(state, client, form)
    case 'client_credentials':
      return clientCredentials(state, client, form)
    case JWT_BEARER:
      return jwtBearer(state, client, form)
    default:
      throw oauthError(
        'unsupported_grant_type',
        `The mock does not support grant type '${grantType.slice(0, 80)}'.`,
      )
  }
}
