import { randomBytes } from 'node:crypto'
import type { Server } from 'node:http'
import { createLoginConsentApp } from '@hydrakit/example-login-consent'

/**
 * Serves the example login/consent app on a server that is already listening (its URL had to be
 * known before the mock Hydra started, since Hydra redirects to it). Returns its closer.
 */
export function startLoginConsent(
  server: Server,
  options: { hydraAdminUrl: string; hydraPublicUrl: string; logoutCancelUrl: string },
): () => Promise<void> {
  const { app, close } = createLoginConsentApp({
    hydraAdminUrl: options.hydraAdminUrl,
    hydraPublicUrl: options.hydraPublicUrl,
    csrfSecret: randomBytes(32).toString('base64url'),
    logoutCancelUrl: options.logoutCancelUrl,
  })
  server.on('request', app)
  return close
}
