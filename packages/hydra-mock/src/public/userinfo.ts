import { OAuth2Error, oauthError } from '../errors.js'
import { readForm } from '../http/body.js'
import type { MockRequest, MockResponse } from '../http/message.js'
import { jsonResponse } from '../http/message.js'
import type { MockState } from '../state.js'
import { ID_TOKEN_SET } from '../store/keys.js'
import { uuid } from '../util/random.js'

function unauthorized(error: string, hint: string): OAuth2Error {
  const base =
    error === 'invalid_token' ? new OAuth2Error(error, hint, 401) : oauthError('request_unauthorized', hint)
  const quote = (s: string): string => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')
  return new OAuth2Error(base.error, base.description, 401, {
    'www-authenticate': `Bearer error="${quote(base.error)}",error_description="${quote(base.description)}"`,
  })
}

/**
 * `GET|POST /userinfo`: the ID token claims of the access token's grant (consent
 * `session.id_token` plus sub, iss, aud, iat, rat, auth_time, acr, amr), as JSON, or as a JWT
 * signed with the ID token key for clients with `userinfo_signed_response_alg: RS256`.
 * The token comes from `Authorization: Bearer` or an `access_token` parameter.
 */
export async function userinfoEndpoint(state: MockState, req: MockRequest): Promise<MockResponse> {
  let token: string | undefined
  const header = req.headers.authorization
  const m = header === undefined ? null : /^bearer\s+(\S+)\s*$/i.exec(header)
  if (m) token = m[1]
  else if (req.method === 'POST') token = (await readForm(req)).get('access_token') ?? undefined
  else token = req.url.searchParams.get('access_token') ?? undefined

  const hint = 'Check that you provided valid credentials in the right format.'
  const record = token ? state.tokens.find(token) : undefined
  if (!record || !state.tokens.isActive(record) || record.kind === 'authorization_code') {
    throw unauthorized('request_unauthorized', hint)
  }
  if (record.kind !== 'access_token') {
    throw unauthorized('invalid_token', 'Only access tokens are allowed in the authorization header.')
  }
  const claims = state.tokens.userinfo(record.grant)
  const client = state.clients.get(record.grant.clientId)
  if (client?.client.userinfo_signed_response_alg === 'RS256') {
    const { jwt } = await state.keys.sign(ID_TOKEN_SET, { ...claims, jti: uuid() })
    return { status: 200, headers: { 'content-type': 'application/jwt' }, body: jwt }
  }
  return jsonResponse(200, claims)
}
