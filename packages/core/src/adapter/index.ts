// @hydrakit/core/adapter: the building blocks framework adapters (Express, Koa) are made of.
// Applications do not need these; they use an adapter package. Explicit named re-exports only.

export type { RequestAuthenticator, RequestAuthenticatorOptions } from '../guard/authenticate.js'
export { createRequestAuthenticator, isCorsPreflight } from '../guard/authenticate.js'
export type { SyncTokenVerifier } from '../guard/authenticate.js'
export { isSyncTokenVerifier } from '../guard/authenticate.js'
export { normalizeRequiredScopes } from '../guard/scopes.js'
export type { AuthCheck, AuthState, Guard, GuardOptions } from '../guard/guard.js'
export { createGuard } from '../guard/guard.js'
export type { GuardBuilder, GuardSettings, AuthenticateOptions } from '../guard/builder.js'
export { createGuardBuilder, unauthenticatedVerifier } from '../guard/builder.js'
export type { ErrorResponse } from '../http/error-response.js'
export { toErrorResponse } from '../http/error-response.js'
export type { BearerChallenge } from '../errors/www-authenticate.js'
export { buildBearerChallenge } from '../errors/www-authenticate.js'
export { GUARD_SETTING_NAMES, verifierFromHydraOptions, checkReady } from './hydra-options.js'
