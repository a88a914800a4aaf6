import { createHash } from 'node:crypto'
import { oauthError } from '../errors.js'
import { readForm } from '../http/body.js'
import type { MockRequest, MockResponse } from '../http/message.js'
import { jsonResponse } from '../http/message.js'
import { firstDisallowedAudience, splitSpaces, wildcardScopeMatch } from '../scope.js'
import type { MockState } from '../state.js'
import type { StoredClient } from '../store/client-model.js'
import { authMethod, clientScopes, effectiveGrantTypes } from '../store/client-model.js'
import type { Grant } from '../store/tokens.js'
import { clientStrategy } from './authorize.js'
import { authenticateClient } from './client-auth.js'

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' }
const SINGLE_VALUED = [
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

async function issue(
  state: MockState,
  client: StoredClient,
  grant: Grant,
  options: { scopes?: readonly string[]; refresh: boolean; idToken: boolean; nonce: boolean },
): Promise<MockResponse> {
  const scopes = options.scopes ?? grant.scopes
  const { token, record } = await state.tokens.issueAccessToken(grant, scopes)
  const body: TokenResponse = {
    access_token: token,
    expires_in: record.expiresAt - state.clock.nowSeconds(),
    scope: scopes.join(' '),
    token_type: 'bearer',
  }
  if (options.idToken && grant.scopes.includes('openid')) {
    body.id_token = await state.tokens.issueIdToken(grant, token, options.nonce)
  }
  const offline = grant.scopes.includes('offline') || grant.scopes.includes('offline_access')
  if (options.refresh && offline && effectiveGrantTypes(client.client).includes('refresh_token')) {
    body.refresh_token = state.tokens.issueRefreshToken(grant)
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
  return issue(state, client, record.grant, { refresh: true, idToken: true, nonce: true })
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
  const audience =
    form.getAll('audience').length > 1 ? form.getAll('audience') : splitSpaces(form.get('audience'))
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
  return issue(state, client, grant, { refresh: false, idToken: false, nonce: false })
}

/**
 * `POST /oauth2/token`: `authorization_code` (single-use code bound to client, redirect URI and
 * PKCE verifier), `refresh_token` (rotation with reuse detection) and `client_credentials`.
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
    default:
      throw oauthError(
        'unsupported_grant_type',
        `The mock does not support grant type '${grantType.slice(0, 80)}'.`,
      )
  }
}
