// Canned Hydra bodies shaped like the v26.2 / v1.11 OpenAPI examples.

export const client = {
  client_id: 'c1',
  client_name: 'Example',
  redirect_uris: ['https://app.example/cb'],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  scope: 'openid offline_access',
  audience: [],
  owner: '',
  metadata: { tier: 'gold' },
}

export const loginRequest = {
  challenge: 'ch-1',
  skip: false,
  subject: '',
  client,
  request_url: 'http://hydra.example/oauth2/auth?client_id=c1',
  requested_scope: ['openid', 'offline_access'],
  requested_access_token_audience: [],
  session_id: 'sess-1',
  oidc_context: { ui_locales: ['en'] },
  some_future_field: { kept: true },
}

export const consentRequest = {
  challenge: 'cc-1',
  skip: true,
  subject: 'user-1',
  client,
  request_url: 'http://hydra.example/oauth2/auth?client_id=c1',
  requested_scope: ['openid'],
  requested_access_token_audience: ['api'],
  login_challenge: 'ch-1',
  login_session_id: 'sess-1',
  acr: '0',
  amr: ['pwd'],
  context: { from: 'login' },
  consent_request_id: 'cr-1',
}

export const logoutRequest = {
  challenge: 'lo-1',
  subject: 'user-1',
  sid: 'sess-1',
  request_url: 'http://hydra.example/oauth2/sessions/logout',
  rp_initiated: true,
  client: null,
}

export const redirect = { redirect_to: 'http://hydra.example/oauth2/auth?login_verifier=v1' }

export const jwk = { kty: 'RSA', kid: 'k1', alg: 'RS256', use: 'sig', n: 'AQAB-n', e: 'AQAB' }
export const jwks = { keys: [jwk] }

export const trustedIssuer = {
  id: 't1',
  issuer: 'https://issuer.example',
  scope: ['read'],
  public_key: { set: 'https://issuer.example', kid: 'k1' },
  allow_any_subject: true,
  expires_at: '2030-01-01T00:00:00Z',
  created_at: '2026-01-01T00:00:00Z',
}

export const consentSession = {
  consent_request: consentRequest,
  grant_scope: ['openid'],
  grant_access_token_audience: null,
  remember: true,
  remember_for: 0,
  handled_at: '2026-01-01T00:00:00Z',
  session: { access_token: { role: 'admin' }, id_token: {} },
}

export const introspection = {
  active: true,
  scope: 'read write',
  client_id: 'c1',
  sub: 'user-1',
  exp: 2000000000,
  iat: 1700000000,
  nbf: 1700000000,
  aud: ['api'],
  iss: 'http://hydra.example/',
  token_type: 'Bearer',
  token_use: 'access_token',
  ext: { role: 'admin' },
}
