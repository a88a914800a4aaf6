import { decodeJwt } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMockHydra } from '../../src/index.js'
import type { MockHydra } from '../../src/index.js'
import { admin, basic, postForm, TestBrowser } from '../helpers/browser.js'
import { CONSENT, exchange, LOGIN, runFlow, webClient } from '../helpers/flow.js'

let hydra: MockHydra

beforeAll(async () => {
  hydra = await createMockHydra({ loginUrl: LOGIN, consentUrl: CONSENT })
})
afterAll(() => hydra.close())

const url = (id: string) => `/admin/clients/${id}/lifespans`

describe('PUT /admin/clients/{id}/lifespans', () => {
  it('sets only the lifespans (as Go durations) and keeps every other field', async () => {
    const client = webClient(hydra, { client_name: 'keep me' })
    const res = await admin(hydra.adminUrl, 'PUT', url(client.client_id), {
      authorization_code_grant_access_token_lifespan: '90m',
      client_credentials_grant_access_token_lifespan: '45s',
      client_name: 'ignored',
    })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      client_id: client.client_id,
      client_name: 'keep me',
      authorization_code_grant_access_token_lifespan: '1h30m0s',
      client_credentials_grant_access_token_lifespan: '45s',
    })
    expect(res.body.client_secret).toBeUndefined()
    const cleared = await admin(hydra.adminUrl, 'PUT', url(client.client_id), {
      client_credentials_grant_access_token_lifespan: '',
    })
    expect(cleared.body.client_credentials_grant_access_token_lifespan).toBeUndefined()
    expect(cleared.body.authorization_code_grant_access_token_lifespan).toBe('1h30m0s')
  })

  it('400 for a malformed duration, 404 (genericError with message) for an unknown client', async () => {
    const client = webClient(hydra)
    for (const value of ['1.5h', '10 minutes', '-5m', 42]) {
      const res = await admin(hydra.adminUrl, 'PUT', url(client.client_id), {
        refresh_token_grant_access_token_lifespan: value,
      })
      expect(res.status, String(value)).toBe(400)
      expect(res.body.message).toContain('refresh_token_grant_access_token_lifespan')
    }
    const missing = await admin(hydra.adminUrl, 'PUT', url('nope'), {})
    expect(missing.status).toBe(404)
    expect(missing.body).toMatchObject({ message: expect.any(String), status_code: 404 })
  })

  it('the token endpoint applies them per grant and token type', async () => {
    const client = webClient(hydra)
    await admin(hydra.adminUrl, 'PUT', url(client.client_id), {
      authorization_code_grant_access_token_lifespan: '10m',
      authorization_code_grant_id_token_lifespan: '2m',
      authorization_code_grant_refresh_token_lifespan: '1h',
      refresh_token_grant_access_token_lifespan: '20m',
      client_credentials_grant_access_token_lifespan: '30s',
    })
    const flow = await runFlow(hydra, new TestBrowser(), client.client_id, { scope: 'openid offline read' })
    const tokens = (await exchange(hydra, client, flow.code!, flow.verifier)).body
    expect(tokens.expires_in).toBe(600)
    const id = decodeJwt(tokens.id_token)
    expect(id.exp! - id.iat!).toBe(120)
    // Refresh tokens too: introspection shows the 1h of authorization_code_grant_refresh_token_lifespan.
    const rt = await postForm(`${hydra.adminUrl}/admin/oauth2/introspect`, { token: tokens.refresh_token })
    expect(rt.body.exp - rt.body.iat).toBe(3600)
    const token = `${hydra.publicUrl}/oauth2/token`
    const auth = basic(client.client_id, client.client_secret!)
    const refreshed = await postForm(
      token,
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
      auth,
    )
    expect(refreshed.body.expires_in).toBe(1200)
    const cc = await postForm(token, { grant_type: 'client_credentials', scope: 'read' }, auth)
    expect(cc.body.expires_in).toBe(30)
  })
})
