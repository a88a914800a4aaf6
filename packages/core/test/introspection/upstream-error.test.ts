import { describe, expect, it } from 'vitest'
import {
  classifyIntrospectionFailure,
  type IntrospectionFailureOutcome,
  type IntrospectionFailureReason,
} from '../../src/introspection/upstream-error.js'

const rows: [number, unknown, IntrospectionFailureOutcome, IntrospectionFailureReason][] = [
  // The client's token is the problem: 401 invalid_token for the client.
  [
    400,
    { error: 'unsupported_token_type', error_description: 'unsupported token type' },
    'invalid_token',
    'token_refused',
  ],
  [400, { error: 'invalid_token' }, 'invalid_token', 'token_refused'],
  // Our request is the problem: 503.
  [
    400,
    { error: 'invalid_request', error_description: "missing required parameter 'token'" },
    'unavailable',
    'bad_request',
  ],
  [400, { error: 'invalid_client' }, 'unavailable', 'bad_request'],
  [400, { error: 'unauthorized_client' }, 'unavailable', 'bad_request'],
  [400, { error: 'invalid_grant' }, 'unavailable', 'bad_request'],
  [400, { error: 'Unsupported_Token_Type' }, 'unavailable', 'bad_request'],
  [400, { error: 42 }, 'unavailable', 'bad_request'],
  [400, {}, 'unavailable', 'bad_request'],
  [400, undefined, 'unavailable', 'bad_request'],
  [400, null, 'unavailable', 'bad_request'],
  [400, 'unsupported_token_type', 'unavailable', 'bad_request'],
  // A 401/403 is about our credentials at the endpoint, whatever the code says.
  [401, { error: 'invalid_client' }, 'unavailable', 'client_auth'],
  [401, { error: 'invalid_token' }, 'unavailable', 'client_auth'],
  [403, { error: 'unsupported_token_type' }, 'unavailable', 'client_auth'],
  [404, undefined, 'unavailable', 'not_found'],
  [405, undefined, 'unavailable', 'not_found'],
  [429, { error: 'rate_limited' }, 'unavailable', 'rate_limited'],
  [500, { error: 'server_error' }, 'unavailable', 'server_error'],
  [502, undefined, 'unavailable', 'server_error'],
  [503, { error: 'temporarily_unavailable' }, 'unavailable', 'server_error'],
  [302, undefined, 'unavailable', 'unexpected_status'],
  [204, undefined, 'unavailable', 'unexpected_status'],
  [413, undefined, 'unavailable', 'unexpected_status'],
]

describe('classifyIntrospectionFailure', () => {
  it.each(rows)('%i %j → %s (%s)', (status, body, outcome, reason) => {
    expect(classifyIntrospectionFailure(status, body)).toMatchObject({ outcome, reason })
  })

  it('passes the upstream error code on for logs', () => {
    expect(classifyIntrospectionFailure(400, { error: 'invalid_client' }).error).toBe('invalid_client')
    expect(classifyIntrospectionFailure(500, 'oops').error).toBeUndefined()
  })
})
