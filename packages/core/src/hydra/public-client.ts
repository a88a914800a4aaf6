import { absoluteUrl as parseAbsoluteUrl, nonEmptyString } from '../options/validate.js'
import { isWellFormedText } from '../text/well-formed.js'
import { createUpstreamClient } from '../upstream/client.js'
import {
  createHydraTransport,
  CLIENT_POOL,
  normalizeBaseUrl,
  resolveHttpOptions,
  type HydraCallOptions,
  type HydraHttpOptions,
} from './hydra-transport.js'
import { createPkcePair, generateNonce, generateState } from './pkce.js'
import {
  parseJsonWebKeySet,
  parseOAuth2TokenExchange,
  parseOidcConfiguration,
  parseOidcUserInfo,
  readJson,
} from './response-shapes.js'
import type { JsonWebKeySet, OAuth2TokenExchange, OidcConfiguration, OidcUserInfo } from './types.js'

/** How the client authenticates at the token and revocation endpoints (RFC 6749 §2.3, OIDC Core §9). */
export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none'

/** Options of {@link createHydraPublicClient}. */
export interface HydraPublicClientOptions extends HydraHttpOptions {
  /**
   * Base URL of Hydra's public API (the issuer), e.g. `https://auth.example.com` or
   * `http://127.0.0.1:4444`. A trailing slash is ignored. Required.
   */
  publicUrl: string
  /** The OAuth 2.0 `client_id`. Required. */
  clientId: string
  /** The client secret; required by `client_secret_basic` and `client_secret_post`. Default: none. */
  clientSecret?: string | undefined
  /**
   * Client authentication at the token and revocation endpoints. Default `client_secret_basic`
   * when `clientSecret` is set, else `none` (a public client: `client_id` in the form, PKCE).
   */
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod | undefined
  /** Default `redirect_uri` of `oAuth2Authorize` and the authorization-code exchange. Default: none. */
  redirectUri?: string | undefined
}

type Scopes = string | readonly string[]

/** Parameters of the authorization URL (`GET {publicUrl}/oauth2/auth`). */
export interface OAuth2AuthorizeParams {
  /** CSRF protection, echoed back to the redirect_uri. Required; at least 8 characters (Hydra's minimum). */
  state: string
  /** Requested scopes (array or space-separated string), e.g. `['openid', 'offline_access']`. */
  scope?: Scopes | undefined
  /** Overrides the client's `redirectUri`. One of the two is required. */
  redirectUri?: string | undefined
  /** OIDC `nonce`, echoed in the ID token. At least 8 characters when set. */
  nonce?: string | undefined
  /** PKCE challenge (see `createPkcePair`). */
  codeChallenge?: string | undefined
  /** Default `S256` when `codeChallenge` is set. */
  codeChallengeMethod?: 'S256' | 'plain' | undefined
  /** Default `code`. */
  responseType?: string | undefined
  responseMode?: string | undefined
  /** `login`, `consent`, `none`, ... */
  prompt?: string | undefined
  /** Maximum authentication age, in seconds. */
  maxAge?: number | undefined
  loginHint?: string | undefined
  idTokenHint?: string | undefined
  acrValues?: Scopes | undefined
  uiLocales?: Scopes | undefined
  /** Requested access-token audiences (Hydra's `audience` parameter). */
  audience?: Scopes | undefined
  /** Further parameters; they cannot replace the ones above. */
  extraParams?: Record<string, string> | undefined
}

/** A ready authorization request: redirect the browser to `url`, keep the rest server-side. */
export interface AuthorizationRequest {
  url: string
  /** Compare with the `state` of the callback. */
  state: string
  /** Compare with the ID token's `nonce`. */
  nonce: string
  /** Send with the code exchange. */
  codeVerifier: string
}

/** A token request (`POST {publicUrl}/oauth2/token`). */
export type OAuth2TokenGrant = (
  | {
      grantType: 'authorization_code'
      code: string
      /** Default: the client's `redirectUri`. */
      redirectUri?: string | undefined
      /** The PKCE verifier of the authorization request. */
      codeVerifier?: string | undefined
    }
  | { grantType: 'client_credentials'; scope?: Scopes | undefined; audience?: Scopes | undefined }
  | { grantType: 'refresh_token'; refreshToken: string; scope?: Scopes | undefined }
) & {
  /** Further form parameters; they cannot replace the standard ones. */
  extraParams?: Record<string, string> | undefined
}

/** Client of Hydra's public OAuth 2.0 / OpenID Connect endpoints for one OAuth 2.0 client. */
export interface HydraPublicClient {
  readonly publicUrl: string
  readonly clientId: string
  /** Builds the authorization URL (`oAuth2Authorize`). No network call. */
  oAuth2Authorize(params: OAuth2AuthorizeParams): string
  /**
   * Builds an authorization URL with a fresh random `state`, `nonce` and S256 PKCE pair, and
   * returns them so the callback can be checked.
   */
  createAuthorizationRequest(
    params?: Omit<OAuth2AuthorizeParams, 'state' | 'nonce' | 'codeChallenge' | 'codeChallengeMethod'>,
  ): AuthorizationRequest
  /** Calls the token endpoint. An OAuth error (`invalid_grant`, ...) rejects with a HydraError carrying `error`. */
  oauth2TokenExchange(grant: OAuth2TokenGrant, options?: HydraCallOptions): Promise<OAuth2TokenExchange>
  /** RFC 7009 revocation of an access or refresh token. */
  revokeOAuth2Token(
    token: string,
    params?: { tokenTypeHint?: 'access_token' | 'refresh_token' | undefined },
    options?: HydraCallOptions,
  ): Promise<void>
  /** `GET /.well-known/openid-configuration`. */
  discoverOidcConfiguration(options?: HydraCallOptions): Promise<OidcConfiguration>
  /** `GET /.well-known/jwks.json`: the public keys tokens are signed with. */
  discoverJsonWebKeys(options?: HydraCallOptions): Promise<JsonWebKeySet>
  /** `GET /userinfo` with the access token as bearer (`getOidcUserInfo`). */
  getOidcUserInfo(accessToken: string, options?: HydraCallOptions): Promise<OidcUserInfo>
  /** Closes the client's own connection pool (not a dispatcher you passed). */
  close(): Promise<void>
}

const HEADER_SAFE = /^[\x21-\x7e]+$/

/** A required non-empty string (`undefined` is refused like `''`). */
function requireString(value: unknown, name: string): string {
  return nonEmptyString(value ?? '', '', name)
}

/** A client credential: form-urlencoded on every request, so it must be well-formed UTF-16. */
function credential(value: unknown, name: string): string {
  const s = requireString(value, name)
  if (!isWellFormedText(s)) throw new TypeError(`${name} must not contain a lone surrogate`)
  return s
}

/** An absolute URL (any scheme), returned exactly as given. */
function absoluteUrl(value: unknown, name: string): string {
  parseAbsoluteUrl(value, name)
  return value as string
}

function joinList(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined
  if (typeof value === 'string') return value
  if (Array.isArray(value) && value.every((s) => typeof s === 'string' && s !== '' && !/\s/.test(s))) {
    return value.join(' ')
  }
  throw new TypeError(`${name} must be a string or an array of strings without spaces`)
}

function addExtra(target: URLSearchParams, extra: unknown, name: string): void {
  if (extra === undefined) return
  if (extra === null || typeof extra !== 'object') throw new TypeError(`${name} must be an object`)
  for (const [k, v] of Object.entries(extra)) {
    if (typeof v !== 'string') throw new TypeError(`${name}.${k} must be a string`)
    if (target.has(k)) throw new TypeError(`${name}.${k} cannot replace a standard parameter`)
    target.set(k, v)
  }
}

/** RFC 6749 §2.3.1: form-urlencode id and secret before Basic encoding. */
function basicCredentials(id: string, secret: string): string {
  const enc = (s: string): string => encodeURIComponent(s).replace(/%20/g, '+')
  return 'Basic ' + Buffer.from(`${enc(id)}:${enc(secret)}`, 'utf8').toString('base64')
}

/**
 * Creates a client of Hydra's public endpoints for one OAuth 2.0 client: the authorization URL
 * (with PKCE, state and nonce helpers), the token endpoint, revocation, discovery, JWKS and
 * userinfo. Options are validated now (TypeErrors name the option).
 *
 * @example
 * ```ts
 * const oauth = createHydraPublicClient({ publicUrl: 'https://auth.example.com', clientId, clientSecret, redirectUri })
 * const { url, state, nonce, codeVerifier } = oauth.createAuthorizationRequest({ scope: ['openid'] })
 * // ...callback:
 * const tokens = await oauth.oauth2TokenExchange({ grantType: 'authorization_code', code, codeVerifier })
 * ```
 */
export function createHydraPublicClient(options: HydraPublicClientOptions): HydraPublicClient {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object')
  const publicUrl = normalizeBaseUrl(options.publicUrl, 'publicUrl')
  const clientId = credential(options.clientId, 'clientId')
  const clientSecret =
    options.clientSecret === undefined ? undefined : credential(options.clientSecret, 'clientSecret')
  const method =
    options.tokenEndpointAuthMethod ?? (clientSecret === undefined ? 'none' : 'client_secret_basic')
  if (method !== 'client_secret_basic' && method !== 'client_secret_post' && method !== 'none') {
    throw new TypeError(
      `tokenEndpointAuthMethod must be 'client_secret_basic', 'client_secret_post' or 'none'`,
    )
  }
  if (method !== 'none' && clientSecret === undefined) {
    throw new TypeError(`clientSecret is required when tokenEndpointAuthMethod is '${method}'`)
  }
  const defaultRedirect =
    options.redirectUri === undefined ? undefined : absoluteUrl(options.redirectUri, 'redirectUri')
  const http = resolveHttpOptions(options, publicUrl, '')
  const transport = createHydraTransport({
    ...http,
    upstream: createUpstreamClient({ dispatcher: http.dispatcher, pool: CLIENT_POOL, hooks: http.hooks }),
  })

  /** Adds client authentication to a token or revocation request. */
  const authenticate = (form: URLSearchParams): Record<string, string> => {
    if (method === 'client_secret_basic')
      return { authorization: basicCredentials(clientId, clientSecret as string) }
    form.set('client_id', clientId)
    if (method === 'client_secret_post') form.set('client_secret', clientSecret as string)
    return {}
  }

  const oAuth2Authorize = (params: OAuth2AuthorizeParams): string => {
    if (params === null || typeof params !== 'object') throw new TypeError('params must be an object')
    const state = requireString(params.state, 'params.state')
    if (state.length < 8)
      throw new TypeError('params.state must be at least 8 characters (Hydra refuses shorter)')
    const q = new URLSearchParams()
    q.set(
      'response_type',
      params.responseType === undefined ? 'code' : requireString(params.responseType, 'params.responseType'),
    )
    q.set('client_id', clientId)
    const redirect =
      params.redirectUri === undefined
        ? defaultRedirect
        : absoluteUrl(params.redirectUri, 'params.redirectUri')
    if (redirect === undefined)
      throw new TypeError('params.redirectUri (or the redirectUri option) is required')
    q.set('redirect_uri', redirect)
    const scope = joinList(params.scope, 'params.scope')
    if (scope !== undefined) q.set('scope', scope)
    q.set('state', state)
    if (params.nonce !== undefined) {
      const nonce = requireString(params.nonce, 'params.nonce')
      if (nonce.length < 8) throw new TypeError('params.nonce must be at least 8 characters')
      q.set('nonce', nonce)
    }
    if (params.codeChallenge !== undefined) {
      q.set('code_challenge', requireString(params.codeChallenge, 'params.codeChallenge'))
      const m = params.codeChallengeMethod ?? 'S256'
      if (m !== 'S256' && m !== 'plain')
        throw new TypeError(`params.codeChallengeMethod must be 'S256' or 'plain'`)
      q.set('code_challenge_method', m)
    } else if (params.codeChallengeMethod !== undefined) {
      throw new TypeError('params.codeChallengeMethod needs params.codeChallenge')
    }
    if (params.responseMode !== undefined)
      q.set('response_mode', requireString(params.responseMode, 'params.responseMode'))
    if (params.prompt !== undefined) q.set('prompt', requireString(params.prompt, 'params.prompt'))
    if (params.maxAge !== undefined) {
      if (!Number.isInteger(params.maxAge) || params.maxAge < 0) {
        throw new TypeError('params.maxAge must be an integer >= 0 (seconds)')
      }
      q.set('max_age', String(params.maxAge))
    }
    if (params.loginHint !== undefined)
      q.set('login_hint', requireString(params.loginHint, 'params.loginHint'))
    if (params.idTokenHint !== undefined)
      q.set('id_token_hint', requireString(params.idTokenHint, 'params.idTokenHint'))
    const acr = joinList(params.acrValues, 'params.acrValues')
    if (acr !== undefined) q.set('acr_values', acr)
    const locales = joinList(params.uiLocales, 'params.uiLocales')
    if (locales !== undefined) q.set('ui_locales', locales)
    const audience = joinList(params.audience, 'params.audience')
    if (audience !== undefined) q.set('audience', audience)
    addExtra(q, params.extraParams, 'params.extraParams')
    return `${publicUrl}/oauth2/auth?${q.toString()}`
  }

  return {
    publicUrl,
    clientId,
    oAuth2Authorize,

    createAuthorizationRequest(params = {}) {
      const pkce = createPkcePair()
      const state = generateState()
      const nonce = generateNonce()
      const url = oAuth2Authorize({
        ...params,
        state,
        nonce,
        codeChallenge: pkce.codeChallenge,
        codeChallengeMethod: 'S256',
      })
      return { url, state, nonce, codeVerifier: pkce.codeVerifier }
    },

    async oauth2TokenExchange(grant, options) {
      if (grant === null || typeof grant !== 'object') throw new TypeError('grant must be an object')
      const form = new URLSearchParams()
      switch (grant.grantType) {
        case 'authorization_code': {
          form.set('grant_type', 'authorization_code')
          form.set('code', requireString(grant.code, 'grant.code'))
          const redirect =
            grant.redirectUri === undefined
              ? defaultRedirect
              : absoluteUrl(grant.redirectUri, 'grant.redirectUri')
          if (redirect !== undefined) form.set('redirect_uri', redirect)
          if (grant.codeVerifier !== undefined)
            form.set('code_verifier', requireString(grant.codeVerifier, 'grant.codeVerifier'))
          break
        }
        case 'client_credentials': {
          if (method === 'none') throw new TypeError('the client_credentials grant needs a client secret')
          form.set('grant_type', 'client_credentials')
          const scope = joinList(grant.scope, 'grant.scope')
          if (scope !== undefined) form.set('scope', scope)
          const audience = joinList(grant.audience, 'grant.audience')
          if (audience !== undefined) form.set('audience', audience)
          break
        }
        case 'refresh_token': {
          form.set('grant_type', 'refresh_token')
          form.set('refresh_token', requireString(grant.refreshToken, 'grant.refreshToken'))
          const scope = joinList(grant.scope, 'grant.scope')
          if (scope !== undefined) form.set('scope', scope)
          break
        }
        default:
          throw new TypeError(
            `grant.grantType must be 'authorization_code', 'client_credentials' or 'refresh_token'`,
          )
      }
      const headers = authenticate(form)
      addExtra(form, grant.extraParams, 'grant.extraParams')
      const operation = 'oauth2TokenExchange'
      const res = await transport.send({
        operation,
        method: 'POST',
        path: '/oauth2/token',
        form,
        headers,
        eventKind: 'token',
        options,
      })
      return parseOAuth2TokenExchange(operation, readJson(operation, res.body))
    },

    async revokeOAuth2Token(token, params, options) {
      const form = new URLSearchParams({ token: requireString(token, 'token') })
      const hint = params?.tokenTypeHint
      if (hint !== undefined) {
        if (hint !== 'access_token' && hint !== 'refresh_token') {
          throw new TypeError(`params.tokenTypeHint must be 'access_token' or 'refresh_token'`)
        }
        form.set('token_type_hint', hint)
      }
      const headers = authenticate(form)
      await transport.send({
        operation: 'revokeOAuth2Token',
        method: 'POST',
        path: '/oauth2/revoke',
        form,
        headers,
        eventKind: 'token',
        options,
      })
    },

    async discoverOidcConfiguration(options) {
      const operation = 'discoverOidcConfiguration'
      const res = await transport.send({
        operation,
        method: 'GET',
        path: '/.well-known/openid-configuration',
        eventKind: 'public',
        options,
      })
      return parseOidcConfiguration(operation, readJson(operation, res.body))
    },

    async discoverJsonWebKeys(options) {
      const operation = 'discoverJsonWebKeys'
      const res = await transport.send({
        operation,
        method: 'GET',
        path: '/.well-known/jwks.json',
        eventKind: 'jwks',
        options,
      })
      return parseJsonWebKeySet(operation, readJson(operation, res.body))
    },

    async getOidcUserInfo(accessToken, options) {
      const token = requireString(accessToken, 'accessToken')
      if (!HEADER_SAFE.test(token)) throw new TypeError('accessToken has characters a header cannot carry')
      const operation = 'getOidcUserInfo'
      const res = await transport.send({
        operation,
        method: 'GET',
        path: '/userinfo',
        headers: { authorization: `Bearer ${token}` },
        eventKind: 'public',
        options,
      })
      return parseOidcUserInfo(operation, readJson(operation, res.body))
    },

    close: () => transport.close(),
  }
}
