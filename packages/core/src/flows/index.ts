// @hydrakit/core/flows: Login, consent and logout flows (framework-free): the handler the adapters mount.
// Explicit named re-exports only.

export type {
  FlowRequest,
  FlowPage,
  FlowRedirect,
  FlowRender,
  FlowResult,
  ClientView,
  FormTokens,
  LoginPageData,
  ConsentItem,
  ConsentPageData,
  LogoutPageData,
  FlowErrorCode,
  ErrorPageData,
  FlowPageData,
  RenderContext,
  PageRenderer,
} from './types.js'
export type {
  LoginConsentOptions,
  LoginFlowOptions,
  ConsentFlowOptions,
  LogoutFlowOptions,
  AuthenticateHook,
  AuthenticateInput,
  AuthenticateResult,
  LoginSkipHook,
  LoginSkipInput,
  LoginSkipResult,
  ClaimsHook,
  ClaimsInput,
  SessionClaims,
  FlowErrorEvent,
} from './options.js'
export type { FlowRoute, FlowHttpResponse, FlowHttpInput, LoginConsentHandler } from './handler.js'
export { createLoginConsentHandler, defaultContentSecurityPolicy } from './handler.js'
export type { CsrfCookieOptions, CsrfProtection, CsrfFlow } from './csrf.js'
export { createCsrfProtection } from './csrf.js'
export type { RedirectGuard } from './redirect-guard.js'
export { createRedirectGuard } from './redirect-guard.js'
export type { FormBodySource, FormBodyErrorReason } from './form.js'
export { FormBodyError, readFormBody, formFromParsed, DEFAULT_MAX_FORM_BYTES } from './form.js'
export type { ChallengeCheck } from './challenge.js'
export { checkChallenge, DEFAULT_MAX_CHALLENGE_LENGTH } from './challenge.js'
export { escapeHtml, renderBuiltInPage, BUILT_IN_STYLE } from './pages.js'
