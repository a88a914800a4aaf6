// panva's oidc-provider, started in-process as a plain standards authorization server for the
// interop suite: RFC 8707 resource indicators, RFC 9068 JWT access tokens for the API's audience,
// opaque tokens for another resource, RFC 7662 introspection, RFC 7009 revocation, the client
// credentials grant, and authorization code + PKCE with refresh tokens driven headlessly over HTTP.
import { createHash, randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair } from 'jose'
import Provider, { errors, type Configuration } from 'oidc-provider'

/** The API hydrakit protects: tokens for this resource are RFC 9068 JWTs. */
export const API_AUDIENCE = 'https://api.example.test'
/** Another API on the same server: tokens for it are opaque (introspection only). */
export const OTHER_AUDIENCE = 'https://other.example.test'
/** Resources nobody under test protects: tokens meant for someone else, one of each format. */
export const ELSEWHERE_JWT_AUDIENCE = 'https://elsewhere-jwt.example.test'
export const ELSEWHERE_OPAQUE_AUDIENCE = 'https://elsewhere-opaque.example.test'

/** Tokens minted over HTTP; `grant` values are what the token endpoint answered. */
export interface IssuedToken {
  access_token: string
  refresh_token?: string
  token_type: string
  scope?: string
}

/** A running oidc-provider with the helpers the interop tests need. */
export interface OidcProviderServer {
  /** The issuer, exactly as the server reports it (no trailing slash). */
  readonly issuer: string
  /** `jwks_uri` from discovery (`{issuer}/jwks`, not Hydra's `/.well-known/jwks.json`). */
  readonly jwksUri: string
  /** `introspection_endpoint` from discovery (`{issuer}/token/introspection`). */
  readonly introspectionUrl: string
  /** Credentials of the confidential client the resource server introspects with. */
  readonly introspectionClient: { id: string; secret: string }
  /** Client credentials grant for `resource` (default: no resource → opaque token). */
  clientCredentials(scope: string, resource?: string): Promise<IssuedToken>
  /**
   * Authorization code + PKCE for a user, with login and consent answered by the test's own
   * interaction handler, then the code exchanged for `resource`. Returns access and refresh tokens.
   */
  authorizationCode(scope: string, resource: string, accountId?: string): Promise<IssuedToken>
  /** RFC 7009 revocation of a token. */
  revoke(token: string): Promise<void>
  /** Counts of requests per path (`/jwks`, `/token/introspection`, ...). */
  readonly calls: Readonly<Record<string, number>>
  close(): Promise<void>
}

const APP_CLIENT = { id: 'app', secret: 'app-secret-app-secret-app-secret-32' }
const RS_CLIENT = { id: 'resource-server', secret: 'rs-secret-rs-secret-rs-secret-rs-32' }
const REDIRECT = 'http://127.0.0.1/callback'

const b64url = (b: Buffer): string => b.toString('base64url')

/** A minimal cookie jar: the provider's interaction cookies travel between the requests of one flow. */
class CookieJar {
  private readonly cookies = new Map<string, string>()
  store(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const pair = line.split(';', 1)[0] ?? ''
      const eq = pair.indexOf('=')
      if (eq > 0) this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1))
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
  }
}

/** Starts oidc-provider on 127.0.0.1, port 0. */
export async function startOidcProvider(): Promise<OidcProviderServer> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true })
  const jwk = { ...(await exportJWK(privateKey)), kid: 'rs256-1', alg: 'RS256', use: 'sig' }

  const server: Server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  const resources: Record<string, { format: 'jwt' | 'opaque' }> = {
    [API_AUDIENCE]: { format: 'jwt' },
    [OTHER_AUDIENCE]: { format: 'opaque' },
    [ELSEWHERE_JWT_AUDIENCE]: { format: 'jwt' },
    [ELSEWHERE_OPAQUE_AUDIENCE]: { format: 'opaque' },
  }
  const configuration: Configuration = {
    clients: [
      {
        client_id: APP_CLIENT.id,
        client_secret: APP_CLIENT.secret,
        grant_types: ['client_credentials', 'authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [REDIRECT],
        scope: 'read write',
      },
      {
        client_id: RS_CLIENT.id,
        client_secret: RS_CLIENT.secret,
        grant_types: [],
        response_types: [],
        redirect_uris: [],
      },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: [b64url(randomBytes(32))] },
    scopes: ['openid', 'offline_access', 'read', 'write'],
    findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
    pkce: { required: () => true },
    // A refresh token for every code exchange of a client allowed to refresh, without asking for
    // `offline_access` (which would need `openid` and a consent prompt for it).
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    // Explicit lifetimes (seconds) keep the provider from warning about its defaults.
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      ClientCredentials: 3600,
      Grant: 3600,
      IdToken: 3600,
      Interaction: 600,
      RefreshToken: 86400,
      Session: 3600,
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // Any authenticated confidential client may introspect (the resource server is one).
      introspection: { enabled: true, allowedPolicy: (ctx) => ctx.oidc.client?.clientAuthMethod !== 'none' },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => undefined as unknown as string,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator) => {
          const r = resources[indicator]
          if (r === undefined) throw new errors.InvalidTarget()
          return {
            scope: 'read write',
            audience: indicator,
            accessTokenFormat: r.format,
            accessTokenTTL: 3600,
            ...(r.format === 'jwt' ? { jwt: { sign: { alg: 'RS256' } } } : {}),
          }
        },
      },
    },
  }
  const provider = new Provider(issuer, configuration)
  const calls: Record<string, number> = {}
  const callback = provider.callback()

  // Interactions are answered here, by the test: login as the account named in the interaction's
  // `login_hint`, then a consent grant for what was requested.
  const interaction = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const details = await provider.interactionDetails(req, res)
    const { prompt, params } = details
    if (prompt.name === 'login') {
      const accountId = typeof params.login_hint === 'string' ? params.login_hint : 'user-1'
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId } },
        { mergeWithLastSubmission: false },
      )
      return
    }
    const grant = new provider.Grant({
      accountId: details.session?.accountId,
      clientId: String(params.client_id),
    })
    const missing = prompt.details as {
      missingOIDCScope?: string[]
      missingResourceScopes?: Record<string, string[]>
    }
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '))
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '))
    }
    const grantId = await grant.save()
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true })
  }
  server.on('request', (req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/'
    calls[path] = (calls[path] ?? 0) + 1
    if (path.startsWith('/interaction/')) {
      interaction(req, res).catch((err: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err))
      })
      return
    }
    void callback(req, res)
  })

  const basic = (c: { id: string; secret: string }): string =>
    'Basic ' + Buffer.from(`${encodeURIComponent(c.id)}:${encodeURIComponent(c.secret)}`).toString('base64')
  const token = async (form: Record<string, string>): Promise<IssuedToken> => {
    const res = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { authorization: basic(APP_CLIENT), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
    })
    const body = (await res.json()) as IssuedToken & { error?: string; error_description?: string }
    if (res.status !== 200)
      throw new Error(`token endpoint: ${res.status} ${body.error} ${body.error_description}`)
    return body
  }

  return {
    issuer,
    jwksUri: `${issuer}/jwks`,
    introspectionUrl: `${issuer}/token/introspection`,
    introspectionClient: RS_CLIENT,
    calls,
    clientCredentials: (scope, resource) =>
      token({ grant_type: 'client_credentials', scope, ...(resource === undefined ? {} : { resource }) }),
    async authorizationCode(scope, resource, accountId = 'user-1') {
      const verifier = b64url(randomBytes(32))
      const challenge = b64url(createHash('sha256').update(verifier).digest())
      const jar = new CookieJar()
      const query = new URLSearchParams({
        client_id: APP_CLIENT.id,
        response_type: 'code',
        redirect_uri: REDIRECT,
        scope,
        resource,
        login_hint: accountId,
        code_challenge: challenge,
        code_challenge_method: 'S256',
        state: b64url(randomBytes(8)),
      })
      let url = `${issuer}/auth?${query.toString()}`
      // Follow the redirects (auth → interaction → auth resume → ...) until the client's callback.
      for (let hop = 0; hop < 12; hop++) {
        if (url.startsWith(REDIRECT)) {
          const q = new URL(url).searchParams
          const code = q.get('code')
          if (code === null)
            throw new Error(`authorization failed: ${q.get('error')} ${q.get('error_description')}`)
          return token({
            grant_type: 'authorization_code',
            code,
            redirect_uri: REDIRECT,
            code_verifier: verifier,
            resource,
          })
        }
        const res = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header() } })
        jar.store(res)
        const location = res.headers.get('location')
        if (res.status < 300 || res.status >= 400 || location === null) {
          throw new Error(`authorization flow stopped at ${url}: ${res.status} ${await res.text()}`)
        }
        await res.arrayBuffer()
        url = new URL(location, url).href
      }
      throw new Error('authorization flow: too many redirects')
    },
    async revoke(value) {
      const res = await fetch(`${issuer}/token/revocation`, {
        method: 'POST',
        headers: { authorization: basic(APP_CLIENT), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: value }),
      })
      if (res.status !== 200) throw new Error(`revocation: ${res.status} ${await res.text()}`)
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
