// The authorization servers the interop suite runs against, behind one interface, so that the same
// table checks hydrakit with the mock Hydra and with a third-party standards server.
import { createMockHydra } from '@hydrakit/hydra-mock'
import type { SharedOptions } from '../support/apps.js'
import {
  API_AUDIENCE,
  ELSEWHERE_JWT_AUDIENCE,
  ELSEWHERE_OPAQUE_AUDIENCE,
  OTHER_AUDIENCE,
  startOidcProvider,
} from './oidc-provider/server.js'

/** The verification modes of `hydra({ mode })`. */
export type Mode = 'jwt' | 'introspection' | 'hybrid'
/** The two token formats: RFC 9068 / Hydra JWT access tokens, and opaque ones. */
export type TokenFormat = 'jwt' | 'opaque'

/** A user's tokens as the token endpoint answered them. */
export interface UserTokens {
  access: string
  /** A refresh token of the same grant, when the server issued one. */
  refresh?: string | undefined
}

/** One authorization server under test, with the hydrakit options today's code needs for it. */
export interface AuthorizationServerUnderTest {
  readonly name: string
  /** The `hydra()` options of each mode: issuer, audience, and what the server needs beyond them. */
  options(mode: Mode): SharedOptions
  /** An access token (and refresh token) of `format` for the protected API, for user `subject`. */
  userTokens(format: TokenFormat, scope: string, subject: string): Promise<UserTokens>
  /** An access token of `format` with scope `read`, issued for another API. */
  wrongAudience(format: TokenFormat): Promise<string>
  /** Revokes a token (and its grant) at the server. */
  revoke(token: string): Promise<void>
  close(): Promise<void>
}

/** panva's oidc-provider: RFC 9068 JWTs for {@link API_AUDIENCE}, opaque tokens for {@link OTHER_AUDIENCE}. */
export async function oidcProviderUnderTest(): Promise<AuthorizationServerUnderTest> {
  const op = await startOidcProvider()
  // Nothing but the issuer, the audience and the introspection client's credentials: the JWKS
  // and introspection endpoints are discovered, and the answers' token_type tells access tokens
  // from refresh tokens.
  const adminAuth = {
    type: 'basic' as const,
    username: op.introspectionClient.id,
    password: op.introspectionClient.secret,
  }
  return {
    name: 'oidc-provider',
    options(mode) {
      switch (mode) {
        case 'jwt':
          return { mode, issuer: op.issuer, audience: API_AUDIENCE }
        case 'introspection':
          return { mode, issuer: op.issuer, audience: OTHER_AUDIENCE, adminAuth }
        case 'hybrid':
          return { mode, issuer: op.issuer, audience: [API_AUDIENCE, OTHER_AUDIENCE], adminAuth }
      }
    },
    async userTokens(format, scope, subject) {
      const t = await op.authorizationCode(scope, format === 'jwt' ? API_AUDIENCE : OTHER_AUDIENCE, subject)
      return { access: t.access_token, refresh: t.refresh_token }
    },
    async wrongAudience(format) {
      const resource = format === 'jwt' ? ELSEWHERE_JWT_AUDIENCE : ELSEWHERE_OPAQUE_AUDIENCE
      return (await op.clientCredentials('read', resource)).access_token
    },
    revoke: (token) => op.revoke(token),
    close: () => op.close(),
  }
}

/** The mock Hydra (issuer with Hydra's trailing slash), JWT and opaque (`ory_at_…`) tokens. */
export async function mockHydraUnderTest(): Promise<AuthorizationServerUnderTest> {
  const mock = await createMockHydra()
  return {
    name: 'mock Hydra',
    options(mode) {
      const base = { issuer: mock.issuer, audience: API_AUDIENCE }
      return mode === 'jwt' ? { mode, ...base } : { mode, ...base, adminUrl: mock.adminUrl }
    },
    async userTokens(format, scope, subject) {
      const t = await mock.issueToken({
        subject,
        clientId: 'app',
        scopes: [...scope.split(' '), 'offline_access'],
        audience: [API_AUDIENCE],
        strategy: format,
      })
      return { access: t.accessToken, refresh: t.refreshToken }
    },
    async wrongAudience(format) {
      const t = await mock.issueToken({
        clientId: 'app',
        scopes: ['read'],
        audience: [ELSEWHERE_JWT_AUDIENCE],
        strategy: format,
      })
      return t.accessToken
    },
    revoke(token) {
      if (!mock.revoke(token)) throw new Error('mock Hydra does not know the token')
      return Promise.resolve()
    },
    close: () => mock.close(),
  }
}
