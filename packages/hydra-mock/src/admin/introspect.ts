import { oauthError } from '../errors.js'
import { readForm } from '../http/body.js'
import type { MockRequest, MockResponse } from '../http/message.js'
import { jsonResponse } from '../http/message.js'
import { splitSpaces } from '../scope.js'
import type { MockState } from '../state.js'

/**
 * `POST /admin/oauth2/introspect` (form `token`, optional `scope`): exactly Hydra's answers. An
 * empty or unparsable body is 400 `invalid_request`; anything else is 200 — `{"active":false}` for
 * unknown, expired, revoked or used tokens and missing scopes, the full `introspectedOAuth2Token`
 * otherwise (opaque and JWT access tokens, and refresh tokens).
 */
export async function introspectEndpoint(state: MockState, req: MockRequest): Promise<MockResponse> {
  const form = await readForm(req)
  if ([...form.keys()].length === 0) throw oauthError('invalid_request', 'The POST body can not be empty.')
  const result = state.tokens.introspect(form.get('token') ?? '', splitSpaces(form.get('scope')))
  return jsonResponse(200, result)
}
