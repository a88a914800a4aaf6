// @hydrakit/core/adapter: the building blocks framework adapters (Express, Koa, Fastify, Web) are
// made of. Applications do not need these; they use an adapter package. Explicit named re-exports only.

export type { RequestAuthenticator, RequestAuthenticatorOptions } from '../guard/authenticate.js'
export { createRequestAuthenticator, isCorsPreflight } from '../guard/authenticate.js'
export { normalizeRequiredScopes } from '../guard/scopes.js'
export type { AuthCheck, Guard, GuardOptions } from '../guard/guard.js'
export { createGuard } from '../guard/guard.js'
export type { GuardBuilder, GuardSettings, AuthenticateOptions } from '../guard/builder.js'
export { createGuardBuilder, unauthenticatedVerifier } from '../guard/builder.js'
export type { ErrorResponse } from '../http/error-response.js'
export { toErrorResponse } from '../http/error-response.js'
export type { BearerChallenge } from '../errors/www-authenticate.js'
export { buildBearerChallenge } from '../errors/www-authenticate.js'
export type { RequestLike } from '../token/extract.js'
export type {
  HydraAuthOptions,
  GuardFactories,
  HydraAuthBase,
  StandaloneGuardOptions,
  StandaloneGuards,
} from './facade.js'
export { createHydraAuth, createStandaloneGuards, authOrUndefined } from './facade.js'
export type { RequestBinding, GuardRunner } from './run-guard.js'
export { createGuardRunner } from './run-guard.js'
export type { AdapterResponse, ErrorMode } from './respond.js'
export {
  refusalResponse,
  metadataResponse,
  pathOf,
  checkErrorMode,
  checkPrefix,
  pathBelow,
} from './respond.js'
export { GUARD_SETTING_NAMES, verifierFromHydraOptions, checkReady } from './hydra-options.js'
