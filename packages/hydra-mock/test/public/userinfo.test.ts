import { createRemoteJWKSet, jwtVerify } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMockHydra } from '../../src/index.js'
import type { MockHydra } from '../../src/index.js'
import { TestBrowser } from '../helpers/browser.js'
import type { Json } from '../helpers/browser.js'
import { CONSENT, exchange, LOGIN, runFlow, webClient } from '../helpers/flow.js'

let hydra: MockHydra

beforeAll(async () => {
  hydra = await createMockHydra({ loginUrl: LOGIN, consentUrl: CONSENT })
})
afterAll(() => hydra.close())

async function tokensFor(extra = {}) {
  const client = webClient(hydra, extra)
  const flow = await runFlow(hydra, new TestBrowser(), client.client_id, {
    scope: 'openid offline',
    login: { subject: 'alice', acr: 'loa2' },
    consent: (r) => ({
      grant_scope: r.requested_scope,
      session: { id_token: { email: 'alice@example.com' } },
    }),
  })
  return { client, tokens: (await exchange(hydra, client, flow.code!, flow.verifier)).body }
}

describe('/userinfo', () => {
  it('returns the consent’s id_token claims for a bearer access token', async () => {
    const { client, tokens } = await tokensFor()
    const res = await fetch(`${hydra.publicUrl}/userinfo`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    })
    expect(res.status).toBe(200)
    const body = (await res.json()) as Json
    expect(body).toMatchObject({
      sub: 'alice',
      email: 'alice@example.com',
      acr: 'loa2',
      aud: [client.client_id],
    })
    expect(body.nonce).toBeUndefined()
    expect(body.at_hash).toBeUndefined()
    expect(body.exp).toBeUndefined()
  })

  it('signs the answer for clients with userinfo_signed_response_alg RS256', async () => {
    const { tokens } = await tokensFor({ userinfo_signed_response_alg: 'RS256' })
    const res = await fetch(`${hydra.publicUrl}/userinfo`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    })
    expect(res.headers.get('content-type')).toBe('application/jwt')
    const { payload } = await jwtVerify(
      await res.text(),
      createRemoteJWKSet(new URL(`${hydra.publicUrl}/.well-known/jwks.json`)),
    )
    expect(payload.email).toBe('alice@example.com')
  })

  it('refuses missing, unknown and refresh tokens with 401 and a Bearer challenge', async () => {
    const { tokens } = await tokensFor()
    const cases: Record<string, string>[] = [
      {},
      { authorization: 'Bearer ory_at_unknown' },
      { authorization: `Bearer ${tokens.refresh_token}` },
    ]
    for (const headers of cases) {
      const res = await fetch(`${hydra.publicUrl}/userinfo`, { headers })
      expect(res.status).toBe(401)
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer error="/)
      const body = (await res.json()) as Json
      expect(typeof body.error).toBe('string')
      expect(JSON.stringify(body)).not.toContain('ory_rt_')
    }
  })
})
