// Opt-in typing of `req.auth` on every Express request: `import '@hydrakit/express/global'`.
// Without this import hydrakit adds nothing to Express's global types.
import type { AuthInfo } from '@hydrakit/core'

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by hydrakit's `authenticate()` and scope/claim guards. */
      auth?: AuthInfo
    }
  }
}

export {}
