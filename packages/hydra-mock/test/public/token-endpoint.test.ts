import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createMockHydra } from '../../src/index.js'
import type { MockHydra } from '../../src/index.js'
import { basic, pkcePair, postForm, TestBrowser } from '../helpers/browser.js'
import type { Json } from '../helpers/browser.js'
import { CONSENT, exchange, LOGIN, REDIRECT, runFlow, webClient } from '../helpers/flow.js'

let hydra: MockHydra
let client: ReturnType<typeof webClient>
let token: string
let introspectUrl: string

beforeAll(async () => {
  hydra = await createMockHydra({ loginUrl: LOGIN, consentUrl: CONSENT })
  client = webClient(hydra)
  token = `${hydra.publicUrl}/oauth2/token`
  introspectUrl = `${hydra.adminUrl}/admin/oauth2/introspect`
})
afterAll(() => hydra.close())
afterEach(() => hydra.resetTime())

const active = async (t: string) => (await postForm(introspectUrl, { token: t })).body.active as boolean

describe('authorization_code grant', () => {
  it('a code is single-use, and replaying it revokes the tokens it bought', async () => {
    const flow = await runFlow(hydra, new TestBrowser(), client.client_id)
    const first = await exchange(hydra, client, flow.code!, flow.verifier)
    expect(first.status).toBe(200)
    expect(await active(first.body.access_token)).toBe(true)

    const second = await exchange(hydra, client, flow.code!, flow.verifier)
    expect(second.status).toBe(400)
    expect(second.body).toEqual({
      error: 'invalid_grant',
      error_description: expect.stringContaining('The authorization code has already been used.'),
    })
    expect(await active(first.body.access_token)).toBe(false)
    expect(await active(first.body.refresh_token)).toBe(false)
  })

  it('is bound to the PKCE verifier', async () => {
    const flow = await runFlow(hydra, new TestBrowser(), client.client_id)
    const wrong = await exchange(hydra, client, flow.code!, pkcePair().verifier)
    expect(wrong.status).toBe(400)
    expect(wrong.body.error).toBe('invalid_grant')
    expect(wrong.body.error_description).toContain('The PKCE code challenge did not match the code verifier.')
    const missing = await postForm(
      token,
      { grant_type: 'authorization_code', code: flow.code!, redirect_uri: REDIRECT },
      basic(client.client_id, client.client_secret!),
    )
    expect(missing.body.error).toBe('invalid_grant')
    expect((await exchange(hydra, client, flow.code!, flow.verifier)).status).toBe(200)
  })

  it('is bound to the client it was issued to', async () => {
    const other = webClient(hydra)
    const flow = await runFlow(hydra, new TestBrowser(), client.client_id)
    const stolen = await exchange(hydra, other, flow.code!, flow.verifier)
    expect(stolen.status).toBe(400)
    expect(stolen.body.error).toBe('invalid_grant')
    expect(stolen.body.error_description).toContain('does not match the one from the authorize request')
  })

  it('is bound to the redirect_uri of the authorization request', async () => {
    const flow = await runFlow(hydra, new TestBrowser(), client.client_id)
    const res = await postForm(
      token,
      {
        grant_type: 'authorization_code',
        code: flow.code!,
        redirect_uri: 'http://127.0.0.1:5555/other',
        code_verifier: flow.verifier,
      },
      basic(client.client_id, client.client_secret!),
    )
    expect(res.status).toBe(400)
    expect(res.body.error).toBe('invalid_grant')
  })

  it('expires after ttl.authCode', async () => {
    const flow = await runFlow(hydra, new TestBrowser(), client.client_id)
    hydra.advanceTime(601)
    const res = await exchange(hydra, client, flow.code!, flow.verifier)
    expect(res.status).toBe(400)
    expect(res.body).toEqual({
      error: 'invalid_grant',
      error_description: expect.stringContaining('The authorization code has expired.'),
    })
  })

  it('an unknown code is invalid_grant', async () => {
    const res = await exchange(hydra, client, 'ory_ac_guess', pkcePair().verifier)
    expect(res.status).toBe(400)
    expect(res.body.error).toBe('invalid_grant')
  })
})

describe('refresh_token grant', () => {
  it('rotates: the old refresh token and the old access token stop working', async () => {
    const flow = await runFlow(hydra, new TestBrowser(), client.client_id, { scope: 'openid offline read' })
    const first = (await exchange(hydra, client, flow.code!, flow.verifier)).body
    const refreshed = await postForm(
      token,
      { grant_type: 'refresh_token', refresh_token: first.refresh_token },
      basic(client.client_id, client.client_secret!),
    )
    expect(refreshed.status).toBe(200)
    expect(refreshed.body.refresh_token).toMatch(/^ory_rt_/)
    expect(refreshed.body.refresh_token).not.toBe(first.refresh_token)
    expect(refreshed.body.id_token).toBeDefined()
    expect(await active(refreshed.body.access_token)).toBe(true)
    expect(await active(first.access_token)).toBe(false)
    expect(await active(first.refresh_token)).toBe(false)

    const reuse = await postForm(
      token,
      { grant_type: 'refresh_token', refresh_token: first.refresh_token },
      basic(client.client_id, client.client_secret!),
    )
    expect(reuse.status).toBe(400)
    expect(reuse.body.error).toBe('invalid_grant')
    // Reuse detection revokes the whole chain.
    expect(await active(refreshed.body.access_token)).toBe(false)
    expect(await active(refreshed.body.refresh_token)).toBe(false)
  })

  it('can narrow scopes but not widen them', async () => {
    const flow = await runFlow(hydra, new TestBrowser(), client.client_id, { scope: 'offline read write' })
    const first = (await exchange(hydra, client, flow.code!, flow.verifier)).body
    const wider = await postForm(
      token,
      { grant_type: 'refresh_token', refresh_token: first.refresh_token, scope: 'read openid' },
      basic(client.client_id, client.client_secret!),
    )
    expect(wider.status).toBe(400)
    expect(wider.body.error).toBe('invalid_scope')
    const narrow = await postForm(
      token,
      { grant_type: 'refresh_token', refresh_token: first.refresh_token, scope: 'read' },
      basic(client.client_id, client.client_secret!),
    )
    expect(narrow.status).toBe(200)
    expect(narrow.body.scope).toBe('read')
  })

  it('refuses a refresh token of another client and an expired one', async () => {
    const flow = await runFlow(hydra, new TestBrowser(), client.client_id, { scope: 'offline' })
    const first = (await exchange(hydra, client, flow.code!, flow.verifier)).body
    const other = webClient(hydra)
    const stolen = await postForm(
      token,
      { grant_type: 'refresh_token', refresh_token: first.refresh_token },
      basic(other.client_id, other.client_secret!),
    )
    expect(stolen.body.error).toBe('invalid_grant')
    hydra.advanceTime(720 * 3600 + 1)
    const expired = await postForm(
      token,
      { grant_type: 'refresh_token', refresh_token: first.refresh_token },
      basic(client.client_id, client.client_secret!),
    )
    expect(expired.status).toBe(400)
    expect(expired.body.error_description).toContain('The refresh token expired.')
  })

  it('no refresh token without offline scope or without the refresh_token grant type', async () => {
    const noRefresh = webClient(hydra, { grant_types: ['authorization_code'] })
    const flow = await runFlow(hydra, new TestBrowser(), noRefresh.client_id, { scope: 'offline read' })
    const res = await exchange(hydra, noRefresh, flow.code!, flow.verifier)
    expect(res.body.refresh_token).toBeUndefined()
  })
})

describe('client_credentials grant', () => {
  it('issues a token whose subject is the client', async () => {
    const res = await postForm(
      token,
      {
        grant_type: 'client_credentials',
        scope: 'read photos.upload',
        audience: 'https://api.example.com/x',
      },
      basic(client.client_id, client.client_secret!),
    )
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ token_type: 'bearer', scope: 'read photos.upload', expires_in: 3600 })
    expect(res.body.refresh_token).toBeUndefined()
    const info = await postForm(introspectUrl, { token: res.body.access_token })
    expect(info.body).toMatchObject({
      active: true,
      sub: client.client_id,
      client_id: client.client_id,
      aud: ['https://api.example.com/x'],
    })
  })

  it('refuses scopes and audiences the client may not request', async () => {
    const scope = await postForm(
      token,
      { grant_type: 'client_credentials', scope: 'admin' },
      basic(client.client_id, client.client_secret!),
    )
    expect(scope.status).toBe(400)
    expect(scope.body.error).toBe('invalid_scope')
    const aud = await postForm(
      token,
      { grant_type: 'client_credentials', audience: 'https://api.example.com.evil.io' },
      basic(client.client_id, client.client_secret!),
    )
    expect(aud.status).toBe(400)
    expect(aud.body.error).toBe('invalid_request')
  })

  it('refuses clients without the grant type and public clients', async () => {
    const codeOnly = webClient(hydra, { grant_types: ['authorization_code'] })
    const res = await postForm(
      token,
      { grant_type: 'client_credentials' },
      basic(codeOnly.client_id, codeOnly.client_secret!),
    )
    expect(res.status).toBe(400)
    expect(res.body.error).toBe('unauthorized_client')
    const pub = hydra.createClient({
      token_endpoint_auth_method: 'none',
      grant_types: ['client_credentials'],
    })
    const res2 = await postForm(token, { grant_type: 'client_credentials', client_id: pub.client_id })
    expect(res2.status).toBe(400)
    expect(res2.body.error).toBe('invalid_grant')
  })
})

describe('client authentication', () => {
  it('a wrong secret is 401 invalid_client with a Basic challenge', async () => {
    const res = await postForm(
      token,
      { grant_type: 'client_credentials' },
      basic(client.client_id, 'wrong-secret'),
    )
    expect(res.status).toBe(401)
    expect(res.body.error).toBe('invalid_client')
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic /)
    expect(JSON.stringify(res.body)).not.toContain('wrong-secret')
  })

  it('the method must be the registered one', async () => {
    const res = await postForm(token, {
      grant_type: 'client_credentials',
      client_id: client.client_id,
      client_secret: client.client_secret!,
    })
    expect(res.status).toBe(401)
    expect(res.body.error_description).toContain("method 'client_secret_post' was requested")
    const post = webClient(hydra, { token_endpoint_auth_method: 'client_secret_post' })
    const ok = await postForm(token, {
      grant_type: 'client_credentials',
      client_id: post.client_id,
      client_secret: post.client_secret!,
    })
    expect(ok.status).toBe(200)
  })

  it('a confidential client cannot authenticate with its id alone', async () => {
    const res = await postForm(token, { grant_type: 'client_credentials', client_id: client.client_id })
    expect(res.status).toBe(401)
    expect(res.body.error).toBe('invalid_client')
  })

  it('unknown clients are 401, missing credentials 400', async () => {
    expect(
      (await postForm(token, { grant_type: 'client_credentials' }, basic('nobody', 'secret1'))).status,
    ).toBe(401)
    const none = await postForm(token, { grant_type: 'client_credentials' })
    expect(none.status).toBe(400)
    expect(none.body.error).toBe('invalid_request')
  })

  it('malformed requests are 400 with an OAuth error body', async () => {
    const noGrant = await postForm(token, {}, basic(client.client_id, client.client_secret!))
    expect(noGrant.body.error).toBe('invalid_request')
    const password = await postForm(
      token,
      { grant_type: 'password', username: 'a', password: 'b' },
      basic(client.client_id, client.client_secret!),
    )
    expect(password.status).toBe(400)
    expect(password.body.error).toBe('unsupported_grant_type')
    const json = await fetch(token, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...basic(client.client_id, client.client_secret!) },
      body: JSON.stringify({ grant_type: 'client_credentials' }),
    })
    expect(json.status).toBe(400)
    expect(((await json.json()) as Json).error).toBe('invalid_request')
    const dup = await fetch(token, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...basic(client.client_id, client.client_secret!),
      },
      body: 'grant_type=client_credentials&grant_type=refresh_token',
    })
    expect(dup.status).toBe(400)
    const get = await fetch(token)
    expect(get.status).toBe(405)
  })
})
