import { describe, expect, it } from 'vitest'
import {
  classifyIntrospectedToken,
  type IntrospectedTokenEvidence,
  type IntrospectedTokenKind,
} from '../../src/introspection/token-kind.js'

const base = { active: true, scope: 'read', client_id: 'app', exp: 2_000_000_000, iss: 'https://as.example' }

const rows: [string, Record<string, unknown>, IntrospectedTokenKind, IntrospectedTokenEvidence][] = [
  // Hydra (v1, v2, v26) and the mock: token_use always, token_type "Bearer" for both kinds.
  [
    'Hydra access token',
    { ...base, token_use: 'access_token', token_type: 'Bearer', aud: [] },
    'access_token',
    'token_use',
  ],
  [
    'Hydra refresh token (token_type Bearer too)',
    { ...base, token_use: 'refresh_token', token_type: 'Bearer' },
    'refresh_token',
    'token_use',
  ],
  ['unknown token_use', { ...base, token_use: 'id_token', token_type: 'Bearer' }, 'other', 'token_use'],
  ['token_use not a string', { ...base, token_use: 1, token_type: 'Bearer' }, 'other', 'token_use'],
  // oidc-provider: token_type on access tokens only; refresh tokens carry neither it nor aud.
  [
    'oidc-provider opaque access token',
    { ...base, token_type: 'Bearer', aud: 'https://api.example' },
    'access_token',
    'token_type',
  ],
  [
    'oidc-provider client-credentials token without aud',
    { ...base, token_type: 'Bearer' },
    'access_token',
    'token_type',
  ],
  ['oidc-provider DPoP-bound token', { ...base, token_type: 'DPoP' }, 'access_token', 'token_type'],
  ['oidc-provider refresh token', { ...base, sub: 'user-1' }, 'unknown', 'none'],
  ['token_type lower-case bearer', { ...base, token_type: 'bearer' }, 'access_token', 'token_type'],
  [
    'token_type "access_token" (non-standard)',
    { ...base, token_type: 'access_token' },
    'access_token',
    'token_type',
  ],
  [
    'token_type "refresh_token" (non-standard)',
    { ...base, token_type: 'refresh_token' },
    'refresh_token',
    'token_type',
  ],
  ['token_type N_A (RFC 8693: not an access token)', { ...base, token_type: 'N_A' }, 'other', 'token_type'],
  ['token_type unknown', { ...base, token_type: 'urn:example:weird' }, 'other', 'token_type'],
  ['token_type empty', { ...base, token_type: '' }, 'other', 'token_type'],
  ['token_type not a string', { ...base, token_type: ['Bearer'] }, 'other', 'token_type'],
  // Keycloak: the token's typ claim.
  ['Keycloak access token', { ...base, typ: 'Bearer', aud: 'account' }, 'access_token', 'typ'],
  [
    'Keycloak refresh token (aud = realm)',
    { ...base, typ: 'Refresh', aud: 'https://kc.example/realms/x' },
    'refresh_token',
    'typ',
  ],
  ['Keycloak offline token', { ...base, typ: 'Offline' }, 'refresh_token', 'typ'],
  ['Keycloak ID token', { ...base, typ: 'ID', aud: 'app' }, 'other', 'typ'],
  // No marker: the audience decides.
  ['no marker, aud string', { ...base, aud: 'https://api.example' }, 'access_token', 'aud'],
  ['no marker, aud list', { ...base, aud: ['https://api.example'] }, 'access_token', 'aud'],
  ['no marker, empty aud list', { ...base, aud: [] }, 'unknown', 'none'],
  ['no marker, empty aud string', { ...base, aud: '' }, 'unknown', 'none'],
  ['no marker, aud list of junk', { ...base, aud: [1, null, ''] }, 'unknown', 'none'],
  ['nothing at all', {}, 'unknown', 'none'],
]

describe('classifyIntrospectedToken', () => {
  it.each(rows)('%s', (_name, answer, kind, evidence) => {
    expect(classifyIntrospectedToken(answer)).toMatchObject({ kind, evidence })
  })

  it('reports the deciding value for logs', () => {
    expect(classifyIntrospectedToken({ token_type: 'DPoP' })).toEqual({
      kind: 'access_token',
      evidence: 'token_type',
      value: 'DPoP',
    })
  })

  it('reads own members only (a polluted prototype does not make a refresh token an access token)', () => {
    const answer = Object.assign(Object.create({ token_use: 'access_token' }) as object, { active: true })
    expect(classifyIntrospectedToken(answer as Record<string, unknown>).kind).toBe('unknown')
  })
})
