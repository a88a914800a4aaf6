import {
  InvalidTokenError,
  toAuthInfo,
  UpstreamUnavailableError,
  type AuthInfo,
  type TokenVerifier,
} from '@hydrakit/core'

/**
 * A table verifier for adapter plumbing tests: token `scopes-a.b` → scopes a and b; `bad` → 401;
 * `down` → 503. Counts calls so tests can prove a request is verified once. Real verification is
 * covered by the core tests and the cross-adapter behaviour suite in test/adapters.
 * Shared by the Express and Koa adapter tests.
 */
export function tableVerifier(realm = 'api'): TokenVerifier & { calls: number } {
  const v = {
    realm,
    calls: 0,
    verify(token: string): Promise<AuthInfo> {
      v.calls++
      if (token === 'down') {
        return Promise.reject(
          new UpstreamUnavailableError({ description: 'upstream down', reason: 'jwks_unavailable', realm }),
        )
      }
      if (token.startsWith('scopes-')) {
        return Promise.resolve(
          toAuthInfo(
            token,
            { sub: 'alice', scope: token.slice(7).split('.').join(' '), tenant: 'acme' },
            'jwt',
          ),
        )
      }
      return Promise.reject(
        new InvalidTokenError({ description: 'bad signature', reason: 'signature', realm }),
      )
    },
  }
  return v
}
