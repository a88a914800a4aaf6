import { createHash, randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { decodeJwt } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHydraPublicClient } from '@hydrakit/core/hydra'
import { createMockHydra, type MockHydra } from '@hydrakit/hydra-mock'
import { readConfig, startLoginConsentApp, type RunningLoginConsentApp } from '../src/index.js'

const REDIRECT = 'http://127.0.0.1:5555/callback'

async function freePort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  const { port } = s.address() as AddressInfo
  await new Promise<void>((resolve) => s.close(() => resolve()))
  return port
}

/** fetch with manual redirects and one cookie jar for everything (enough for this test). */
class Browser {
  private readonly jar = new Map<string, string>()
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers)
    if (this.jar.size > 0) headers.set('cookie', [...this.jar].map(([k, v]) => `${k}=${v}`).join('; '))
    const res = await fetch(url, { ...init, headers, redirect: 'manual' })
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';')
      const eq = pair.indexOf('=')
      this.jar.set(pair.slice(0, eq), pair.slice(eq + 1))
    }
    return res
  }
  async location(url: string, init?: RequestInit): Promise<string> {
    const res = await this.fetch(url, init)
    await res.arrayBuffer()
    const location = res.headers.get('location')
    if (location === null) throw new Error(`expected a redirect from ${url}, got ${res.status}`)
    return location
  }
}

function token(html: string): string {
  return /name="csrf_token" value="([^"]+)"/.exec(html)![1]!
}

function post(fields: Record<string, string | string[]>): RequestInit {
  const body = new URLSearchParams()
  for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x)
  return {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: body.toString(),
  }
}

let hydra: MockHydra
let app: RunningLoginConsentApp
let client: { client_id: string; client_secret?: string }

beforeAll(async () => {
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  hydra = await createMockHydra({
    loginUrl: `${base}/auth/login`,
    consentUrl: `${base}/auth/consent`,
    logoutUrl: `${base}/auth/logout`,
  })
  app = await startLoginConsentApp({ hydraAdminUrl: hydra.adminUrl, hydraPublicUrl: hydra.publicUrl, port })
  client = hydra.createClient({
    grant_types: ['authorization_code'],
    response_types: ['code'],
    scope: 'openid email profile read',
    redirect_uris: [REDIRECT],
  })
})

afterAll(async () => {
  await app?.close()
  await hydra?.close()
})

async function run(scope: string, grant: string[], password = 'foobar') {
  const browser = new Browser()
  const verifier = randomBytes(32).toString('base64url')
  const authorize = new URL(`${hydra.publicUrl}/oauth2/auth`)
  authorize.search = new URLSearchParams({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: REDIRECT,
    scope,
    state: 'state-0123456789',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString()
  const loginUrl = await browser.location(authorize.href)
  expect(loginUrl.startsWith(app.loginUrl)).toBe(true)
  const loginPage = await (await browser.fetch(loginUrl)).text()
  const challenge = new URL(loginUrl).searchParams.get('login_challenge')!
  const loginPost = await browser.fetch(
    loginUrl,
    post({ challenge, csrf_token: token(loginPage), username: 'foo@bar.com', password }),
  )
  if (loginPost.status !== 303) return { loginStatus: loginPost.status, loginHtml: await loginPost.text() }
  const consentUrl = await browser.location(loginPost.headers.get('location')!)
  const consentPage = await (await browser.fetch(consentUrl)).text()
  const consentChallenge = new URL(consentUrl).searchParams.get('consent_challenge')!
  const callback = await browser.location(
    await browser.location(
      consentUrl,
      post({ challenge: consentChallenge, csrf_token: token(consentPage), grant_scope: grant }),
    ),
  )
  const oauth = createHydraPublicClient({
    publicUrl: hydra.publicUrl,
    clientId: client.client_id,
    clientSecret: client.client_secret,
    redirectUri: REDIRECT,
  })
  try {
    const tokens = await oauth.oauth2TokenExchange({
      grantType: 'authorization_code',
      code: new URL(callback).searchParams.get('code')!,
      codeVerifier: verifier,
    })
    return { consentPage, idToken: decodeJwt(tokens.id_token!) }
  } finally {
    await oauth.close()
  }
}

describe('login-consent example', () => {
  it('signs in foo@bar.com / foobar; email and name go into the ID token only when granted', async () => {
    const full = await run('openid email profile read', ['openid', 'email', 'profile'])
    expect(full.consentPage).toContain('See your email address')
    expect(full.idToken).toMatchObject({ sub: 'foo@bar.com', email: 'foo@bar.com', name: 'Foo Bar' })
    const bare = await run('openid email profile read', ['openid'])
    expect(bare.idToken?.email).toBeUndefined()
    expect(bare.idToken?.name).toBeUndefined()
  })

  it('a wrong password shows the form again with an error', async () => {
    const r = await run('openid', ['openid'], 'wrong')
    expect(r.loginStatus).toBe(200)
    expect(r.loginHtml).toContain('The username or password is incorrect.')
    expect(r.loginHtml).not.toContain('wrong')
  })

  it('readConfig requires the Hydra URLs and a long enough CSRF secret', () => {
    const env = { HYDRA_ADMIN_URL: 'http://a', HYDRA_PUBLIC_URL: 'http://p' }
    expect(readConfig(env)).toMatchObject({ port: 3000, hydraApiVersion: 'v2', generatedSecret: true })
    expect(readConfig({ ...env, CSRF_SECRET: 'x'.repeat(32), PORT: '4000' })).toMatchObject({
      port: 4000,
      csrfSecret: 'x'.repeat(32),
      generatedSecret: false,
    })
    expect(() => readConfig({ HYDRA_PUBLIC_URL: 'http://p' })).toThrow(/HYDRA_ADMIN_URL/)
    expect(() => readConfig({ HYDRA_ADMIN_URL: 'http://a' })).toThrow(/HYDRA_PUBLIC_URL/)
    expect(() => readConfig({ ...env, CSRF_SECRET: 'short' })).toThrow(/CSRF_SECRET/)
    expect(() => readConfig({ ...env, HYDRA_API_VERSION: 'v3' })).toThrow(/HYDRA_API_VERSION/)
  })
})
