import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMockHydra } from '../src/index.js'
import type { MockHydra, MockHydraOptions } from '../src/index.js'
import { admin, postForm } from './helpers/browser.js'

let hydra: MockHydra

beforeAll(async () => {
  hydra = await createMockHydra({ maxBodyBytes: 2048, requestLogSize: 5 })
})
afterAll(() => hydra.close())

describe('createMockHydra options', () => {
  it.each([
    [{ port: -1 }, /^port must be an integer/],
    [{ adminPort: 70000 }, /^adminPort must be/],
    [{ accessTokenStrategy: 'paseto' }, /^accessTokenStrategy must be 'opaque', 'jwt'/],
    [{ scopeClaim: 'array' }, /^scopeClaim must be/],
    [{ loginUrl: '/login' }, /^loginUrl must be an absolute http\(s\) URL/],
    [{ consentUrl: 'ftp://x/consent' }, /^consentUrl must be an http\(s\) URL/],
    [{ errorUrl: 'https://x/#e' }, /^errorUrl must not contain a fragment/],
    [{ issuer: 42 }, /^issuer must be/],
    [{ ttl: { accessToken: 0 } }, /^ttl\.accessToken must be a positive integer \(seconds\)/],
    [{ ttl: { loginConsentRequest: 1.5 } }, /^ttl\.loginConsentRequest/],
    [{ handledChallenges: 'stateful' }, /^handledChallenges must be 'reuse', 'gone'/],
    [{ pkce: 'sometimes' }, /^pkce must be/],
    [
      { clients: [{ redirect_uris: ['https://a/#x'] }] },
      /^clients\[0\]\.redirect_uris\[0\] must not contain fragments/,
    ],
    [{ clients: [{ client_id: 'a' }, { client_id: 'a' }] }, /^clients\[1\]\.client_id is registered twice/],
    [{ maxBodyBytes: 0 }, /^maxBodyBytes must be a positive integer \(bytes\)/],
    [{ allowedTopLevelClaims: 'tenant' }, /^allowedTopLevelClaims must be an array/],
  ])('%j is a TypeError naming the option', async (options, message) => {
    const p = createMockHydra(options as unknown as MockHydraOptions)
    await expect(p).rejects.toThrow(TypeError)
    await expect(p).rejects.toThrow(message)
  })

  it('registers the given clients with fixed credentials', async () => {
    const h = await createMockHydra({
      clients: [{ client_id: 'api', client_secret: 'api-secret', grant_types: ['client_credentials'] }],
    })
    try {
      const res = await postForm(
        `${h.publicUrl}/oauth2/token`,
        {
          grant_type: 'client_credentials',
        },
        { authorization: `Basic ${Buffer.from('api:api-secret').toString('base64')}` },
      )
      expect(res.status).toBe(200)
    } finally {
      await h.close()
    }
  })

  it('uses the given issuer verbatim and defaults to <publicUrl>/', async () => {
    expect(hydra.issuer).toBe(`${hydra.publicUrl}/`)
    const h = await createMockHydra({ issuer: 'https://auth.example.com' })
    try {
      expect(h.issuer).toBe('https://auth.example.com')
      const d = (await admin(h.publicUrl, 'GET', '/.well-known/openid-configuration')).body
      expect(d.issuer).toBe('https://auth.example.com')
      expect(d.token_endpoint).toBe(`${h.publicUrl}/oauth2/token`)
    } finally {
      await h.close()
    }
  })

  it('binds two listeners on 127.0.0.1 and free ports; close() is idempotent', async () => {
    const h = await createMockHydra()
    expect(h.publicUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(h.adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(h.publicUrl).not.toBe(h.adminUrl)
    await Promise.all([h.close(), h.close()])
    await expect(fetch(`${h.publicUrl}/health/alive`)).rejects.toThrow()
  })

  it('a taken port rejects and leaves nothing listening', async () => {
    const port = Number(new URL(hydra.publicUrl).port)
    await expect(createMockHydra({ port })).rejects.toThrow(/EADDRINUSE/)
  })
})

describe('listeners', () => {
  it('discovery describes the public endpoints', async () => {
    const res = await admin(hydra.publicUrl, 'GET', '/.well-known/openid-configuration')
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      issuer: hydra.issuer,
      authorization_endpoint: `${hydra.publicUrl}/oauth2/auth`,
      token_endpoint: `${hydra.publicUrl}/oauth2/token`,
      jwks_uri: `${hydra.publicUrl}/.well-known/jwks.json`,
      userinfo_endpoint: `${hydra.publicUrl}/userinfo`,
      revocation_endpoint: `${hydra.publicUrl}/oauth2/revoke`,
      end_session_endpoint: `${hydra.publicUrl}/oauth2/sessions/logout`,
      code_challenge_methods_supported: ['S256'],
      response_types_supported: ['code'],
    })
  })

  it('the JWKS has the ID token and access token keys with distinct kids', async () => {
    const res = await admin(hydra.publicUrl, 'GET', '/.well-known/jwks.json')
    expect(res.body.keys).toHaveLength(2)
    const [a, b] = res.body.keys
    expect(a.kid).not.toBe(b.kid)
    for (const k of res.body.keys) expect(k).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' })
  })

  it('health and version on both listeners', async () => {
    for (const base of [hydra.publicUrl, hydra.adminUrl]) {
      for (const path of ['/health/alive', '/health/ready']) {
        const res = await admin(base, 'GET', path)
        expect(res.body).toEqual({ status: 'ok' })
      }
    }
    expect((await admin(hydra.adminUrl, 'GET', '/admin/version')).body).toEqual({ version: 'v26.2.0' })
    expect((await admin(hydra.adminUrl, 'GET', '/version')).body).toEqual({ version: 'v26.2.0' })
  })

  it('unknown routes are 404 with Hydra’s body; wrong methods 405', async () => {
    const res = await admin(hydra.publicUrl, 'GET', '/nope')
    expect(res.status).toBe(404)
    expect(res.body).toEqual({
      error: 'Not Found',
      error_description: 'Unable to locate the requested resource',
    })
    expect((await admin(hydra.adminUrl, 'GET', '/admin/nope')).status).toBe(404)
    // the admin API is not on the public listener
    expect((await admin(hydra.publicUrl, 'GET', '/admin/clients')).status).toBe(404)
    const wrong = await admin(hydra.adminUrl, 'POST', '/admin/oauth2/auth/requests/login')
    expect(wrong.status).toBe(405)
    expect(wrong.headers.get('allow')).toBe('GET')
  })

  it('bodies above maxBodyBytes are refused with 413 and never crash the server', async () => {
    const res = await postForm(`${hydra.adminUrl}/admin/oauth2/introspect`, { token: 'x'.repeat(4096) })
    expect(res.status).toBe(413)
    const chunked = await fetch(`${hydra.adminUrl}/admin/clients`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(`{"client_name":"${'y'.repeat(3000)}"}`))
          controller.close()
        },
      }),
      duplex: 'half',
    })
    expect(chunked.status).toBe(413)
    expect((await admin(hydra.adminUrl, 'GET', '/health/alive')).status).toBe(200)
  })

  it('garbage in query strings and bodies gets defined answers', async () => {
    const odd = await fetch(`${hydra.publicUrl}/oauth2/auth?client_id=%ZZ&redirect_uri=%`, {
      redirect: 'manual',
    })
    expect(odd.status).toBe(302)
    expect(new URL(odd.headers.get('location')!).searchParams.get('error')).toBe('invalid_client')
    const form = await fetch(`${hydra.adminUrl}/admin/oauth2/introspect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'token=%E0%A4%A&&&==',
    })
    expect(form.status).toBe(200)
    expect(await form.json()).toEqual({ active: false })
  })

  it('counts calls per operation and keeps a bounded request log without query strings', async () => {
    hydra.resetCalls()
    expect(hydra.calls.discoverJsonWebKeys).toBe(0)
    await fetch(`${hydra.publicUrl}/.well-known/jwks.json`)
    await fetch(`${hydra.publicUrl}/.well-known/jwks.json?x=secret`)
    await fetch(`${hydra.adminUrl}/admin/nope`)
    expect(hydra.calls.discoverJsonWebKeys).toBe(2)
    expect(hydra.calls.notFound).toBe(1)
    expect(hydra.requests.at(-1)).toMatchObject({
      listener: 'admin',
      operation: 'notFound',
      status: 404,
      method: 'GET',
    })
    expect(JSON.stringify(hydra.requests)).not.toContain('secret')
    for (let i = 0; i < 10; i++) await fetch(`${hydra.publicUrl}/health/alive`)
    expect(hydra.requests).toHaveLength(5)
  })

  it('the root and fallback pages say NOT FOR PRODUCTION', async () => {
    for (const path of [
      '/',
      '/oauth2/fallbacks/login',
      '/oauth2/fallbacks/consent',
      '/oauth2/fallbacks/logout/callback',
    ]) {
      const res = await fetch(`${hydra.publicUrl}${path}`)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toContain('text/html')
      expect(await res.text()).toContain('NOT FOR PRODUCTION')
    }
  })
})
