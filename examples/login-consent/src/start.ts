import { randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { HydraApiVersion } from '@hydrakit/core/hydra'
import { createLoginConsentApp } from './app.js'
import type { UserStore } from './users.js'

/** Options of {@link startLoginConsentApp}. */
export interface StartLoginConsentAppOptions {
  /** Hydra's admin API URL. Required. */
  hydraAdminUrl: string
  /** Hydra's public URL. Required. */
  hydraPublicUrl: string
  /** `'v2'` (default) or `'v1'`. */
  hydraApiVersion?: HydraApiVersion | undefined
  /** CSRF secret (at least 32 bytes). Default: random for this process. */
  csrfSecret?: string | undefined
  /** Port to listen on. Default 0 (a free port). */
  port?: number | undefined
  /** Interface to bind. Default `'127.0.0.1'`. */
  host?: string | undefined
  /** User store. Default: the demo store (`foo@bar.com` / `foobar`). */
  users?: UserStore | undefined
}

/** A running login/consent app. */
export interface RunningLoginConsentApp {
  /** Base URL, e.g. `http://127.0.0.1:3000`. */
  url: string
  /** Hydra's `urls.login`. */
  loginUrl: string
  /** Hydra's `urls.consent`. */
  consentUrl: string
  /** Hydra's `urls.logout`. */
  logoutUrl: string
  /** Stops the server and the admin client. */
  close(): Promise<void>
}

/**
 * Starts the login/consent app in this process (for the demo and for tests). The URLs it returns
 * are what Hydra's (or the mock's) `loginUrl`, `consentUrl` and `logoutUrl` must be.
 *
 * @example
 * ```ts
 * const app = await startLoginConsentApp({ hydraAdminUrl, hydraPublicUrl, port: 3000 })
 * const hydra = await createMockHydra({ loginUrl: app.loginUrl, consentUrl: app.consentUrl, logoutUrl: app.logoutUrl })
 * ```
 * (When Hydra's URLs are only known after the app runs, start the mock on fixed ports first.)
 */
export async function startLoginConsentApp(
  options: StartLoginConsentAppOptions,
): Promise<RunningLoginConsentApp> {
  const { app, close } = createLoginConsentApp({
    hydraAdminUrl: options.hydraAdminUrl,
    hydraPublicUrl: options.hydraPublicUrl,
    hydraApiVersion: options.hydraApiVersion,
    csrfSecret: options.csrfSecret ?? randomBytes(32).toString('base64url'),
    users: options.users,
  })
  const server = createServer(app)
  const host = options.host ?? '127.0.0.1'
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
  return {
    url,
    loginUrl: `${url}/auth/login`,
    consentUrl: `${url}/auth/consent`,
    logoutUrl: `${url}/auth/logout`,
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await close()
    },
  }
}
