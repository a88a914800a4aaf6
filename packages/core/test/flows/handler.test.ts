import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  createLoginConsentHandler,
  type FlowHttpInput,
  type LoginConsentHandler,
  type LoginConsentOptions,
} from '../../src/flows/index.js'
import { AppBrowser, SECRET, pageOf } from './helpers/harness.js'
import {
  HYDRA_PUBLIC,
  loginRequest,
  startRecordingHydra,
  type RecordingHydra,
} from './helpers/recording-hydra.js'

let rec: RecordingHydra
beforeAll(async () => {
  rec = await startRecordingHydra()
})
afterAll(async () => {
  await rec.close()
})

function base(extra: Partial<LoginConsentOptions> = {}): LoginConsentOptions {
  return {
    admin: rec.admin,
    hydraPublicUrl: HYDRA_PUBLIC,
    csrfSecret: SECRET,
    authenticate: () => null,
    ...extra,
  }
}

describe('options are checked at construction', () => {
  const cases: Array<[string, Partial<LoginConsentOptions> | Record<string, unknown>, RegExp]> = [
    ['no admin', { admin: undefined }, /^admin is required/],
    ['admin without methods', { admin: {} }, /^admin is required/],
    ['no hydraPublicUrl', { hydraPublicUrl: undefined }, /^hydraPublicUrl is required/],
    ['relative hydraPublicUrl', { hydraPublicUrl: '/hydra' }, /^hydraPublicUrl must be an absolute/],
    ['ftp hydraPublicUrl', { hydraPublicUrl: 'ftp://hydra' }, /^hydraPublicUrl must be an http/],
    ['bad allowed origin', { allowedRedirectOrigins: ['nope'] }, /^allowedRedirectOrigins\[0\]/],
    ['no csrfSecret', { csrfSecret: undefined }, /^csrfSecret is required/],
    ['short csrfSecret', { csrfSecret: 'x'.repeat(31) }, /^csrfSecret must be at least 32 bytes/],
    ['short byte secret', { csrfSecret: new Uint8Array(16) }, /^csrfSecret must be at least 32 bytes/],
    ['no authenticate', { authenticate: undefined }, /^authenticate is required/],
    ['claims not a function', { claims: 'x' }, /^claims must be a function/],
    ['sameSite none without secure', { cookie: { sameSite: 'none' } }, /^cookie\.sameSite 'none' requires/],
    ['bad sameSite', { cookie: { sameSite: 'loose' } }, /^cookie\.sameSite must be/],
    ['bad cookie name', { cookie: { name: 'a b' } }, /^cookie\.name/],
    ['__Host- without secure', { cookie: { name: '__Host-x' } }, /^cookie\.name with the __Host- prefix/],
    ['bad cookie path', { cookie: { path: 'auth' } }, /^cookie\.path/],
    ['bad cookie maxAge', { cookie: { maxAge: -1 } }, /^cookie\.maxAge/],
    ['bad login.rememberFor', { login: { rememberFor: 1.5 } }, /^login\.rememberFor/],
    ['bad consent.rememberFor', { consent: { rememberFor: -1 } }, /^consent\.rememberFor/],
    ['bad consent.skipFirstParty', { consent: { skipFirstParty: 'yes' } }, /^consent\.skipFirstParty/],
    [
      'bad scope description',
      { consent: { scopeDescriptions: { read: 1 } } },
      /^consent\.scopeDescriptions\.read/,
    ],
    ['bad maxBodyBytes', { maxBodyBytes: 0 }, /^maxBodyBytes/],
    ['bad maxChallengeLength', { maxChallengeLength: 1e9 }, /^maxChallengeLength/],
    ['bad timeoutMs', { timeoutMs: -5 }, /^timeoutMs/],
    ['bad render', { render: '<html>' }, /^render must be a function/],
  ]
  it.each(cases)('%s → TypeError naming the option', (_name, extra, message) => {
    expect(() => createLoginConsentHandler({ ...base(), ...extra })).toThrow(TypeError)
    expect(() => createLoginConsentHandler({ ...base(), ...extra })).toThrow(message)
  })

  it('accepts a 32-byte secret as bytes or text', () => {
    expect(() => createLoginConsentHandler(base({ csrfSecret: new Uint8Array(32) }))).not.toThrow()
    expect(() => createLoginConsentHandler(base({ csrfSecret: 'x'.repeat(32) }))).not.toThrow()
  })
})

describe('respond: security headers and rendering', () => {
  it('pages carry a strict CSP with a fresh nonce, DENY framing, no-store, no-referrer', async () => {
    const handler = createLoginConsentHandler(base())
    const app = new AppBrowser(handler)
    const result = await app.get('login', 'ch1')
    const res = await handler.respond(result)
    const again = await handler.respond(result)
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(res.headers['x-frame-options']).toBe('DENY')
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.headers['referrer-policy']).toBe('no-referrer')
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    const csp = res.headers['content-security-policy'] as string
    const nonce = /style-src 'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1]
    expect(nonce).toBeDefined()
    expect(res.body).toContain(`<style nonce="${nonce}">`)
    expect(again.headers['content-security-policy']).not.toBe(csp)
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).toContain("base-uri 'none'")
    expect(csp).not.toContain('unsafe-inline')
    expect(csp).not.toContain('script-src')
    expect(res.body).not.toMatch(/<script|\sstyle=|\son[a-z]+=/i)
    expect(res.body).toMatch(/^<!doctype html>\n<html lang="en">/)
    expect(res.headers['set-cookie']).toEqual(result.cookies)
  })

  it('redirects carry Location, no-store and no-referrer, and no CSP page headers', async () => {
    const handler = createLoginConsentHandler(base())
    const res = await handler.respond({
      type: 'redirect',
      location: `${HYDRA_PUBLIC}/x`,
      status: 303,
      cookies: [],
    })
    expect(res).toMatchObject({ status: 303, body: '' })
    expect(res.headers).toMatchObject({
      location: `${HYDRA_PUBLIC}/x`,
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
    })
    expect(res.headers['set-cookie']).toBeUndefined()
  })

  it('a custom renderer gets the page, its data and the nonce; its CSP can be replaced', async () => {
    const render = vi.fn(
      (page: string, data: { page: string }, ctx: { nonce: string }) =>
        `<p>${page}:${data.page}:${ctx.nonce}</p>`,
    )
    const handler = createLoginConsentHandler(
      base({
        render,
        contentSecurityPolicy: ({ nonce }) => `default-src 'self'; style-src 'nonce-${nonce}'`,
      }),
    )
    const res = await handler.respond(await new AppBrowser(handler).get('login', 'ch1'))
    const nonce = render.mock.calls[0]![2].nonce
    expect(res.body).toBe(`<p>login:login:${nonce}</p>`)
    expect(res.headers['content-security-policy']).toBe(`default-src 'self'; style-src 'nonce-${nonce}'`)
    expect(res.headers['x-frame-options']).toBe('DENY')
  })

  it('a renderer returning something else than a string is a TypeError', async () => {
    const handler = createLoginConsentHandler(base({ render: () => 42 as unknown as string }))
    await expect(handler.respond(await new AppBrowser(handler).get('login', 'ch1'))).rejects.toThrow(
      TypeError,
    )
  })

  it('escapes a hostile client name and drops unsafe client URLs', async () => {
    rec.server.queue({
      body: loginRequest({
        client: {
          client_id: 'evil"id',
          client_name: '<script>alert("x")</script>',
          logo_uri: 'http://insecure.example/logo.png',
          policy_uri: 'javascript:alert(1)',
          tos_uri: 'https://ok.example/tos?a=1&b="2"',
        },
        oidc_context: { login_hint: '"><img src=x onerror=alert(1)>' },
      }),
    })
    const handler = createLoginConsentHandler(base())
    const result = await new AppBrowser(handler).get('login', 'ch1')
    const page = pageOf(result)
    if (page.data.page !== 'login') throw new Error('login page expected')
    expect(page.data.client.logoUri).toBeUndefined()
    expect(page.data.client.policyUri).toBeUndefined()
    const html = (await handler.respond(result)).body
    expect(html).not.toContain('<script>')
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;')
    expect(html).not.toContain('<img')
    expect(html).toContain('value="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"')
    expect(html).not.toContain('javascript:')
    expect(html).not.toContain('insecure.example')
    expect(html).toContain('href="https://ok.example/tos?a=1&amp;b=%222%22"')
  })
})

describe('handle: a whole HTTP exchange over a real server', () => {
  let server: Server
  let url: string
  let handler: LoginConsentHandler
  const parsed: { value: unknown } = { value: undefined }

  beforeAll(async () => {
    handler = createLoginConsentHandler(base({ maxBodyBytes: 1024 }))
    server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0]!
      const route = handler.route(path.replace(/^\/auth/, ''))
      if (route === undefined) {
        res.statusCode = 404
        res.end()
        return
      }
      const consume = req.headers['x-preparse'] === '1'
      const run = async (): Promise<void> => {
        let parsedBody: unknown
        if (consume) {
          const chunks: Buffer[] = []
          for await (const c of req) chunks.push(c as Buffer)
          parsedBody = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString()))
          parsed.value = parsedBody
        }
        const input: FlowHttpInput = {
          method: req.method ?? 'GET',
          url: req.url ?? '/',
          headers: req.headers,
          secure: false,
          stream: req,
          parsedBody,
        }
        const out = await handler.handle(route, input)
        res.writeHead(out.status, out.headers)
        res.end(out.body)
      }
      run().catch(() => {
        res.statusCode = 500
        res.end()
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })

  async function loginPage(): Promise<{ cookie: string; token: string }> {
    const res = await fetch(`${url}/auth/login?login_challenge=ch1`)
    const html = await res.text()
    const cookie = res.headers.getSetCookie()[0]!.split(';')[0]!
    const token = /name="csrf_token" value="([^"]+)"/.exec(html)![1]!
    return { cookie, token }
  }

  it('routes /login, /consent/ and /logout; nothing else', () => {
    expect(handler.route('/login')).toBe('login')
    expect(handler.route('/consent/')).toBe('consent')
    expect(handler.route('/logout')).toBe('logout')
    expect(handler.route('/login/x')).toBeUndefined()
    expect(handler.route('/')).toBeUndefined()
  })

  it('reads the urlencoded form itself (no body parser) and redirects with 303', async () => {
    const { cookie, token } = await loginPage()
    const res = await fetch(`${url}/auth/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ challenge: 'ch1', csrf_token: token, action: 'deny' }).toString(),
    })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`${HYDRA_PUBLIC}/oauth2/auth?login_verifier=v`)
  })

  describe('fetch metadata: a form posted from another origin is refused, whatever its token', () => {
    const post = (cookie: string, token: string, site?: string | string[]): Promise<Response> => {
      const headers = new Headers({ cookie, 'content-type': 'application/x-www-form-urlencoded' })
      if (typeof site === 'string') headers.set('sec-fetch-site', site)
      if (Array.isArray(site)) for (const v of site) headers.append('sec-fetch-site', v)
      return fetch(`${url}/auth/login`, {
        method: 'POST',
        redirect: 'manual',
        headers,
        body: new URLSearchParams({ challenge: 'ch1', csrf_token: token, action: 'deny' }).toString(),
      })
    }

    it.each(['same-site', 'cross-site', 'SAME-SITE', 'something-new'])(
      'Sec-Fetch-Site: %s with a valid cookie and token (planted by the attacker) → 403, Hydra not called',
      async (site) => {
        const { cookie, token } = await loginPage()
        const before = rec.puts().length
        const res = await post(cookie, token, site)
        expect(res.status).toBe(403)
        expect(await res.text()).toContain('Form expired')
        expect(rec.puts()).toHaveLength(before)
      },
    )

    it('same-origin, none, or no fetch metadata at all (older clients, scripts) still work', async () => {
      for (const site of ['same-origin', 'none', undefined]) {
        const { cookie, token } = await loginPage()
        const before = rec.puts().length
        const res = await post(cookie, token, site)
        expect(res.status).toBe(303)
        expect(rec.puts()).toHaveLength(before + 1)
      }
    })

    it('GET pages are not affected (Hydra reaches the login page by a cross-site redirect)', async () => {
      const res = await fetch(`${url}/auth/login?login_challenge=ch1`, {
        headers: { 'sec-fetch-site': 'cross-site' },
      })
      expect(res.status).toBe(200)
    })
  })

  it('uses what a body parser left when the stream was already read', async () => {
    const { cookie, token } = await loginPage()
    const res = await fetch(`${url}/auth/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', 'x-preparse': '1' },
      body: new URLSearchParams({ challenge: 'ch1', csrf_token: token, action: 'deny' }).toString(),
    })
    expect(res.status).toBe(303)
    expect(parsed.value).toMatchObject({ challenge: 'ch1' })
  })

  it('413 for a body over maxBodyBytes, declared or streamed', async () => {
    const big = `challenge=ch1&x=${'a'.repeat(2000)}`
    const declared = await fetch(`${url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: big,
    })
    expect(declared.status).toBe(413)
    expect(await declared.text()).toContain('Request too large')
    const chunked = await fetch(`${url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new ReadableStream({
        start(c) {
          for (let i = 0; i < 4; i++) c.enqueue(new TextEncoder().encode('a'.repeat(600)))
          c.close()
        },
      }),
      duplex: 'half',
    })
    expect(chunked.status).toBe(413)
  })

  it('415 for JSON or a non-UTF-8 form; 405 with Allow for other methods', async () => {
    const json = await fetch(`${url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ challenge: 'ch1' }),
    })
    expect(json.status).toBe(415)
    const latin = await fetch(`${url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=iso-8859-1' },
      body: 'challenge=ch1',
    })
    expect(latin.status).toBe(415)
    const put = await fetch(`${url}/auth/consent`, { method: 'PUT', body: 'x' })
    expect(put.status).toBe(405)
    expect(put.headers.get('allow')).toBe('GET, POST')
    expect(put.headers.get('content-security-policy')).toContain("default-src 'none'")
  })

  it('an empty POST is a missing challenge (400), not a crash', async () => {
    const res = await fetch(`${url}/auth/logout`, { method: 'POST' })
    expect(res.status).toBe(400)
    expect(await res.text()).toContain('Incomplete link')
  })
})
