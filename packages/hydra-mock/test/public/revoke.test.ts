import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMockHydra } from '../../src/index.js'
import type { MockHydra } from '../../src/index.js'
import { basic, postForm, TestBrowser } from '../helpers/browser.js'
import { CONSENT, exchange, LOGIN, runFlow, webClient } from '../helpers/flow.js'

let hydra: MockHydra
let client: ReturnType<typeof webClient>

beforeAll(async () => {
  hydra = await createMockHydra({ loginUrl: LOGIN, consentUrl: CONSENT })
  client = webClient(hydra)
})
afterAll(() => hydra.close())

const introspect = async (token: string) =>
  (await postForm(`${hydra.adminUrl}/admin/oauth2/introspect`, { token })).body

describe('POST /oauth2/revoke', () => {
  it('revoking a refresh token makes it and its access token inactive', async () => {
    const flow = await runFlow(hydra, new TestBrowser(), client.client_id, { scope: 'offline read' })
    const tokens = (await exchange(hydra, client, flow.code!, flow.verifier)).body
    expect((await introspect(tokens.access_token)).active).toBe(true)
    const res = await postForm(
      `${hydra.publicUrl}/oauth2/revoke`,
      { token: tokens.refresh_token, token_type_hint: 'refresh_token' },
      basic(client.client_id, client.client_secret!),
    )
    expect(res.status).toBe(200)
    expect(await introspect(tokens.refresh_token)).toEqual({ active: false })
    expect(await introspect(tokens.access_token)).toEqual({ active: false })
    const refresh = await postForm(
      `${hydra.publicUrl}/oauth2/token`,
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
      basic(client.client_id, client.client_secret!),
    )
    expect(refresh.body.error).toBe('invalid_grant')
  })

  it('only the owning client may revoke a token', async () => {
    const other = webClient(hydra)
    const res = await postForm(
      `${hydra.publicUrl}/oauth2/token`,
      { grant_type: 'client_credentials' },
      basic(client.client_id, client.client_secret!),
    )
    const revoke = await postForm(
      `${hydra.publicUrl}/oauth2/revoke`,
      { token: res.body.access_token },
      basic(other.client_id, other.client_secret!),
    )
    expect(revoke.status).toBe(400)
    expect(revoke.body.error).toBe('unauthorized_client')
    expect((await introspect(res.body.access_token)).active).toBe(true)
  })

  it('an unknown token is 200; a missing token or bad credentials are errors', async () => {
    const ok = await postForm(
      `${hydra.publicUrl}/oauth2/revoke`,
      { token: 'ory_at_unknown' },
      basic(client.client_id, client.client_secret!),
    )
    expect(ok.status).toBe(200)
    const missing = await postForm(
      `${hydra.publicUrl}/oauth2/revoke`,
      {},
      basic(client.client_id, client.client_secret!),
    )
    expect(missing.status).toBe(400)
    const badAuth = await postForm(
      `${hydra.publicUrl}/oauth2/revoke`,
      { token: 'x' },
      basic(client.client_id, 'nope-nope'),
    )
    expect(badAuth.status).toBe(401)
  })

  it('hydra.revoke() revokes from the test side', async () => {
    const { accessToken } = await hydra.issueToken({ subject: 'z' })
    expect(hydra.revoke(accessToken)).toBe(true)
    expect(hydra.revoke('unknown')).toBe(false)
    expect(await introspect(accessToken)).toEqual({ active: false })
  })
})
