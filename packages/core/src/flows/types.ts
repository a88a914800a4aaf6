// Data shapes of the login, consent and logout flows: what an adapter hands in (FlowRequest) and what
// it gets back (FlowResult), plus the data of each page. Framework-free: no request/response objects.

import type { OAuth2ConsentRequest, OAuth2LoginRequest, OAuth2LogoutRequest } from '../hydra/types.js'

/**
 * One browser request to a login, consent or logout route, as plain data. Adapters build it from
 * their framework's request.
 */
export interface FlowRequest {
  /** HTTP method, upper case (`GET`, `POST`, ...). */
  method: string
  /** The query string parameters. */
  query: URLSearchParams
  /**
   * The fields of an `application/x-www-form-urlencoded` POST body (see `readFormBody`).
   * `undefined` for a GET, or when the POST carried no body.
   */
  form?: URLSearchParams | undefined
  /**
   * Request headers with lower-case names (Node's `IncomingHttpHeaders`). Read: `cookie`, and
   * `sec-fetch-site` on a POST (a cross-origin form post is refused).
   */
  headers: Record<string, string | string[] | undefined>
  /**
   * True when the browser reached the app over https (Express `req.secure`, Koa `ctx.secure`, which
   * honour the framework's proxy trust settings). Decides the CSRF cookie's `Secure` attribute
   * when `cookie.secure` is `'auto'`.
   */
  secure: boolean
}

/** The built-in pages. */
export type FlowPage = 'login' | 'consent' | 'logout' | 'error'

/** Send the browser elsewhere. */
export interface FlowRedirect {
  type: 'redirect'
  /** Absolute URL (Hydra's `redirect_to`, checked by the redirect guard) or the app's configured URL. */
  location: string
  /** 302 after a GET, 303 after a POST (the browser follows with a GET). */
  status: 302 | 303
  /** `Set-Cookie` header values to send with the response. */
  cookies: string[]
}

/** Show a page. */
export interface FlowRender {
  type: 'render'
  /** HTTP status of the page. */
  status: number
  /** Which page; equal to `data.page`. */
  page: FlowPage
  /** Everything the page shows, already checked (safe URLs) but not yet HTML-escaped. */
  data: FlowPageData
  /** `Set-Cookie` header values to send with the response. */
  cookies: string[]
  /** Extra response headers (e.g. `Allow` on a 405, `Retry-After` on a 503). */
  headers?: Record<string, string> | undefined
}

/** What a flow handler decided; an adapter writes it (see `createLoginConsentHandler().respond`). */
export type FlowResult = FlowRedirect | FlowRender

/**
 * The OAuth 2.0 client as the pages show it. URLs are only present when they are safe to show:
 * `logoUri` only over https, the other links only http(s).
 */
export interface ClientView {
  /** `client_id`. */
  id: string
  /** `client_name`, or the client id when the client has no name. */
  name: string
  /** `logo_uri`, only when it is an https URL. */
  logoUri?: string | undefined
  /** `client_uri` (the client's home page), only http(s). */
  clientUri?: string | undefined
  /** `policy_uri` (privacy policy), only http(s). */
  policyUri?: string | undefined
  /** `tos_uri` (terms of service), only http(s). */
  tosUri?: string | undefined
}

/** Hidden fields every built-in form carries. */
export interface FormTokens {
  /** The challenge, posted back as the `challenge` field. */
  challenge: string
  /** The CSRF token, posted back as the `csrf_token` field. */
  csrfToken: string
}

/** Data of the login page. */
export interface LoginPageData extends FormTokens {
  page: 'login'
  client: ClientView
  /** Prefill of the username field: what the user typed before, else OIDC `login_hint`. */
  username: string
  /** Whether to show the "remember me" checkbox (option `login.offerRemember`). */
  offerRemember: boolean
  /** Whether the checkbox starts ticked (what the user posted before). */
  remember: boolean
  /** A message to show above the form after a failed attempt (never contains the password). */
  error?: string | undefined
  /** Hydra's login request, for custom templates. */
  loginRequest: OAuth2LoginRequest
}

/** One requested scope or audience on the consent page. */
export interface ConsentItem {
  /** The scope or audience value, posted as `grant_scope` / `grant_audience`. */
  value: string
  /** Human-readable text (option `consent.scopeDescriptions`), else the value itself. */
  label: string
  /** Whether the checkbox starts ticked (always true on the first render). */
  checked: boolean
}

/** Data of the consent page. */
export interface ConsentPageData extends FormTokens {
  page: 'consent'
  client: ClientView
  /** The user (`subject`) the client asks for. */
  subject: string
  /** The requested scopes, each a checkbox (`grant_scope`). */
  scopes: ConsentItem[]
  /** The requested access token audiences, each a checkbox (`grant_audience`). */
  audiences: ConsentItem[]
  /** Whether to show the "remember this decision" checkbox (option `consent.offerRemember`). */
  offerRemember: boolean
  /** Hydra's consent request, for custom templates. */
  consentRequest: OAuth2ConsentRequest
}

/** Data of the logout confirmation page. */
export interface LogoutPageData extends FormTokens {
  page: 'logout'
  /** The user being signed out. */
  subject: string
  /** The client that started the logout, when Hydra says (RP-initiated logout). */
  client?: ClientView | undefined
  /** Whether the page offers "No, stay signed in" (option `logout.allowReject`). */
  allowReject: boolean
  /** Hydra's logout request, for custom templates. */
  logoutRequest: OAuth2LogoutRequest
}

/**
 * Why an error page is shown. Stable strings, safe to branch on in a custom template:
 * - `missing_challenge` (400): no `*_challenge` parameter;
 * - `invalid_challenge` (400): not 1 to `maxChallengeLength` URL-safe characters;
 * - `unknown_challenge` (404): Hydra does not know it;
 * - `expired_challenge` (401): Hydra says it expired;
 * - `used_challenge` (409): Hydra v1 says it was already used and gave no `redirect_to`;
 * - `csrf` (403): the form's CSRF token is missing, wrong, or not for this browser or challenge;
 * - `invalid_request` (400): a malformed form (unknown action, ...);
 * - `body_too_large` (413), `unsupported_media_type` (415): the POST body;
 * - `method_not_allowed` (405), `not_found` (404): routing;
 * - `reject_not_allowed` (400): a logout "no" when `logout.allowReject` is off;
 * - `hydra_unavailable` (503): Hydra did not answer, timed out, or answered 5xx/429;
 * - `hydra_error` (502): Hydra answered something unexpected;
 * - `unsafe_redirect` (502): Hydra's `redirect_to` points outside the allowed origins.
 */
export type FlowErrorCode =
  | 'missing_challenge'
  | 'invalid_challenge'
  | 'unknown_challenge'
  | 'expired_challenge'
  | 'used_challenge'
  | 'csrf'
  | 'invalid_request'
  | 'body_too_large'
  | 'unsupported_media_type'
  | 'method_not_allowed'
  | 'not_found'
  | 'reject_not_allowed'
  | 'hydra_unavailable'
  | 'hydra_error'
  | 'unsafe_redirect'

/** Data of the error page. Texts are written for the person in front of the browser. */
export interface ErrorPageData {
  page: 'error'
  /** HTTP status of the page. */
  status: number
  /** Stable reason (see {@link FlowErrorCode}). */
  error: FlowErrorCode
  /** Short heading. */
  title: string
  /** One or two sentences: what happened and what to do. */
  message: string
  /**
   * Where the user can start again: the client's `client_uri` (http(s) only), when known. Shown as
   * a link, never followed automatically.
   */
  restartUrl?: string | undefined
  /** Name of the client behind `restartUrl`. */
  restartLabel?: string | undefined
}

/** Data of any page; narrow on `data.page`. */
export type FlowPageData = LoginPageData | ConsentPageData | LogoutPageData | ErrorPageData

/** Given to a renderer with the page data. */
export interface RenderContext {
  /**
   * A fresh CSP nonce for this response (base64). The `Content-Security-Policy` allows inline
   * `<style nonce="…">` with it; inline scripts are never allowed by the default policy.
   */
  nonce: string
}

/**
 * Turns a page into HTML. Replaces the built-in pages (e.g. with a template engine). It must
 * HTML-escape every value it prints (the data is not escaped) and keep the form field names:
 * `challenge`, `csrf_token`, `action` (`accept`/`deny`), `username`, `password`, `remember`,
 * `grant_scope`, `grant_audience`. Forms should post to the page's own URL (omit `action=`).
 */
export type PageRenderer = (
  page: FlowPage,
  data: FlowPageData,
  context: RenderContext,
) => string | Promise<string>
