import { oauthError } from '../errors.js'
import { readForm } from '../http/body.js'
import type { MockRequest, MockResponse } from '../http/message.js'
import { emptyResponse } from '../http/message.js'
import type { MockState } from '../state.js'
import { authenticateClient } from './client-auth.js'

/**
 * `POST /oauth2/revoke` (RFC 7009): authenticates the client, then revokes the token's grant (its
 * access and refresh tokens, as fosite revokes by request id). Unknown tokens get 200 too; a token
 * of another client gets 400 `unauthorized_client`.
 */
export async function revokeEndpoint(state: MockState, req: MockRequest): Promise<MockResponse> {
  const form = await readForm(req)
  const token = form.get('token')
  if (!token) throw oauthError('invalid_request', "The POST body does not contain the parameter 'token'.")
  const client = authenticateClient(req, form, state.clients)
  const record = state.tokens.find(token)
  if (record) {
    if (record.grant.clientId !== client.client.client_id) {
      throw oauthError(
        'unauthorized_client',
        'Token was not issued to the client making the revocation request.',
      )
    }
    state.tokens.revoke(token)
  }
  return emptyResponse(200)
}
