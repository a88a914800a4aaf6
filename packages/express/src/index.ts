// @hydrakit/express: Express middleware for Ory Hydra.

export type {
  HydraAuth,
  HydraOptions,
  MiddlewareSettings,
  StandaloneOptions,
  AuthenticatedRequest,
} from './hydra.js'
export {
  hydra,
  authenticate,
  requireScope,
  requireScopes,
  requireAnyScope,
  requireClaims,
  errorHandler,
  getAuth,
} from './hydra.js'
export type { ErrorMode, AuthenticateOptions } from '@hydrakit/core/adapter'
export type { AuthInfo } from '@hydrakit/core'
export type { LoginConsentRouter, LoginConsentRouterOptions } from './login-consent-router.js'
export { loginConsentRouter } from './login-consent-router.js'
