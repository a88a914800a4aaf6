import { parseArgs } from 'node:util'
import type { MockHydraOptions } from './options.js'
import type { OAuth2Client } from './store/client-model.js'

/** What the CLI runs with. */
export interface CliConfig {
  options: MockHydraOptions
  /** The ready-made client registered at start. */
  client: OAuth2Client
  /** Print one JSON line instead of text. */
  json: boolean
  help: boolean
}

/** `hydrakit-mock --help`. */
export const CLI_USAGE = `hydrakit-mock: a mock Ory Hydra v26 for development and tests. NOT FOR PRODUCTION.

Usage: hydrakit-mock [options]        (flags win over environment variables)

Server                                             environment (Hydra's names)
  --port <n>                  public port [4444]   SERVE_PUBLIC_PORT
  --admin-port <n>            admin port [4445]    SERVE_ADMIN_PORT
  --host <host>               [127.0.0.1]          SERVE_PUBLIC_HOST
  --issuer <url>              [<public>/]          URLS_SELF_ISSUER
  --login-url <url>                                URLS_LOGIN
  --consent-url <url>                              URLS_CONSENT
  --logout-url <url>                               URLS_LOGOUT
  --error-url <url>                                URLS_ERROR
  --post-logout-redirect-url <url>                 URLS_POST_LOGOUT_REDIRECT
  --access-token-strategy opaque|jwt [opaque]      STRATEGIES_ACCESS_TOKEN
  --scope-claim list|string|both [list]            STRATEGIES_JWT_SCOPE_CLAIM
  --ttl-access-token <dur>    e.g. 1h, 90s [1h]    TTL_ACCESS_TOKEN
  --ttl-refresh-token <dur>   [720h]               TTL_REFRESH_TOKEN
  --ttl-id-token <dur>        [1h]                 TTL_ID_TOKEN
  --ttl-auth-code <dur>       [10m]                TTL_AUTH_CODE
  --ttl-login-consent-request <dur> [30m]          TTL_LOGIN_CONSENT_REQUEST
  --handled-challenges reuse|gone [reuse]
  --pkce public|always|never  [public]

Ready-made client (printed at start)
  --client-id <id>            [random UUID]        HYDRAKIT_MOCK_CLIENT_ID
  --client-secret <secret>    [random]             HYDRAKIT_MOCK_CLIENT_SECRET
  --redirect-uri <uri>        repeatable           HYDRAKIT_MOCK_REDIRECT_URIS (comma-separated)
  --post-logout-redirect-uri <uri>  repeatable     HYDRAKIT_MOCK_POST_LOGOUT_REDIRECT_URIS
  --client-scope <scopes>     [openid offline_access offline]
  --client-audience <aud>     repeatable

Output
  --json                      print one JSON line with the URLs and the client
  -h, --help

Runs until SIGINT or SIGTERM.`

const DURATION_PART = /(\d+)(ms|s|m|h)/g

/** Parses `3600`, `90s`, `30m`, `1h30m` into whole seconds; throws a TypeError naming `name`. */
export function parseDurationSeconds(value: string, name: string): number {
  const v = value.trim()
  if (/^\d+$/.test(v)) {
    const n = Number(v)
    if (n > 0) return n
  } else if (/^(\d+(ms|s|m|h))+$/.test(v)) {
    let ms = 0
    for (const m of v.matchAll(DURATION_PART)) {
      const n = Number(m[1])
      ms += m[2] === 'h' ? n * 3_600_000 : m[2] === 'm' ? n * 60_000 : m[2] === 's' ? n * 1000 : n
    }
    const seconds = Math.floor(ms / 1000)
    if (seconds > 0) return seconds
  }
  throw new TypeError(
    `${name} must be a positive duration such as 3600, 90s, 30m or 1h, got ${JSON.stringify(value)}`,
  )
}

function parsePort(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) {
    throw new TypeError(`${name} must be a port number from 0 to 65535, got ${JSON.stringify(value)}`)
  }
  return Number(value)
}

function list(flag: string[] | undefined, env: string | undefined): string[] {
  if (flag && flag.length > 0) return flag
  return (env ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
}

/**
 * Turns argv and environment into mock options and the ready-made client. Throws a TypeError
 * naming the flag for bad values (unknown flags included).
 */
export function parseCliArgs(argv: string[], env: NodeJS.ProcessEnv): CliConfig {
  let parsed: ReturnType<typeof parse>
  try {
    parsed = parse(argv)
  } catch (e) {
    throw new TypeError(e instanceof Error ? e.message : String(e))
  }
  const v = parsed.values
  const pick = (flag: string | undefined, envName: string): string | undefined =>
    flag !== undefined && flag !== '' ? flag : env[envName] || undefined

  const ttl: NonNullable<MockHydraOptions['ttl']> = {}
  const ttlFlags = [
    ['accessToken', v['ttl-access-token'], 'TTL_ACCESS_TOKEN', '--ttl-access-token'],
    ['refreshToken', v['ttl-refresh-token'], 'TTL_REFRESH_TOKEN', '--ttl-refresh-token'],
    ['idToken', v['ttl-id-token'], 'TTL_ID_TOKEN', '--ttl-id-token'],
    ['authCode', v['ttl-auth-code'], 'TTL_AUTH_CODE', '--ttl-auth-code'],
    [
      'loginConsentRequest',
      v['ttl-login-consent-request'],
      'TTL_LOGIN_CONSENT_REQUEST',
      '--ttl-login-consent-request',
    ],
  ] as const
  for (const [key, flag, envName, flagName] of ttlFlags) {
    const raw = pick(flag, envName)
    if (raw !== undefined) ttl[key] = parseDurationSeconds(raw, flagName)
  }

  const options: MockHydraOptions = {
    port: parsePort(pick(v.port, 'SERVE_PUBLIC_PORT'), '--port', 4444),
    adminPort: parsePort(pick(v['admin-port'], 'SERVE_ADMIN_PORT'), '--admin-port', 4445),
    host: pick(v.host, 'SERVE_PUBLIC_HOST') ?? '127.0.0.1',
    issuer: pick(v.issuer, 'URLS_SELF_ISSUER'),
    loginUrl: pick(v['login-url'], 'URLS_LOGIN'),
    consentUrl: pick(v['consent-url'], 'URLS_CONSENT'),
    logoutUrl: pick(v['logout-url'], 'URLS_LOGOUT'),
    errorUrl: pick(v['error-url'], 'URLS_ERROR'),
    postLogoutRedirectUrl: pick(v['post-logout-redirect-url'], 'URLS_POST_LOGOUT_REDIRECT'),
    accessTokenStrategy: pick(
      v['access-token-strategy'],
      'STRATEGIES_ACCESS_TOKEN',
    ) as MockHydraOptions['accessTokenStrategy'],
    scopeClaim: pick(v['scope-claim'], 'STRATEGIES_JWT_SCOPE_CLAIM') as MockHydraOptions['scopeClaim'],
    handledChallenges: v['handled-challenges'] as MockHydraOptions['handledChallenges'],
    pkce: v.pkce as MockHydraOptions['pkce'],
    ttl,
  }
  const client: OAuth2Client = {
    client_name: 'hydrakit mock client',
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
    response_types: ['code'],
    scope: v['client-scope'] ?? 'openid offline_access offline',
    redirect_uris: list(v['redirect-uri'], env.HYDRAKIT_MOCK_REDIRECT_URIS),
    post_logout_redirect_uris: list(
      v['post-logout-redirect-uri'],
      env.HYDRAKIT_MOCK_POST_LOGOUT_REDIRECT_URIS,
    ),
    audience: list(v['client-audience'], undefined),
    token_endpoint_auth_method: 'client_secret_basic',
  }
  const id = pick(v['client-id'], 'HYDRAKIT_MOCK_CLIENT_ID')
  const secret = pick(v['client-secret'], 'HYDRAKIT_MOCK_CLIENT_SECRET')
  if (id !== undefined) client.client_id = id
  if (secret !== undefined) client.client_secret = secret
  return { options, client, json: v.json === true, help: v.help === true }
}

function parse(argv: string[]) {
  const s = { type: 'string' } as const
  const m = { type: 'string', multiple: true } as const
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      port: s,
      'admin-port': s,
      host: s,
      issuer: s,
      'login-url': s,
      'consent-url': s,
      'logout-url': s,
      'error-url': s,
      'post-logout-redirect-url': s,
      'access-token-strategy': s,
      'scope-claim': s,
      'ttl-access-token': s,
      'ttl-refresh-token': s,
      'ttl-id-token': s,
      'ttl-auth-code': s,
      'ttl-login-consent-request': s,
      'handled-challenges': s,
      pkce: s,
      'client-id': s,
      'client-secret': s,
      'redirect-uri': m,
      'post-logout-redirect-uri': m,
      'client-scope': s,
      'client-audience': m,
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  })
}
