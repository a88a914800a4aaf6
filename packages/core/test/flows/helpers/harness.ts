import { createHash, randomBytes } from 'node:crypto'
import { createMockHydra, type MockHydra, type MockHydraOptions } from '../../../../hydra-mock/src/index.js'
import {
  createHydraAdminClient,
  createHydraPublicClient,
  type HydraAdminClient,
} from '../../../src/hydra/index.js'
import {
  type FlowRequest,
  type FlowResult,
  type LoginConsentHandler,
  type LoginConsentOptions,
} from '../../../src/flows/index.js'

export const APP = 'http://app.test'
export const LOGIN_URL = `${APP}/auth/login`
export const CONSENT_URL = `${APP}/auth/consent`
export const LOGOUT_URL = `${APP}/auth/logout`
export const REDIRECT_URI = 'http://127.0.0.1:5555/callback'
export const SECRET = 'a-test-secret-that-is-at-least-32-bytes-long'

/** A cookie jar per origin: name/value only, `Max-Age=0` deletes. */
export class CookieJar {
  private readonly jar = new Map<string, string>()

  header(): string | undefined {
    return this.jar.size === 0 ? undefined : [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ')
  }

  store(setCookies: readonly string[]): void {
    for (const line of setCookies) {
      const [pair = '', ...attrs] = line.split(';')
      const eq = pair.indexOf('=')
      const name = pair.slice(0, eq).trim()
      const value = pair.slice(eq + 1).trim()
      if (attrs.some((a) => /^\s*max-age=0\s*$/i.test(a))) this.jar.delete(name)
      else this.jar.set(name, value)
    }
  }

  get(name: string): string | undefined {
    return this.jar.get(name)
  }

  clear(): void {
    this.jar.clear()
  }
}

/** A fake browser talking to the mock Hydra (fetch, manual redirects, cookies). */
export class HydraBrowser {
  readonly jar = new CookieJar()

  async get(url: string): Promise<Response> {
    const cookie = this.jar.header()
    const res = await fetch(url, { redirect: 'manual', headers: cookie === undefined ? {} : { cookie } })
    this.jar.store(res.headers.getSetCookie())
    await res.arrayBuffer()
    return res
  }

  /** GET `url` (at Hydra) and return the Location of its redirect. */
  async follow(url: string): Promise<string> {
    const res = await this.get(url)
    if (res.status !== 302 && res.status !== 303)
      throw new Error(`expected a redirect from Hydra, got ${res.status}`)
    return res.headers.get('location')!
  }
}

/** The app side of a browser: its cookies for our app, and calls into the handler. */
export class AppBrowser {
  readonly jar = new CookieJar()
  constructor(
    readonly handler: LoginConsentHandler,
    readonly secure = false,
  ) {}

  request(
    method: string,
    query: Record<string, string>,
    form?: URLSearchParams | Record<string, string | string[]>,
  ): FlowRequest {
    const cookie = this.jar.header()
    let body: URLSearchParams | undefined
    if (form instanceof URLSearchParams) body = form
    else if (form !== undefined) {
      body = new URLSearchParams()
      for (const [k, v] of Object.entries(form)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x)
    }
    return {
      method,
      query: new URLSearchParams(query),
      form: body,
      headers: cookie === undefined ? {} : { cookie },
      secure: this.secure,
    }
  }

  private keep(result: FlowResult): FlowResult {
    this.jar.store(result.cookies)
    return result
  }

  async get(flow: 'login' | 'consent' | 'logout', challenge: string | undefined): Promise<FlowResult> {
    const query: Record<string, string> = challenge === undefined ? {} : { [`${flow}_challenge`]: challenge }
    return this.keep(await this.handler[flow](this.request('GET', query)))
  }

  async post(
    flow: 'login' | 'consent' | 'logout',
    form: Record<string, string | string[]>,
  ): Promise<FlowResult> {
    return this.keep(await this.handler[flow](this.request('POST', {}, form)))
  }
}

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url')
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') }
}

export interface Env {
  hydra: MockHydra
  admin: HydraAdminClient
  client: { client_id: string; client_secret?: string | undefined }
  close(): Promise<void>
}

/** A mock Hydra whose login/consent/logout URLs point at the (virtual) app, plus an admin client. */
export async function startEnv(options: MockHydraOptions = {}, apiVersion: 'v1' | 'v2' = 'v2'): Promise<Env> {
  const hydra = await createMockHydra({
    loginUrl: LOGIN_URL,
    consentUrl: CONSENT_URL,
    logoutUrl: LOGOUT_URL,
    ...options,
  })
  const admin = createHydraAdminClient({ adminUrl: hydra.adminUrl, apiVersion, retries: 0 })
  const client = hydra.createClient({
    client_name: 'Test App',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    scope: 'openid offline_access email profile read write admin',
    redirect_uris: [REDIRECT_URI],
    post_logout_redirect_uris: ['http://127.0.0.1:5555/bye'],
    audience: ['https://api.example.com', 'https://other.example.com'],
    client_uri: 'https://client.example.com',
  })
  return {
    hydra,
    admin,
    client,
    async close() {
      await admin.close()
      await hydra.close()
    },
  }
}

/** Options for a handler against `env`, with a user `alice` / `wonderland`. */
export function flowOptions(env: Env, extra: Partial<LoginConsentOptions> = {}): LoginConsentOptions {
  return {
    admin: env.admin,
    hydraPublicUrl: env.hydra.publicUrl,
    csrfSecret: SECRET,
    authenticate: ({ username, password }) =>
      username === 'alice' && password === 'wonderland' ? { subject: 'user-alice' } : null,
    ...extra,
  }
}

export interface AuthorizeParams {
  scope?: string
  audience?: string
  prompt?: string
  loginHint?: string
  clientId?: string
  /** PKCE verifier to use (its S256 challenge is sent). Default: a fresh one, discarded. */
  codeVerifier?: string
}

/** Starts an authorization request at the mock and returns the login challenge. */
export async function startLogin(env: Env, browser: HydraBrowser, p: AuthorizeParams = {}): Promise<string> {
  const u = new URL(`${env.hydra.publicUrl}/oauth2/auth`)
  u.searchParams.set('response_type', 'code')
  u.searchParams.set('client_id', p.clientId ?? env.client.client_id)
  u.searchParams.set('redirect_uri', REDIRECT_URI)
  u.searchParams.set('scope', p.scope ?? 'openid read write')
  u.searchParams.set('state', randomBytes(12).toString('base64url'))
  u.searchParams.set(
    'code_challenge',
    p.codeVerifier === undefined
      ? pkce().challenge
      : createHash('sha256').update(p.codeVerifier).digest('base64url'),
  )
  u.searchParams.set('code_challenge_method', 'S256')
  if (p.audience !== undefined) u.searchParams.set('audience', p.audience)
  if (p.prompt !== undefined) u.searchParams.set('prompt', p.prompt)
  if (p.loginHint !== undefined) u.searchParams.set('login_hint', p.loginHint)
  const location = await browser.follow(u.href)
  const challenge = new URL(location).searchParams.get('login_challenge')
  if (challenge === null) throw new Error(`no login challenge in ${location}`)
  return challenge
}

/** The challenge in a URL our app was sent to (`consent_challenge`, ...). */
export function challengeIn(url: string, flow: 'login' | 'consent' | 'logout'): string {
  const c = new URL(url).searchParams.get(`${flow}_challenge`)
  if (c === null) throw new Error(`no ${flow} challenge in ${url}`)
  return c
}

/** Narrows a result to a redirect and returns its location. */
export function locationOf(result: FlowResult): string {
  if (result.type !== 'redirect') {
    throw new Error(
      `expected a redirect, got ${result.status} ${result.page} ${JSON.stringify(result.data).slice(0, 200)}`,
    )
  }
  return result.location
}

/** The rendered page's data (throws for a redirect). */
export function pageOf<P extends FlowResult>(result: P): Extract<FlowResult, { type: 'render' }> {
  if (result.type !== 'render') throw new Error(`expected a page, got a redirect to ${result.location}`)
  return result
}

/** Exchanges the code in the client's callback URL for tokens (client_secret_basic + PKCE). */
export async function exchangeCode(env: Env, callbackUrl: string, codeVerifier: string) {
  const code = new URL(callbackUrl).searchParams.get('code')
  if (code === null) throw new Error(`no code in ${callbackUrl}`)
  const oauth = createHydraPublicClient({
    publicUrl: env.hydra.publicUrl,
    clientId: env.client.client_id,
    clientSecret: env.client.client_secret,
    redirectUri: REDIRECT_URI,
    retries: 0,
  })
  try {
    return await oauth.oauth2TokenExchange({ grantType: 'authorization_code', code, codeVerifier })
  } finally {
    await oauth.close()
  }
}

/** Logs in through our handler and returns the location of the consent page. */
export async function loginThrough(
  env: Env,
  app: AppBrowser,
  browser: HydraBrowser,
  p: AuthorizeParams & { remember?: boolean } = {},
): Promise<string> {
  const challenge = await startLogin(env, browser, p)
  const page = pageOf(await app.get('login', challenge))
  if (page.data.page !== 'login') throw new Error('expected the login page')
  const form: Record<string, string> = {
    challenge,
    csrf_token: page.data.csrfToken,
    username: 'alice',
    password: 'wonderland',
  }
  if (p.remember === true) form.remember = '1'
  return browser.follow(locationOf(await app.post('login', form)))
}
