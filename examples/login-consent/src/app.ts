import express from 'express'
import { createHydraAdminClient, type HydraApiVersion } from '@hydrakit/core/hydra'
import { loginConsentRouter } from '@hydrakit/express'
import { createDemoUserStore, type UserStore } from './users.js'

/** Options of {@link createLoginConsentApp}. */
export interface LoginConsentAppOptions {
  /** Hydra's admin API, e.g. `http://127.0.0.1:4445`. */
  hydraAdminUrl: string
  /** Hydra's public URL (issuer), e.g. `http://127.0.0.1:4444`. */
  hydraPublicUrl: string
  /** Admin API generation: `'v2'` (default) or `'v1'`. */
  hydraApiVersion?: HydraApiVersion | undefined
  /** CSRF secret, at least 32 bytes. */
  csrfSecret: string
  /** Where users are looked up. Default: the demo store (`foo@bar.com` / `foobar`). */
  users?: UserStore | undefined
  /**
   * Where "No, stay signed in" on the logout page sends the user (an absolute URL or a path).
   * Default `'/'` of this app.
   */
  logoutCancelUrl?: string | undefined
}

/**
 * The login/consent app: Hydra's `urls.login`, `urls.consent` and `urls.logout` are
 * `<app>/auth/login`, `<app>/auth/consent` and `<app>/auth/logout`. Consent adds `email` to the ID
 * token only when the `email` scope was granted, and `name` only for `profile`.
 */
export function createLoginConsentApp(options: LoginConsentAppOptions): {
  app: express.Express
  close: () => Promise<void>
} {
  const users = options.users ?? createDemoUserStore()
  const admin = createHydraAdminClient({
    adminUrl: options.hydraAdminUrl,
    apiVersion: options.hydraApiVersion,
  })
  const app = express()
  app.disable('x-powered-by')

  app.use(
    '/auth',
    loginConsentRouter({
      admin,
      hydraPublicUrl: options.hydraPublicUrl,
      csrfSecret: options.csrfSecret,
      authenticate: async ({ username, password }) => {
        const user = await users.verify(username, password)
        return user === null ? null : { subject: user.id, amr: ['pwd'] }
      },
      login: {
        // A remembered user who no longer exists must sign in again.
        onSkip: async ({ subject }) => ((await users.find(subject)) === undefined ? false : undefined),
      },
      claims: async ({ subject, grantedScopes }) => {
        const user = await users.find(subject)
        if (user === undefined) return undefined
        const idToken: Record<string, unknown> = {}
        if (grantedScopes.includes('email')) {
          idToken.email = user.email
          idToken.email_verified = true
        }
        if (grantedScopes.includes('profile')) idToken.name = user.name
        return { idToken }
      },
      // The logout page asks "Sign out?" and offers both answers.
      logout: { allowReject: true, rejectRedirectUrl: options.logoutCancelUrl ?? '/' },
      consent: {
        scopeDescriptions: {
          openid: 'Know who you are',
          offline_access: 'Stay signed in (refresh tokens)',
          email: 'See your email address',
          profile: 'See your name',
          read: 'Read your items',
          write: 'Create items',
        },
      },
    }),
  )

  app.get('/', (_req, res) => {
    res
      .type('text/plain')
      .send(
        'hydrakit login/consent example: Hydra sends users to /auth/login, /auth/consent, /auth/logout.\n',
      )
  })

  return { app, close: () => admin.close() }
}
