// RFC 6750 §2 strictness through real Express 4/5 and Koa 2/3 servers with the default token options
// (header only): a token sent by two methods and a header list Node cut short are both refused with
// 400 invalid_request, before any upstream call.
import { createServer, type Server } from 'node:http'
import { connect, type AddressInfo } from 'node:net'
import express4 from 'express4'
import express5 from 'express'
import Koa2 from 'koa2'
import Koa3 from 'koa'
import { getAuth as expressAuth, hydra as expressHydra } from '@hydrakit/express'
import { getAuth as koaAuth, hydra as koaHydra } from '@hydrakit/koa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestIssuer, type TestIssuer } from '../support/issuer.js'

type Framework = 'express4' | 'express5' | 'koa2' | 'koa3'
type Mode = 'jwt' | 'introspection'

function options(mode: Mode, issuer: TestIssuer): Parameters<typeof expressHydra>[0] {
  return mode === 'jwt'
    ? { mode: 'jwt', issuer: issuer.issuer, audience: 'api', jwt: { allowedKids: ['access-1'] } }
    : { mode: 'introspection', issuer: issuer.issuer, audience: 'api', adminUrl: issuer.adminUrl }
}

/** GET and POST /me behind authenticate(), with each framework's usual form-body parser. */
function appServer(framework: Framework, mode: Mode, issuer: TestIssuer): Server {
  if (framework.startsWith('express')) {
    const app = framework === 'express4' ? (express4() as unknown as express5.Express) : express5()
    const auth = expressHydra(options(mode, issuer))
    app.use(express5.urlencoded({ extended: framework === 'express4' }))
    const me = (req: express5.Request, res: express5.Response): void => {
      res.json({ subject: expressAuth(req)?.subject })
    }
    app.get('/me', auth.authenticate(), me)
    app.post('/me', auth.authenticate(), me)
    return createServer(app)
  }
  const app = framework === 'koa2' ? (new Koa2() as unknown as Koa3) : new Koa3()
  app.silent = true
  const auth = koaHydra(options(mode, issuer))
  app.use(async (ctx, next) => {
    if (ctx.is('application/x-www-form-urlencoded')) {
      let raw = ''
      for await (const chunk of ctx.req) raw += String(chunk)
      ;(ctx.request as { body?: unknown }).body = Object.fromEntries(new URLSearchParams(raw))
    }
    await next()
  })
  const guard = auth.authenticate()
  app.use(async (ctx, next) => {
    if (ctx.path !== '/me') return next()
    await guard(ctx, () => {
      ctx.body = { subject: koaAuth(ctx)?.subject }
      return Promise.resolve()
    })
  })
  const handle = app.callback()
  return createServer((req, res) => {
    void handle(req, res)
  })
}

interface RawResponse {
  status: number
  headers: Record<string, string>
  body: string
}

/** Sends a hand-written HTTP/1.1 request (fetch would refuse some of them) and reads the answer. */
function rawRequest(port: number, head: string, body = ''): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    // Not ended from this side: `Connection: close` makes the server close once it has answered.
    const socket = connect(port, '127.0.0.1', () => socket.write(head + body))
    socket.on('data', (c: Buffer) => chunks.push(c))
    socket.on('error', reject)
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1')
      const end = text.indexOf('\r\n\r\n')
      const lines = text.slice(0, end).split('\r\n')
      const headers: Record<string, string> = {}
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':')
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim()
      }
      resolve({ status: Number(lines[0]!.split(' ')[1]), headers, body: text.slice(end + 4) })
    })
  })
}

const fillers = (n: number): string => Array.from({ length: n }, (_, i) => `x-f${i}: 1\r\n`).join('')

let issuer: TestIssuer
const servers = new Map<string, Server>()

beforeAll(async () => {
  issuer = await startTestIssuer()
  for (const fw of ['express4', 'express5', 'koa2', 'koa3'] as const) {
    for (const mode of ['jwt', 'introspection'] as const) {
      const server = appServer(fw, mode, issuer)
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      servers.set(`${fw}/${mode}`, server)
    }
  }
})

afterAll(async () => {
  for (const server of servers.values()) {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
  await issuer.close()
})

describe.each(['express4', 'express5', 'koa2', 'koa3'] as const)('%s', (fw) => {
  describe.each(['jwt', 'introspection'] as const)('%s mode, default token options', (mode) => {
    const port = (): number => (servers.get(`${fw}/${mode}`)!.address() as AddressInfo).port
    const token = async (): Promise<string> =>
      mode === 'jwt' ? issuer.jwt({ scp: ['read'] }) : issuer.opaque({ scope: 'read' })
    const get = (path: string, headers: string): Promise<RawResponse> =>
      rawRequest(port(), `GET ${path} HTTP/1.1\r\nHost: x\r\n${headers}Connection: close\r\n\r\n`)
    const post = (headers: string, body: string): Promise<RawResponse> =>
      rawRequest(
        port(),
        `POST /me HTTP/1.1\r\nHost: x\r\n${headers}Content-Type: application/x-www-form-urlencoded\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`,
        body,
      )
    const expectInvalidRequest = (res: RawResponse, description: string): void => {
      expect(res.status).toBe(400)
      expect(res.headers['www-authenticate']).toBe(
        `Bearer realm="api", error="invalid_request", error_description="${description}"`,
      )
      expect(JSON.parse(res.body)).toEqual({ error: 'invalid_request', error_description: description })
    }

    it('a valid header token alone is accepted', async () => {
      const res = await get('/me', `Authorization: Bearer ${await token()}\r\n`)
      expect([res.status, JSON.parse(res.body)]).toEqual([200, { subject: 'alice' }])
    })

    it('a header token plus access_token in the query is refused, although the query source is off', async () => {
      const t = await token()
      const before = issuer.calls.introspection
      for (const query of [
        `access_token=${t}`,
        'access_token=other',
        '%61ccess_token=other',
        'access_token',
      ]) {
        expectInvalidRequest(
          await get(`/me?${query}`, `Authorization: Bearer ${t}\r\n`),
          'token sent by more than one method',
        )
      }
      expect(issuer.calls.introspection).toBe(before)
    })

    it('a header token plus access_token in a form body is refused, although the body source is off', async () => {
      const t = await token()
      for (const body of [`access_token=${t}`, 'x=1&access_token=other', 'access_token=a&access_token=b']) {
        expectInvalidRequest(
          await post(`Authorization: Bearer ${t}\r\n`, body),
          'token sent by more than one method',
        )
      }
      const ok = await post(`Authorization: Bearer ${t}\r\n`, 'x=1')
      expect(ok.status).toBe(200)
    })

    it('a second Authorization header hidden past Node’s header limit is refused, in either order', async () => {
      const t = await token()
      const before = issuer.calls.introspection
      const good = `Authorization: Bearer ${t}\r\n`
      const garbage = 'Authorization: Bearer garbage\r\n'
      expectInvalidRequest(await get('/me', good + fillers(2000) + garbage), 'too many header lines')
      expectInvalidRequest(await get('/me', garbage + fillers(2000) + good), 'too many header lines')
      // Within the limit the duplicate is visible and refused as such.
      expectInvalidRequest(
        await get('/me', good + fillers(500) + garbage),
        'more than one Authorization header',
      )
      expect(issuer.calls.introspection).toBe(before)
      // Many headers, but fewer than Node's limit and one Authorization: accepted.
      expect((await get('/me', good + fillers(900))).status).toBe(200)
    })
  })
})
