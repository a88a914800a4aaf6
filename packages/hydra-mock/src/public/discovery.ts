import type { MockResponse } from '../http/message.js'
import { jsonResponse } from '../http/message.js'
import type { MockState } from '../state.js'

/**
 * `GET /.well-known/openid-configuration`: Hydra's discovery document, limited to what the mock
 * implements (response type `code`, PKCE `S256`, the three client authentication methods).
 */
export function discovery(state: MockState): MockResponse {
  const p = state.urls.public
  return jsonResponse(200, {
    issuer: state.urls.issuer,
    authorization_endpoint: `${p}/oauth2/auth`,
    token_endpoint: `${p}/oauth2/token`,
    jwks_uri: `${p}/.well-known/jwks.json`,
    userinfo_endpoint: `${p}/userinfo`,
    revocation_endpoint: `${p}/oauth2/revoke`,
    end_session_endpoint: `${p}/oauth2/sessions/logout`,
    device_authorization_endpoint: `${p}/oauth2/device/auth`,
    subject_types_supported: ['public', 'pairwise'],
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: [
      'authorization_code',
      'client_credentials',
      'refresh_token',
      'urn:ietf:params:oauth:grant-type:jwt-bearer',
    ],
    scopes_supported: ['offline_access', 'offline', 'openid'],
    claims_supported: ['sub'],
    token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic', 'none'],
    code_challenge_methods_supported: ['S256'],
    id_token_signing_alg_values_supported: ['RS256'],
    id_token_signed_response_alg: ['RS256'],
    userinfo_signing_alg_values_supported: ['none', 'RS256'],
    userinfo_signed_response_alg: ['none'],
    request_object_signing_alg_values_supported: ['none'],
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    require_request_uri_registration: true,
    claims_parameter_supported: false,
    frontchannel_logout_supported: false,
    frontchannel_logout_session_supported: false,
    backchannel_logout_supported: false,
    backchannel_logout_session_supported: false,
  })
}

/** `GET /.well-known/jwks.json`: public keys of `hydra.openid.id-token` and `hydra.jwt.access-token`. */
export function jwks(state: MockState): MockResponse {
  return jsonResponse(200, state.keys.wellKnown(), { 'cache-control': 'max-age=0, private' })
}
