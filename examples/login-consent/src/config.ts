import { randomBytes } from 'node:crypto'
import type { HydraApiVersion } from '@hydrakit/core/hydra'

/** The example's configuration, read from the environment (libraries never read env; apps do). */
export interface LoginConsentConfig {
  port: number
  hydraAdminUrl: string
  hydraPublicUrl: string
  hydraApiVersion: HydraApiVersion
  csrfSecret: string
  /** True when CSRF_SECRET was not set and a random one was made for this process. */
  generatedSecret: boolean
}

/**
 * HYDRA_ADMIN_URL   Hydra's admin API (required), e.g. http://127.0.0.1:4445
 * HYDRA_PUBLIC_URL  Hydra's public URL (required), e.g. http://127.0.0.1:4444
 * HYDRA_API_VERSION v2 (default) or v1
 * CSRF_SECRET       at least 32 bytes; default: random per process (fine for one local instance)
 * PORT              default 3000
 */
export function readConfig(env: NodeJS.ProcessEnv, defaultPort = 3000): LoginConsentConfig {
  const hydraAdminUrl = env.HYDRA_ADMIN_URL
  const hydraPublicUrl = env.HYDRA_PUBLIC_URL
  if (!hydraAdminUrl)
    throw new TypeError('HYDRA_ADMIN_URL is required (Hydra admin API, e.g. http://127.0.0.1:4445)')
  if (!hydraPublicUrl)
    throw new TypeError('HYDRA_PUBLIC_URL is required (Hydra public URL, e.g. http://127.0.0.1:4444)')
  const version = env.HYDRA_API_VERSION ?? 'v2'
  if (version !== 'v1' && version !== 'v2') throw new TypeError('HYDRA_API_VERSION must be v1 or v2')
  const port = Number(env.PORT ?? defaultPort)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError('PORT must be a port number')
  const given = env.CSRF_SECRET
  if (given !== undefined && Buffer.byteLength(given) < 32)
    throw new TypeError('CSRF_SECRET must be at least 32 bytes')
  return {
    port,
    hydraAdminUrl,
    hydraPublicUrl,
    hydraApiVersion: version,
    csrfSecret: given ?? randomBytes(32).toString('base64url'),
    generatedSecret: given === undefined,
  }
}
