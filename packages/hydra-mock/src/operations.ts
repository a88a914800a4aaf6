/** Hydra operationIds of the endpoints the mock serves, used as keys of the call counters. */
export const MOCK_OPERATIONS = [
  'discoverOidcConfiguration',
  'discoverJsonWebKeys',
  'oAuth2Authorize',
  'oauth2TokenExchange',
  'revokeOAuth2Token',
  'getOidcUserInfo',
  'revokeOidcSession',
  'oAuth2DeviceFlow',
  'fallbackPage',
  'isAlive',
  'isReady',
  'getVersion',
  'listOAuth2Clients',
  'createOAuth2Client',
  'getOAuth2Client',
  'setOAuth2Client',
  'patchOAuth2Client',
  'deleteOAuth2Client',
  'setOAuth2ClientLifespans',
  'getJsonWebKeySet',
  'createJsonWebKeySet',
  'deleteJsonWebKeySet',
  'getJsonWebKey',
  'deleteJsonWebKey',
  'setJsonWebKeySet',
  'setJsonWebKey',
  'getOAuth2LoginRequest',
  'acceptOAuth2LoginRequest',
  'rejectOAuth2LoginRequest',
  'getOAuth2ConsentRequest',
  'acceptOAuth2ConsentRequest',
  'rejectOAuth2ConsentRequest',
  'getOAuth2LogoutRequest',
  'acceptOAuth2LogoutRequest',
  'rejectOAuth2LogoutRequest',
  'listOAuth2ConsentSessions',
  'revokeOAuth2ConsentSessions',
  'revokeOAuth2LoginSessions',
  'introspectOAuth2Token',
  'deleteOAuth2Token',
  'flushInactiveOAuth2Tokens',
  'trustOAuth2JwtGrantIssuer',
  'getTrustedOAuth2JwtGrantIssuer',
  'listTrustedOAuth2JwtGrantIssuers',
  'deleteTrustedOAuth2JwtGrantIssuer',
  'getPrometheusMetrics',
  'notFound',
] as const

/**
 * An endpoint of the mock, named by Hydra's operationId (`introspectOAuth2Token`, ...);
 * `fallbackPage` covers the mock's own HTML pages and `notFound` every unknown route.
 */
export type MockOperation = (typeof MOCK_OPERATIONS)[number]

/** One entry of the request log. Paths only: query strings (codes, challenges) are not kept. */
export interface MockRequestRecord {
  readonly listener: 'public' | 'admin'
  readonly operation: MockOperation
  readonly method: string
  readonly path: string
  readonly status: number
  readonly at: Date
}

/** Per-operation call counts. */
export type MockCallCounts = Record<MockOperation, number>

/** A zeroed counter object. */
export function emptyCounts(): MockCallCounts {
  const out = {} as MockCallCounts
  for (const op of MOCK_OPERATIONS) out[op] = 0
  return out
}
