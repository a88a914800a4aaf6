import { oauthError } from '../errors.js'
import type { MockRequest } from '../http/message.js'
import type { StoredClient } from '../store/client-model.js'
import { authMethod } from '../store/client-model.js'
import type { ClientStore } from '../store/clients.js'

function decodeFormComponent(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '))
  } catch {
    return undefined
  }
}

function parseBasic(header: string): { id: string; secret: string } | undefined {
  const m = /^basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header)
  if (!m) return undefined
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon < 0) return undefined
  const id = decodeFormComponent(decoded.slice(0, colon))
  const secret = decodeFormComponent(decoded.slice(colon + 1))
  if (id === undefined || secret === undefined || id === '') return undefined
  return { id, secret }
}

/**
 * Authenticates the client of a token or revocation request as fosite does:
 * `client_secret_basic` (RFC 6749 §2.3.1: form-encoded id and secret in HTTP Basic),
 * `client_secret_post` (`client_id` + `client_secret` in the body) or `none` (`client_id` only, for
 * public clients). The method used must be the client's registered `token_endpoint_auth_method`.
 * Secrets are compared in constant time. Failures are 401 `invalid_client` (with a Basic challenge
 * when the header was used) or 400 `invalid_request` for unparsable credentials.
 */
export function authenticateClient(
  req: MockRequest,
  form: URLSearchParams,
  clients: ClientStore,
): StoredClient {
  const header = req.headers.authorization
  let id: string
  let secret: string | undefined
  let method: string
  const challenge = { 'www-authenticate': 'Basic realm="hydrakit-mock"' }
  if (header !== undefined && /^basic\s/i.test(header)) {
    const creds = parseBasic(header)
    if (!creds) {
      throw oauthError(
        'invalid_request',
        'The client credentials in the HTTP authorization header could not be parsed. Either the scheme was missing, the scheme was invalid, or the value had malformed data.',
      )
    }
    id = creds.id
    secret = creds.secret
    method = 'client_secret_basic'
  } else if (form.get('client_secret')) {
    id = form.get('client_id') ?? ''
    secret = form.get('client_secret') ?? ''
    method = 'client_secret_post'
  } else if (form.get('client_id')) {
    id = form.get('client_id')!
    method = 'none'
  } else {
    throw oauthError(
      'invalid_request',
      'Client credentials missing or malformed in both HTTP Authorization header and HTTP POST body.',
    )
  }
  const headers = method === 'client_secret_basic' ? challenge : {}
  const client = clients.get(id)
  if (!client)
    throw oauthError('invalid_client', 'The requested OAuth 2.0 Client does not exist.', { headers })
  const registered = authMethod(client.client)
  if (registered !== method) {
    throw oauthError(
      'invalid_client',
      `The OAuth 2.0 Client supports client authentication method '${registered}', but method '${method}' was requested. You must configure the OAuth 2.0 client's 'token_endpoint_auth_method' value to accept '${method}'.`,
      { headers },
    )
  }
  if (method !== 'none' && !clients.secretMatches(client, secret ?? '')) {
    throw oauthError('invalid_client', 'The provided client secret did not match.', { headers })
  }
  return client
}
