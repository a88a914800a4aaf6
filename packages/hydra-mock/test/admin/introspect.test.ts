import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createMockHydra } from '../../src/index.js'
import type { MockHydra } from '../../src/index.js'
import { postForm, TestBrowser } from '../helpers/browser.js'
import type { Json } from '../helpers/browser.js'
import { CONSENT, exchange, LOGIN, runFlow, webClient } from '../helpers/flow.js'

let hydra: MockHydra
let url: string

beforeAll(async () => {
  hydra = await createMockHydra({ loginUrl: LOGIN, consentUrl: CONSENT })
  url = `${hydra.adminUrl}/admin/oauth2/introspect`
})
afterAll(() => hydra.close())
afterEach(() => hydra.resetTime())

describe('POST /admin/oauth2/introspect', () => {
  it('answers an active access token with exactly Hydra’s fields', async () => {
    const client = webClient(hydra)
    const flow = await runFlow(hydra, new TestBrowser(), client.client_id, {
      scope: 'openid offline read',
      audience: 'https://api.example.com',
      consent: (r) => ({
        grant_scope: r.requested_scope,
        grant_access_token_audience: r.requested_access_token_audience,
        session: { access_token: { tenant: 'acme' } },
      }),
    })
    const tokens = (await exchange(hydra, client, flow.code!, flow.verifier)).body
    const res = await postForm(url, { token: tokens.access_token })
    expect(res.status).toBe(200)
    const now = Math.floor(hydra.now().getTime() / 1000)
    expect(res.body).toEqual({
      active: true,
      scope: 'openid offline read',
      client_id: client.client_id,
      sub: 'alice',
      exp: expect.any(Number),
      iat: expect.any(Number),
      nbf: expect.any(Number),
      aud: ['https://api.example.com'],
      iss: hydra.issuer,
      token_type: 'Bearer',
      token_use: 'access_token',
      ext: { tenant: 'acme' },
    })
    expect(res.body.nbf).toBe(res.body.iat)
    expect(Math.abs(res.body.iat - now)).toBeLessThanOrEqual(2)
    expect(res.body.exp - res.body.iat).toBe(3600)

    const refresh = await postForm(url, { token: tokens.refresh_token })
    expect(refresh.body).toMatchObject({ active: true, token_use: 'refresh_token', sub: 'alice' })
    expect(refresh.body.exp - refresh.body.iat).toBe(720 * 3600)
  })

  it('omits ext and scope when empty, like Hydra, and always sends aud as an array', async () => {
    const { accessToken } = await hydra.issueToken({ subject: 'bob' })
    const res = await postForm(url, { token: accessToken })
    expect(res.body.aud).toEqual([])
    expect('ext' in res.body).toBe(false)
    expect('scope' in res.body).toBe(false)
    expect('obfuscated_subject' in res.body).toBe(false)
  })

  it('checks the optional scope parameter with the wildcard strategy', async () => {
    const { accessToken } = await hydra.issueToken({ scopes: ['read', 'photos.*'] })
    expect((await postForm(url, { token: accessToken, scope: 'read' })).body.active).toBe(true)
    expect((await postForm(url, { token: accessToken, scope: 'read photos.upload' })).body.active).toBe(true)
    expect((await postForm(url, { token: accessToken, scope: 'write' })).body).toEqual({ active: false })
    expect((await postForm(url, { token: accessToken, scope: 'read write' })).body).toEqual({ active: false })
  })

  it.each([
    ['an unknown token', () => Promise.resolve('ory_at_nope')],
    ['an empty token', () => Promise.resolve('')],
    [
      'a revoked token',
      async () => {
        const t = (await hydra.issueToken({})).accessToken
        hydra.revoke(t)
        return t
      },
    ],
    [
      'an authorization code',
      async () => {
        const client = webClient(hydra)
        return (await runFlow(hydra, new TestBrowser(), client.client_id)).code!
      },
    ],
  ])('answers 200 {"active":false} for %s', async (_name, make) => {
    const res = await postForm(url, { token: await make() })
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ active: false })
  })

  it('an expired token is inactive (mock clock)', async () => {
    const { accessToken } = await hydra.issueToken({ expiresIn: 60 })
    hydra.advanceTime(59)
    expect((await postForm(url, { token: accessToken })).body.active).toBe(true)
    hydra.advanceTime(2)
    expect((await postForm(url, { token: accessToken })).body).toEqual({ active: false })
  })

  it('setTime moves the whole server', async () => {
    const { accessToken } = await hydra.issueToken({ expiresIn: 3600 })
    hydra.setTime(new Date(Date.now() + 2 * 3600_000))
    expect((await postForm(url, { token: accessToken })).body.active).toBe(false)
    hydra.resetTime()
    expect((await postForm(url, { token: accessToken })).body.active).toBe(true)
  })

  it('an empty or unparsable body is 400 invalid_request', async () => {
    const empty = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    expect(empty.status).toBe(400)
    expect(((await empty.json()) as Json).error).toBe('invalid_request')
    const json = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"token":"x"}',
    })
    expect(json.status).toBe(400)
    // A body without `token` is still a form: inactive, not an error.
    expect((await postForm(url, { scope: 'read' })).body).toEqual({ active: false })
  })

  it('counts calls', async () => {
    const before = hydra.calls.introspectOAuth2Token
    await postForm(url, { token: 'x' })
    await postForm(`${hydra.adminUrl}/oauth2/introspect`, { token: 'x' })
    expect(hydra.calls.introspectOAuth2Token).toBe(before + 2)
  })

  it('returns obfuscated_subject for pairwise clients', async () => {
    const pairwise = webClient(hydra, { subject_type: 'pairwise' })
    const flow = await runFlow(hydra, new TestBrowser(), pairwise.client_id, { scope: 'openid' })
    const tokens = (await exchange(hydra, pairwise, flow.code!, flow.verifier)).body
    const res = await postForm(url, { token: tokens.access_token })
    expect(res.body.sub).toBe('alice')
    expect(res.body.obfuscated_subject).toMatch(/^[0-9a-f]{64}$/)
    const idPayload = JSON.parse(Buffer.from(tokens.id_token.split('.')[1], 'base64url').toString())
    expect(idPayload.sub).toBe(res.body.obfuscated_subject)
  })
})
