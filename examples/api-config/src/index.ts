import type { VerifierConfig } from '@hydrakit/core'

/** The example's configuration, read from the environment (libraries never read env; apps do). */
export interface ApiConfig {
  port: number
  verifier: VerifierConfig
}

/**
 * AUTH_MODE      jwt | introspection | hybrid (default introspection)
 * HYDRA_ISSUER   Hydra's issuer URL (required for jwt and hybrid)
 * HYDRA_ADMIN_URL Hydra's admin API (required for introspection and hybrid)
 * AUDIENCE       accepted audience(s), comma-separated (required; `*` accepts any audience)
 * PORT           default 3001
 */
export function readConfig(env: NodeJS.ProcessEnv, defaultPort: number): ApiConfig {
  const mode = env.AUTH_MODE ?? 'introspection'
  if (mode !== 'jwt' && mode !== 'introspection' && mode !== 'hybrid') {
    throw new TypeError(`AUTH_MODE must be jwt, introspection or hybrid, got ${mode}`)
  }
  const port = Number(env.PORT ?? defaultPort)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError(`PORT must be a port number`)
  const audience = readAudience(env.AUDIENCE)
  const issuer = (): string => required(env, 'HYDRA_ISSUER', mode)
  const adminUrl = (): string => required(env, 'HYDRA_ADMIN_URL', mode)
  const verifier: VerifierConfig =
    mode === 'jwt'
      ? { mode, issuer: issuer(), audience }
      : mode === 'introspection'
        ? { mode, adminUrl: adminUrl(), issuer: env.HYDRA_ISSUER, audience }
        : { mode, issuer: issuer(), adminUrl: adminUrl(), audience }
  return { port, verifier }
}

/** Required: without an audience check, a token minted for another API would be accepted here. */
function readAudience(value: string | undefined): string[] | false {
  if (value === undefined || value.trim() === '') {
    throw new TypeError('AUDIENCE is required: the audience this API expects (or * to accept any audience)')
  }
  if (value.trim() === '*') return false
  return value
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '')
}

function required(env: NodeJS.ProcessEnv, name: string, mode: string): string {
  const value = env[name]
  if (value === undefined || value === '') throw new TypeError(`${name} is required for AUTH_MODE=${mode}`)
  return value
}
