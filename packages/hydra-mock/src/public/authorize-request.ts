import type { OAuth2Error } from '../errors.js'
import { oauthError } from '../errors.js'
import { withQuery } from '../http/url.js'
import type { PkceEnforcement } from '../options.js'
import { firstDisallowedAudience, splitSpaces, wildcardScopeMatch } from '../scope.js'
import type { StoredClient } from '../store/client-model.js'
import {
  authMethod,
  clientScopes,
  effectiveGrantTypes,
  effectiveResponseTypes,
} from '../store/client-model.js'
import type { ClientStore } from '../store/clients.js'
import type { AuthorizeParams } from '../store/flows.js'

/**
 * An error of the authorize endpoint. With `redirectUri` (the request's redirect URI was valid) it
 * goes back to the client as `?error=&error_description=&state=`; without, to the error page.
 */
export class AuthorizeError extends Error {
  constructor(
    readonly error: OAuth2Error,
    readonly redirectUri: string | undefined,
    readonly state: string | undefined,
  ) {
    super(error.message)
    this.name = 'AuthorizeError'
  }

  /** The redirect location for this error. */
  location(errorUrl: string): string {
    const params = { error: this.error.error, error_description: this.error.description }
    if (this.redirectUri === undefined) return withQuery(errorUrl, params)
    return withQuery(this.redirectUri, { ...params, state: this.state || undefined })
  }
}

const SINGLE_VALUED = [
  'client_id',
  'redirect_uri',
  'response_type',
  'response_mode',
  'scope',
  'state',
  'nonce',
  'prompt',
  'max_age',
  'code_challenge',
  'code_challenge_method',
  'id_token_hint',
  'login_hint',
  'display',
  'ui_locales',
  'acr_values',
  'login_verifier',
  'consent_verifier',
]

const PROMPTS = ['none', 'login', 'consent', 'select_account']
const MIN_ENTROPY = 8

function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === '[::1]'
}

/**
 * fosite's redirect URI matching: exact string equality with a registered URI, except that for
 * `http` loopback IP addresses (RFC 8252 §7.3) the port may differ. `localhost` gets no exception.
 */
export function matchRedirectUri(registered: readonly string[], requested: string): boolean {
  if (registered.includes(requested)) return true
  let req: URL
  try {
    req = new URL(requested)
  } catch {
    return false
  }
  if (req.protocol !== 'http:' || !isLoopback(req.hostname)) return false
  return registered.some((r) => {
    try {
      const u = new URL(r)
      return (
        u.protocol === 'http:' &&
        u.hostname === req.hostname &&
        u.pathname === req.pathname &&
        u.search === req.search
      )
    } catch {
      return false
    }
  })
}

/** Result of {@link parseAuthorizeRequest}. */
export interface ParsedAuthorizeRequest {
  readonly client: StoredClient
  readonly params: AuthorizeParams
  readonly idTokenHint: string | undefined
}

/**
 * Validates an authorization request as fosite does, in fosite's order: client, redirect URI
 * (errors before this point cannot go back to the client), then response type, state entropy,
 * scopes and audiences the client may request, grant type, PKCE, nonce entropy and prompt.
 * Throws {@link AuthorizeError}.
 */
export function parseAuthorizeRequest(
  q: URLSearchParams,
  clients: ClientStore,
  pkce: PkceEnforcement,
): ParsedAuthorizeRequest {
  for (const name of ['client_id', 'redirect_uri']) {
    if (q.getAll(name).length > 1) {
      throw new AuthorizeError(
        oauthError('invalid_request', `Parameter '${name}' must not be included more than once.`),
        undefined,
        undefined,
      )
    }
  }
  const clientId = q.get('client_id') ?? ''
  const client = clientId ? clients.get(clientId) : undefined
  if (!client) {
    throw new AuthorizeError(
      oauthError('invalid_client', 'The requested OAuth 2.0 Client does not exist.'),
      undefined,
      undefined,
    )
  }
  const registered = client.client.redirect_uris ?? []
  const rawRedirect = q.get('redirect_uri') ?? ''
  let redirectUri: string
  if (rawRedirect === '') {
    if (registered.length !== 1) {
      throw new AuthorizeError(
        oauthError(
          'invalid_request',
          "The 'redirect_uri' parameter is required because the OAuth 2.0 Client has not exactly one registered redirect URI.",
        ),
        undefined,
        undefined,
      )
    }
    redirectUri = registered[0]!
  } else if (matchRedirectUri(registered, rawRedirect)) {
    redirectUri = rawRedirect
  } else {
    throw new AuthorizeError(
      oauthError(
        'invalid_request',
        "The 'redirect_uri' parameter does not match any of the OAuth 2.0 Client's pre-registered redirect urls.",
      ),
      undefined,
      undefined,
    )
  }

  const state = q.get('state') ?? ''
  const fail = (e: OAuth2Error): AuthorizeError => new AuthorizeError(e, redirectUri, state)

  for (const name of SINGLE_VALUED) {
    if (q.getAll(name).length > 1) {
      throw fail(oauthError('invalid_request', `Parameter '${name}' must not be included more than once.`))
    }
  }
  if (q.has('request') || q.has('request_uri')) {
    throw fail(
      oauthError(
        'invalid_request',
        "Request objects ('request', 'request_uri') are not supported by the mock.",
      ),
    )
  }
  const responseType = q.get('response_type') ?? ''
  if (responseType !== 'code') {
    throw fail(
      oauthError(
        'unsupported_response_type',
        `The mock supports response_type 'code' only, got '${responseType.slice(0, 40)}'.`,
      ),
    )
  }
  if (!effectiveResponseTypes(client.client).includes('code')) {
    throw fail(
      oauthError('unsupported_response_type', "The client is not allowed to request response_type 'code'."),
    )
  }
  const responseMode = q.get('response_mode')
  if (responseMode !== null && responseMode !== 'query') {
    throw fail(oauthError('invalid_request', "The mock supports response_mode 'query' only."))
  }
  if (state.length < MIN_ENTROPY) {
    throw fail(
      oauthError(
        'invalid_state',
        `Request parameter 'state' must be at least be ${MIN_ENTROPY} characters long to ensure sufficient entropy.`,
      ),
    )
  }
  const scopes = splitSpaces(q.get('scope'))
  const allowedScopes = clientScopes(client.client)
  for (const s of scopes) {
    if (!wildcardScopeMatch(allowedScopes, s)) {
      throw fail(oauthError('invalid_scope', `The OAuth 2.0 Client is not allowed to request scope '${s}'.`))
    }
  }
  const audience = q.getAll('audience').length > 1 ? q.getAll('audience') : splitSpaces(q.get('audience'))
  const badAudience = firstDisallowedAudience(client.client.audience ?? [], audience)
  if (badAudience !== undefined) {
    throw fail(
      oauthError(
        'invalid_request',
        `Requested audience '${badAudience}' has not been whitelisted by the OAuth 2.0 Client.`,
      ),
    )
  }
  if (!effectiveGrantTypes(client.client).includes('authorization_code')) {
    throw fail(
      oauthError(
        'unauthorized_client',
        "The OAuth 2.0 Client is not allowed to use authorization grant 'authorization_code'.",
      ),
    )
  }

  const codeChallenge = q.get('code_challenge') || undefined
  let codeChallengeMethod = q.get('code_challenge_method') || undefined
  if (codeChallenge === undefined) {
    if (codeChallengeMethod !== undefined) {
      throw fail(
        oauthError('invalid_request', "Parameter 'code_challenge_method' was set without 'code_challenge'."),
      )
    }
    const required = pkce === 'always' || (pkce === 'public' && authMethod(client.client) === 'none')
    if (required) {
      throw fail(
        oauthError(
          'invalid_request',
          'Clients must include a code_challenge when performing the authorize code flow, but it is missing.',
        ),
      )
    }
  } else {
    codeChallengeMethod ??= 'plain'
    if (codeChallengeMethod !== 'S256') {
      throw fail(
        oauthError('invalid_request', 'Clients must use code_challenge_method=S256, plain is not allowed.'),
      )
    }
    if (!/^[A-Za-z0-9_-]{43}$/.test(codeChallenge)) {
      throw fail(
        oauthError(
          'invalid_request',
          'The PKCE code challenge must be the 43-character base64url SHA-256 of the verifier.',
        ),
      )
    }
  }

  const nonce = q.get('nonce') || undefined
  if (nonce !== undefined && nonce.length < MIN_ENTROPY) {
    throw fail(
      oauthError(
        'insufficient_entropy',
        `Parameter 'nonce' is set but does not satisfy the minimum entropy of ${MIN_ENTROPY} characters.`,
      ),
    )
  }
  const prompt = splitSpaces(q.get('prompt'))
  for (const p of prompt) {
    if (!PROMPTS.includes(p)) {
      throw fail(
        oauthError('invalid_request', `Used unknown value '${p.slice(0, 40)}' for prompt parameter.`),
      )
    }
  }
  if (prompt.includes('none') && prompt.length > 1) {
    throw fail(
      oauthError(
        'invalid_request',
        "Parameter 'prompt' was set to 'none', but contains other values as well which is not allowed.",
      ),
    )
  }
  const rawMaxAge = q.get('max_age')
  let maxAge: number | undefined
  if (rawMaxAge !== null && rawMaxAge !== '') {
    if (!/^\d{1,10}$/.test(rawMaxAge)) {
      throw fail(oauthError('invalid_request', "Parameter 'max_age' must be a non-negative integer."))
    }
    maxAge = Number(rawMaxAge)
  }

  return {
    client,
    idTokenHint: q.get('id_token_hint') || undefined,
    params: {
      clientId,
      redirectUri,
      redirectUriGiven: rawRedirect !== '',
      scopes,
      audience,
      state,
      nonce,
      codeChallenge,
      codeChallengeMethod,
      prompt,
      maxAge,
      acrValues: splitSpaces(q.get('acr_values')),
      display: q.get('display') || undefined,
      loginHint: q.get('login_hint') || undefined,
      uiLocales: splitSpaces(q.get('ui_locales')),
      idTokenHintClaims: undefined,
    },
  }
}
