// @hydrakit/web: Ory Hydra for Web-standard Request/Response runtimes (Next.js, Bun, Deno, Hono).

export type { HydraOptions, Requirements, AuthedHandler, WebAuth } from './web.js'
export { hydra, getAuth } from './web.js'
export type { LoginConsentHandlerOptions, WebLoginConsentHandler } from './login-consent.js'
export { loginConsentHandler } from './login-consent.js'
export type { AuthInfo } from '@hydrakit/core'
