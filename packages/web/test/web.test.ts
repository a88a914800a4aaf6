import { createServer, type Server } from 'node:http'
import { connect, type AddressInfo } from 'node:net'
import { getRequestListener } from '@hono/node-server'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest'
import type { AuthInfo } from '@hydrakit/core'
import { getAuth, hydra, loginConsentHandler } from '../src/index.js'
import { honoAuth, type HydrakitEnv } from '../src/hono.js'
import { tableVerifier } from '../../../test/support/table-verifier.js'
import {
  HydraBrowser,
  challengeIn,
  flowOptions,
  startEnv,
  startLogin,
  type Env,
} from '../../core/test/flows/helpers/harness.js'

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
const req = (headers: Record<string, string> = {}, init: RequestInit = {}) =>
  new Request('http://api.test/x', { headers, ...init })

/** Serves a fetch handler on a real server (127.0.0.1, port 0). */
async function serve(fetch: (request: Request) => Response | Promise<Response>): Promise<{
  url: string
  close: () => Promise<void>
}> {
  const listener = getRequestListener(fetch)
  const server: Server = createServer((q, s) => {
    void listener(q, s)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

describe('authenticate(request)', () => {
  it('resolves to the AuthInfo, or to a ready Response with status, challenge and JSON', async () => {
    const auth = hydra({ verifier: tableVerifier() })
    const ok = await auth.authenticate(req(bearer('scopes-read')))
    expect(ok).not.toBeInstanceOf(Response)
    expect((ok as AuthInfo).subject).toBe('alice')

    const missing = (await auth.authenticate(req())) as Response
    expect(missing.status).toBe(401)
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="api"')
    expect(await missing.json()).toEqual({ error: 'unauthorized', error_description: 'no bearer token' })

    const scope = (await auth.authenticate(req(bearer('scopes-read')), { scope: 'admin' })) as Response
    expect(scope.status).toBe(403)
    expect(scope.headers.get('www-authenticate')).toMatch(/error="insufficient_scope".*scope="admin"/)

    const down = (await auth.authenticate(req(bearer('down')))) as Response
    expect(down.status).toBe(503)
    expect(down.headers.get('www-authenticate')).toBeNull()
    expect(((await down.json()) as { error: string }).error).toBe('temporarily_unavailable')

    const twoHeaders = (await auth.authenticate(req({ authorization: 'Bearer a b' }))) as Response
    expect(twoHeaders.status).toBe(400)
  })

  it('optional: no token → undefined; an invalid token is still refused', async () => {
    const auth = hydra({ verifier: tableVerifier() })
    const optional = { optional: true }
    expect(await auth.authenticate(req(), optional)).toBeUndefined()
    expect(((await auth.authenticate(req(bearer('bad')), optional)) as Response).status).toBe(401)
  })

  it('verifies a request once across several checks, and remembers it for getAuth', async () => {
    const verifier = tableVerifier()
    const auth = hydra({ verifier })
    const request = req(bearer('scopes-read.write'))
    await auth.authenticate(request)
    const again = await auth.authenticate(request, { scope: ['read', 'write'], claims: { tenant: 'acme' } })
    expect((again as AuthInfo).subject).toBe('alice')
    expect(getAuth(request)?.scopes).toEqual(['read', 'write'])
    expect(verifier.calls).toBe(1)
  })

  it('an unexpected verifier failure rejects (a 500 for the runtime), never a 401', async () => {
    const auth = hydra({ verifier: { realm: 'api', verify: () => Promise.reject(new Error('bug')) } })
    await expect(auth.authenticate(req(bearer('t')))).rejects.toThrow('bug')
  })

  it('checks requirements when withAuth is called', () => {
    const auth = hydra({ verifier: tableVerifier() })
    expect(() => auth.withAuth(() => new Response(), { scope: 'bad scope' })).toThrow(TypeError)
    expect(() => auth.protectedResourceMetadata(req())).toThrow(/protectedResource/)
  })
})

describe('withAuth on a real server', () => {
  it('wraps a Next.js-style route handler: refusals answered, the runtime arguments passed on', async () => {
    const auth = hydra({ verifier: tableVerifier(), token: { body: true } })
    const handler = auth.withAuth(
      async (request, info, ctx: { params: Promise<{ id: string }> }) => {
        expectTypeOf(info).toEqualTypeOf<AuthInfo | undefined>()
        const body = request.method === 'POST' ? await request.text() : ''
        return Response.json({ sub: info?.subject, id: (await ctx.params).id, body })
      },
      { scope: 'read' },
    )
    const app = await serve((request) => handler(request, { params: Promise.resolve({ id: '7' }) }))
    try {
      const ok = await fetch(`${app.url}/x`, { headers: bearer('scopes-read') })
      expect(await ok.json()).toEqual({ sub: 'alice', id: '7', body: '' })
      const refused = await fetch(`${app.url}/x`, { headers: bearer('scopes-write') })
      expect(refused.status).toBe(403)
      expect(refused.headers.get('content-type')).toMatch(/^application\/json/)
      // A token in a form body; the handler can still read the body.
      const form = await fetch(`${app.url}/x`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'access_token=scopes-read&x=1',
      })
      expect(await form.json()).toEqual({ sub: 'alice', id: '7', body: 'access_token=scopes-read&x=1' })
    } finally {
      await app.close()
    }
  })

  it('serves the RFC 9728 document', async () => {
    const auth = hydra({
      verifier: tableVerifier(),
      protectedResource: { resource: 'https://api.example', authorizationServers: ['https://hydra.example'] },
    })
    const app = await serve(
      (request) => auth.protectedResourceMetadata(request) ?? new Response(null, { status: 404 }),
    )
    try {
      const doc = await fetch(`${app.url}/.well-known/oauth-protected-resource`)
      expect(doc.status).toBe(200)
      expect(((await doc.json()) as { resource: string }).resource).toBe('https://api.example')
      expect((await fetch(`${app.url}/other`)).status).toBe(404)
    } finally {
      await app.close()
    }
  })
})

describe('Hono middleware', () => {
  it('sets c.var.auth (typed), verifies once across several middleware, answers refusals', async () => {
    const verifier = tableVerifier()
    const auth = hydra({ verifier })
    const app = new Hono()
    app.use('/api/*', honoAuth(auth))
    // Typed from the middleware in the route, without HydrakitEnv.
    app.get('/api/x', honoAuth(auth, { anyScope: ['read', 'admin'] }), (c) => {
      expectTypeOf(c.var.auth).toEqualTypeOf<AuthInfo | undefined>()
      return c.json({ sub: c.var.auth?.subject })
    })
    const typed = new Hono<HydrakitEnv>()
    typed.use(honoAuth(auth))
    typed.get('/', (c) => {
      expectTypeOf(c.var.auth).toEqualTypeOf<AuthInfo | undefined>()
      return c.text('')
    })
    const server = await serve(app.fetch)
    try {
      const ok = await fetch(`${server.url}/api/x`, { headers: bearer('scopes-read') })
      expect(await ok.json()).toEqual({ sub: 'alice' })
      expect(verifier.calls).toBe(1)
      const refused = await fetch(`${server.url}/api/x`)
      expect(refused.status).toBe(401)
      expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="api"')
    } finally {
      await server.close()
    }
  })
})

describe('Hono middleware on @hono/node-server and elsewhere', () => {
  /** One raw HTTP/1.1 request, so that a header can be sent twice. */
  const rawGet = (url: string, headerLines: string[]): Promise<string> =>
    new Promise((resolve, reject) => {
      const { hostname, port } = new URL(url)
      const socket = connect(Number(port), hostname, () => {
        socket.end(
          ['GET /api/x HTTP/1.1', `host: ${hostname}`, 'connection: close', ...headerLines, '', ''].join(
            '\r\n',
          ),
        )
      })
      let text = ''
      socket.on('data', (d: Buffer) => (text += d.toString('latin1')))
      socket.on('end', () => resolve(text))
      socket.on('error', reject)
    })

  it('reads the Node request under @hono/node-server: a second Authorization header is refused with 400', async () => {
    const verifier = tableVerifier()
    const app = new Hono()
    app.get('/api/x', honoAuth(hydra({ verifier })), (c) => c.json({ sub: c.var.auth?.subject }))
    const server = await serve(app.fetch)
    try {
      const one = await rawGet(server.url, ['authorization: Bearer scopes-read'])
      expect(one.split('\r\n')[0]).toBe('HTTP/1.1 200 OK')
      const two = await rawGet(server.url, [
        'authorization: Bearer scopes-read',
        'authorization: Bearer other',
      ])
      expect(two.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request')
      expect(two).toMatch(/www-authenticate: Bearer realm="api", error="invalid_request"/i)
      // Told apart from a merely malformed value: the Web Request would have joined the two.
      expect(two).toContain('more than one Authorization header')
      expect(verifier.calls).toBe(1)
    } finally {
      await server.close()
    }
  })

  it('without a Node server (app.request, other runtimes) it reads the Web Request', async () => {
    const verifier = tableVerifier()
    const app = new Hono()
    app.get('/api/x', honoAuth(hydra({ verifier })), (c) => c.json({ sub: c.var.auth?.subject }))
    const ok = await app.request('/api/x', { headers: bearer('scopes-read') })
    expect(ok.status).toBe(200)
    expect(await ok.json()).toEqual({ sub: 'alice' })
    const refused = await app.request('/api/x')
    expect(refused.status).toBe(401)
    expect(verifier.calls).toBe(1)
  })
})

describe('loginConsentHandler', () => {
  let env: Env
  beforeAll(async () => {
    env = await startEnv()
  })
  afterAll(async () => {
    await env.close()
  })

  it('runs the login flow as a Web handler on Hono; other paths fall through', async () => {
    const flows = loginConsentHandler({ ...flowOptions(env), prefix: '/auth' })
    const app = new Hono()
    app.all('/auth/*', async (c) => (await flows(c.req.raw)) ?? c.text('fell through', 418))
    const server = await serve(app.fetch)
    try {
      const browser = new HydraBrowser()
      const challenge = await startLogin(env, browser)
      const page = await fetch(`${server.url}/auth/login?login_challenge=${challenge}`)
      expect(page.status).toBe(200)
      expect(page.headers.get('x-frame-options')).toBe('DENY')
      const cookie = page.headers.getSetCookie()[0]!.split(';')[0]!
      const html = await page.text()
      const csrf = /name="csrf_token" value="([^"]+)"/.exec(html)![1]!
      const login = await fetch(`${server.url}/auth/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        body: new URLSearchParams({ challenge, csrf_token: csrf, username: 'alice', password: 'wonderland' }),
      })
      expect(login.status).toBe(303)
      expect(challengeIn(await browser.follow(login.headers.get('location')!), 'consent')).toBeTruthy()
      const noCsrf = await fetch(`${server.url}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        body: new URLSearchParams({ challenge, username: 'alice' }),
      })
      expect(noCsrf.status).toBe(403)
      expect((await fetch(`${server.url}/auth/other`)).status).toBe(418)
      expect(() => loginConsentHandler({ ...flowOptions(env), prefix: 'auth/' })).toThrow(/prefix/)
    } finally {
      await server.close()
    }
  })
})
