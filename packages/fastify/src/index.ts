// @hydrakit/fastify: a Fastify plugin for Ory Hydra.

export type { HydraAuth, HydraOptions, HookSettings, HydrakitHook, StandaloneOptions } from './hydra.js'
export {
  hydra,
  authenticate,
  requireScope,
  requireScopes,
  requireAnyScope,
  requireClaims,
  getAuth,
  hydrakitErrorHandler,
} from './hydra.js'
export type { HydrakitPluginOptions } from './plugin.js'
export { hydrakit } from './plugin.js'
export type { LoginConsentRoutes, LoginConsentRoutesOptions } from './login-consent.js'
export { loginConsentRoutes } from './login-consent.js'
export type { ErrorMode, AuthenticateOptions } from '@hydrakit/core/adapter'
export type { AuthInfo } from '@hydrakit/core'
