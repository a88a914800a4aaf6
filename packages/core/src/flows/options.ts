// Options of the login, consent and logout flows, their hooks, and their validation at construction
// (a TypeError naming the option path, so a misconfiguration fails at startup).

import type { HydraAdminClient } from '../hydra/admin-client.js'
import { bool } from '../options/validate.js'
import type { HydraCallOptions } from '../hydra/hydra-transport.js'
import type { JsonRawMessage, OAuth2ConsentRequest, OAuth2LoginRequest } from '../hydra/types.js'
import { DEFAULT_MAX_CHALLENGE_LENGTH } from './challenge.js'
import { createCsrfProtection, type CsrfCookieOptions, type CsrfProtection } from './csrf.js'
import { DEFAULT_MAX_FORM_BYTES } from './form.js'
import { renderBuiltInPage } from './pages.js'
import { createRedirectGuard, type RedirectGuard } from './redirect-guard.js'
import type { FlowErrorCode, PageRenderer, RenderContext } from './types.js'

/** What the login form posted, for {@link AuthenticateHook}. */
export interface AuthenticateInput {
  /** The username field, trimmed (at most 256 characters). */
  username: string
  /** The password field, exactly as typed (at most 1024 characters). Never logged or re-rendered. */
  password: string
  /** Whether "keep me signed in" was ticked (always false when `login.offerRemember` is off). */
  remember: boolean
  /** Hydra's login request (client, requested scopes, OIDC context, ...). */
  loginRequest: OAuth2LoginRequest
}

/** A successful authentication: who the user is and how Hydra should remember it. */
export interface AuthenticateResult {
  /** The user's stable id, sent to Hydra as `subject` (becomes `sub`). Required, non-empty. */
  subject: string
  /** Authentication Context Class Reference (`acr`), e.g. `'1'`. Default none. */
  acr?: string | undefined
  /** Authentication methods (`amr`), e.g. `['pwd']`. Default none. */
  amr?: string[] | undefined
  /** Any JSON, handed to the consent request as `context`. Default none. */
  context?: JsonRawMessage | undefined
  /** Overrides the form's "keep me signed in" choice. Default: the form's choice. */
  remember?: boolean | undefined
  /** Overrides `login.rememberFor` for this login, in seconds (0 = browser session). */
  rememberFor?: number | undefined
}

/**
 * Checks the credentials. Resolve with an {@link AuthenticateResult} on success, `null` (or
 * `undefined`) when they are wrong: the form is shown again with an error, without the password.
 * A throw is not caught: it reaches the framework's error handling (a 500).
 */
export type AuthenticateHook = (
  input: AuthenticateInput,
) => AuthenticateResult | null | undefined | Promise<AuthenticateResult | null | undefined>

/** Input of {@link LoginSkipHook}. */
export interface LoginSkipInput {
  /** The remembered user (Hydra's `subject`). */
  subject: string
  /** Hydra's login request (`skip` is true). */
  loginRequest: OAuth2LoginRequest
}

/** What to add to the login accept when Hydra already knows the user. */
export interface LoginSkipResult {
  acr?: string | undefined
  amr?: string[] | undefined
  /** Fresh `context` for the consent request (e.g. the user's current roles). */
  context?: JsonRawMessage | undefined
}

/**
 * Called when Hydra already knows the user (`skip: true`), before the login is accepted at once with
 * the same subject. Return data to refresh `acr`/`amr`/`context`, nothing to accept as is, or
 * `false` to show the login form instead (e.g. the account was disabled).
 */
export type LoginSkipHook = (
  input: LoginSkipInput,
) => LoginSkipResult | void | false | Promise<LoginSkipResult | void | false>

/** Input of {@link ClaimsHook}. */
export interface ClaimsInput {
  /** The user. */
  subject: string
  /** The scopes that will be granted (already intersected with what was requested). */
  grantedScopes: string[]
  /** The access token audiences that will be granted. */
  grantedAudience: string[]
  /** Hydra's consent request (client, login `context`, acr, amr, ...). */
  consentRequest: OAuth2ConsentRequest
}

/** Session claims for the tokens Hydra issues after this consent. */
export interface SessionClaims {
  /** Added to the ID token (and userinfo), e.g. `{ email }` only when `email` was granted. */
  idToken?: Record<string, unknown> | undefined
  /** Added to the access token as `ext` (and to introspection). */
  accessToken?: Record<string, unknown> | undefined
}

/**
 * Builds the session claims from what was granted. Called for every consent accept (also when
 * consent is skipped). Return nothing for no extra claims.
 */
export type ClaimsHook = (
  input: ClaimsInput,
) => SessionClaims | undefined | void | Promise<SessionClaims | undefined | void>

/** Login page behaviour. Every field is optional. */
export interface LoginFlowOptions {
  /** Show a "keep me signed in" checkbox. Default true. When false, logins are never remembered. */
  offerRemember?: boolean | undefined
  /**
   * How long Hydra remembers a login when the user ticked "keep me signed in", in seconds
   * (`remember_for`; 0 = until the browser closes). Default 3600 (1 hour).
   */
  rememberFor?: number | undefined
  /** See {@link LoginSkipHook}. Default: accept with the known subject, nothing added. */
  onSkip?: LoginSkipHook | undefined
}

/** Consent page behaviour. Every field is optional. */
export interface ConsentFlowOptions {
  /**
   * Skip the consent page for clients registered with `skip_consent: true` (first-party apps):
   * accept at once with everything requested. Default false (Hydra itself never skips on it).
   */
  skipFirstParty?: boolean | undefined
  /** Show a "remember this decision" checkbox. Default true. */
  offerRemember?: boolean | undefined
  /**
   * How long Hydra remembers a consent when the user ticked the box, in seconds (`remember_for`;
   * 0 = forever). Default 3600 (1 hour).
   */
  rememberFor?: number | undefined
  /** Labels for scopes on the consent page, e.g. `{ email: 'See your email address' }`. Default none (the scope itself). */
  scopeDescriptions?: Record<string, string> | undefined
}

/** Logout page behaviour. Every field is optional. */
export interface LogoutFlowOptions {
  /**
   * Sign out without asking when a client (relying party) started the logout (`rp_initiated`).
   * Default false (always ask).
   */
  autoAcceptRpInitiated?: boolean | undefined
  /**
   * Offer "No, stay signed in". Default false. When true, `rejectRedirectUrl` is required: Hydra
   * gives no address after a rejected logout, so the app decides where the user goes.
   */
  allowReject?: boolean | undefined
  /**
   * Where a rejected logout sends the browser: an absolute http(s) URL or a path starting with `/`.
   * Required when `allowReject` is true.
   */
  rejectRedirectUrl?: string | undefined
}

/** Emitted when a flow ends on an error page (for logs and metrics). */
export interface FlowErrorEvent {
  flow: 'login' | 'consent' | 'logout' | undefined
  /** The error page's code. */
  code: FlowErrorCode
  /** The underlying error (a `HydraError`, a `FormBodyError`), when there is one. Log it server-side only. */
  error?: unknown
}

/**
 * Options of `createLoginConsentHandler` (and of the Express/Koa `loginConsentRouter`).
 * Required: `admin`, `hydraPublicUrl`, `csrfSecret`, `authenticate`.
 */
export interface LoginConsentOptions {
  /** Hydra's admin API client (`createHydraAdminClient`); its `apiVersion` selects v1 or v2 paths. Required. */
  admin: HydraAdminClient
  /**
   * Hydra's public URL (its issuer, e.g. `https://auth.example.com`). Required. The browser is only
   * ever redirected to a `redirect_to` Hydra returned whose origin is this one or in
   * `allowedRedirectOrigins`.
   */
  hydraPublicUrl: string
  /** More origins Hydra's `redirect_to` may point to (e.g. a second public domain). Default none. */
  allowedRedirectOrigins?: string[] | undefined
  /**
   * Secret key of the CSRF tokens (HMAC-SHA256), at least 32 bytes: a string (UTF-8) or bytes.
   * Required; keep it out of source control and share it between instances of the app.
   */
  csrfSecret: string | Uint8Array
  /** The per-browser CSRF cookie. See {@link CsrfCookieOptions}. */
  cookie?: CsrfCookieOptions | undefined
  /** Checks username and password. Required. See {@link AuthenticateHook}. */
  authenticate: AuthenticateHook
  /** Session claims for ID and access tokens. Default: none. See {@link ClaimsHook}. */
  claims?: ClaimsHook | undefined
  /** See {@link LoginFlowOptions}. */
  login?: LoginFlowOptions | undefined
  /** See {@link ConsentFlowOptions}. */
  consent?: ConsentFlowOptions | undefined
  /** See {@link LogoutFlowOptions}. */
  logout?: LogoutFlowOptions | undefined
  /**
   * Your own pages (e.g. a template engine) instead of the built-in ones. See {@link PageRenderer}:
   * it must escape what it prints and keep the form field names.
   */
  render?: PageRenderer | undefined
  /**
   * The `Content-Security-Policy` of rendered pages, for custom pages that need more than the
   * built-in policy (see the docs for the default and why it has no `form-action`).
   * Default: `default-src 'none'; style-src 'nonce-…'; img-src https:; base-uri 'none'; frame-ancestors 'none'`.
   */
  contentSecurityPolicy?: ((context: RenderContext) => string) | undefined
  /** Largest POST body read, in bytes; larger gets a 413 page. Default 16384 (16 KiB). */
  maxBodyBytes?: number | undefined
  /** Longest challenge accepted, in characters (Hydra v2 challenges are long). Default 4096. */
  maxChallengeLength?: number | undefined
  /** Timeout of each Hydra admin call, in milliseconds. Default: the admin client's (`timeoutMs`, 10 s). */
  timeoutMs?: number | undefined
  /** Called when a flow ends on an error page. A throwing listener is ignored. Default none. */
  onError?: ((event: FlowErrorEvent) => void) | undefined
}

/** Options after validation and defaults; shared by the three flows. */
export interface FlowContext {
  admin: HydraAdminClient
  guard: RedirectGuard
  csrf: CsrfProtection
  authenticate: AuthenticateHook
  claims: ClaimsHook | undefined
  login: { offerRemember: boolean; rememberFor: number; onSkip: LoginSkipHook | undefined }
  consent: {
    skipFirstParty: boolean
    offerRemember: boolean
    rememberFor: number
    scopeDescriptions: ReadonlyMap<string, string>
  }
  logout: { autoAcceptRpInitiated: boolean; allowReject: boolean; rejectRedirectUrl: string | undefined }
  render: PageRenderer
  contentSecurityPolicy: ((context: RenderContext) => string) | undefined
  maxBodyBytes: number
  maxChallengeLength: number
  call: HydraCallOptions | undefined
  onError: ((event: FlowErrorEvent) => void) | undefined
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function section(value: unknown, name: string): Record<string, unknown> {
  if (value === undefined) return {}
  if (!isObject(value)) throw new TypeError(`${name} must be an object`)
  return value
}

function seconds(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new TypeError(`${name} must be an integer number of seconds >= 0`)
  }
  return value
}

function positive(value: unknown, name: string, fallback: number, max: number, unit: string): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new TypeError(`${name} must be an integer from 1 to ${max} (${unit})`)
  }
  return value
}

function fn<T>(value: unknown, name: string, required: boolean): T | undefined {
  if (value === undefined && !required) return undefined
  if (typeof value !== 'function')
    throw new TypeError(`${name} ${required ? 'is required and ' : ''}must be a function`)
  return value as T
}

function rejectUrl(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new TypeError(
      `${name} is required when logout.allowReject is true: an http(s) URL or a path starting with /`,
    )
  }
  if (value.startsWith('/') && !value.startsWith('//') && !value.includes('\\')) return value
  try {
    const u = new URL(value)
    if ((u.protocol === 'http:' || u.protocol === 'https:') && u.username === '' && u.password === '')
      return u.href
  } catch {
    // fall through
  }
  throw new TypeError(`${name} must be an absolute http(s) URL or a path starting with /`)
}

const ADMIN_METHODS = [
  'getOAuth2LoginRequest',
  'acceptOAuth2LoginRequest',
  'rejectOAuth2LoginRequest',
  'getOAuth2ConsentRequest',
  'acceptOAuth2ConsentRequest',
  'rejectOAuth2ConsentRequest',
  'getOAuth2LogoutRequest',
  'acceptOAuth2LogoutRequest',
  'rejectOAuth2LogoutRequest',
] as const

/** Validates the options and applies the defaults. Throws a TypeError naming the bad option. */
export function resolveFlowOptions(options: LoginConsentOptions): FlowContext {
  if (!isObject(options)) throw new TypeError('options must be an object')
  const admin = options.admin as unknown
  if (!isObject(admin) || ADMIN_METHODS.some((m) => typeof admin[m] !== 'function')) {
    throw new TypeError('admin is required: a Hydra admin client from createHydraAdminClient()')
  }
  const guard = createRedirectGuard(options.hydraPublicUrl, options.allowedRedirectOrigins)
  const csrf = createCsrfProtection(options.csrfSecret, options.cookie)
  const authenticate = fn<AuthenticateHook>(options.authenticate, 'authenticate', true)!
  const claims = fn<ClaimsHook>(options.claims, 'claims', false)
  const login = section(options.login, 'login')
  const consent = section(options.consent, 'consent')
  const logout = section(options.logout, 'logout')

  const descriptions = section(consent.scopeDescriptions, 'consent.scopeDescriptions')
  const scopeDescriptions = new Map<string, string>()
  for (const [scope, text] of Object.entries(descriptions)) {
    if (typeof text !== 'string') throw new TypeError(`consent.scopeDescriptions.${scope} must be a string`)
    scopeDescriptions.set(scope, text)
  }

  const allowReject = bool(logout.allowReject, false, 'logout.allowReject')
  let rejectRedirectUrl: string | undefined
  if (allowReject) rejectRedirectUrl = rejectUrl(logout.rejectRedirectUrl, 'logout.rejectRedirectUrl')
  else if (logout.rejectRedirectUrl !== undefined) {
    rejectRedirectUrl = rejectUrl(logout.rejectRedirectUrl, 'logout.rejectRedirectUrl')
  }

  let call: HydraCallOptions | undefined
  if (options.timeoutMs !== undefined) {
    call = { timeoutMs: positive(options.timeoutMs, 'timeoutMs', 10_000, 300_000, 'milliseconds') }
  }

  return {
    admin: options.admin,
    guard,
    csrf,
    authenticate,
    claims,
    login: {
      offerRemember: bool(login.offerRemember, true, 'login.offerRemember'),
      rememberFor: seconds(login.rememberFor, 'login.rememberFor', 3600),
      onSkip: fn<LoginSkipHook>(login.onSkip, 'login.onSkip', false),
    },
    consent: {
      skipFirstParty: bool(consent.skipFirstParty, false, 'consent.skipFirstParty'),
      offerRemember: bool(consent.offerRemember, true, 'consent.offerRemember'),
      rememberFor: seconds(consent.rememberFor, 'consent.rememberFor', 3600),
      scopeDescriptions,
    },
    logout: {
      autoAcceptRpInitiated: bool(logout.autoAcceptRpInitiated, false, 'logout.autoAcceptRpInitiated'),
      allowReject,
      rejectRedirectUrl,
    },
    render: fn<PageRenderer>(options.render, 'render', false) ?? renderBuiltInPage,
    contentSecurityPolicy: fn<(c: RenderContext) => string>(
      options.contentSecurityPolicy,
      'contentSecurityPolicy',
      false,
    ),
    maxBodyBytes: positive(
      options.maxBodyBytes,
      'maxBodyBytes',
      DEFAULT_MAX_FORM_BYTES,
      1024 * 1024,
      'bytes',
    ),
    maxChallengeLength: positive(
      options.maxChallengeLength,
      'maxChallengeLength',
      DEFAULT_MAX_CHALLENGE_LENGTH,
      65536,
      'characters',
    ),
    call,
    onError: fn<(e: FlowErrorEvent) => void>(options.onError, 'onError', false),
  }
}
