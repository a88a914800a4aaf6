// A route that calls the Hydra admin client and lets its error escape to the framework's default
// handler must answer as a gateway (502, or 503 when Hydra is down), never with Hydra's own status:
// Hydra's 404 for an unknown client or its 401 for an expired login challenge is not the app's 404
// or 401. Real Express and Koa apps, the mock Hydra as a real server, no error handler of our own.
import { createHash, randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express4 from 'express4'
import express5 from 'express'
import Koa2 from 'koa2'
import Koa3 from 'koa'
import { createHydraAdminClient, type HydraAdminClient } from '@hydrakit/core/hydra'
import { createMockHydra, type MockHydra } from '@hydrakit/hydra-mock'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FRAMEWORKS, type Framework } from '../support/apps.js'

const REDIRECT_URI = 'http://127.0.0.1:1/callback'

let hydra: MockHydra
let admin: HydraAdminClient
let down: HydraAdminClient
let clientId: string

/** A port that refuses connections: the address of a server that was started and closed. */
async function closedPortUrl(): Promise<string> {
  const s = createServer()
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  const { port } = s.address() as AddressInfo
  await new Promise<void>((resolve) => s.close(() => resolve()))
  return `http://127.0.0.1:${port}`
}

/** Starts an authorization request at the mock and returns its login challenge. */
async function loginChallenge(): Promise<string> {
  const u = new URL(`${hydra.publicUrl}/oauth2/auth`)
  u.searchParams.set('response_type', 'code')
  u.searchParams.set('client_id', clientId)
  u.searchParams.set('redirect_uri', REDIRECT_URI)
  u.searchParams.set('scope', 'openid')
  u.searchParams.set('state', randomBytes(12).toString('base64url'))
  const verifier = randomBytes(32).toString('base64url')
  u.searchParams.set('code_challenge', createHash('sha256').update(verifier).digest('base64url'))
  u.searchParams.set('code_challenge_method', 'S256')
  const res = await fetch(u, { redirect: 'manual' })
  const challenge = new URL(res.headers.get('location') ?? '').searchParams.get('login_challenge')
  if (challenge === null) throw new Error(`no login challenge (status ${res.status})`)
  return challenge
}

/** GET /client/:id and GET /login/:challenge call the admin client and do not catch its errors. */
function appServer(framework: Framework): Server {
  const clientOf = (id: string): HydraAdminClient => (id === 'when-hydra-is-down' ? down : admin)
  if (framework.startsWith('express')) {
    const app = framework === 'express4' ? (express4() as unknown as express5.Express) : express5()
    // Production mode: the default handler answers with the status text, not the stack.
    app.set('env', 'production')
    // Express 4 does not see a rejected promise: hand the error to `next`, the default handler.
    app.get('/client/:id', (req, res, next) => {
      clientOf(req.params.id)
        .getOAuth2Client(req.params.id)
        .then((c) => res.json(c), next)
    })
    app.get('/login/:challenge', (req, res, next) => {
      admin.getOAuth2LoginRequest(req.params.challenge).then((r) => res.json(r), next)
    })
    return createServer(app)
  }
  const app = framework === 'koa2' ? (new Koa2() as unknown as Koa3) : new Koa3()
  app.silent = true
  app.use(async (ctx) => {
    const [, route, arg] = ctx.path.split('/')
    if (route === 'client' && arg !== undefined) ctx.body = await clientOf(arg).getOAuth2Client(arg)
    else if (route === 'login' && arg !== undefined) ctx.body = await admin.getOAuth2LoginRequest(arg)
  })
  const handle = app.callback()
  return createServer((req, res) => {
    void handle(req, res)
  })
}

beforeAll(async () => {
  hydra = await createMockHydra({
    loginUrl: 'http://127.0.0.1:1/login',
    consentUrl: 'http://127.0.0.1:1/consent',
    ttl: { loginConsentRequest: 60 },
  })
  admin = createHydraAdminClient({ adminUrl: hydra.adminUrl })
  down = createHydraAdminClient({ adminUrl: await closedPortUrl(), retries: 0 })
  const client = await admin.createOAuth2Client({
    grant_types: ['authorization_code'],
    response_types: ['code'],
    redirect_uris: [REDIRECT_URI],
    scope: 'openid',
    token_endpoint_auth_method: 'none',
  })
  clientId = client.client_id as string
})

afterAll(async () => {
  await admin.close()
  await down.close()
  await hydra.close()
})

describe.each(FRAMEWORKS)('%s: an uncaught HydraError answers as a gateway', (framework) => {
  let server: Server
  let url: string

  beforeAll(async () => {
    server = appServer(framework)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })

  it("Hydra's 404 (unknown client) is the app's 502, with no Hydra text in the body", async () => {
    const res = await fetch(`${url}/client/no-such-client`)
    expect(res.status).toBe(502)
    const body = await res.text()
    expect(body).not.toMatch(/not found|unable to locate|no-such-client/i)
  })

  it("Hydra's 401 (expired login challenge) is the app's 502, not a 401", async () => {
    const challenge = await loginChallenge()
    // The challenge is valid now ...
    expect((await fetch(`${url}/login/${challenge}`)).status).toBe(200)
    // ... and expired once the mock's clock has moved past ttl.loginConsentRequest.
    hydra.advanceTime(61)
    try {
      const res = await fetch(`${url}/login/${challenge}`)
      expect(res.status).toBe(502)
      expect(res.headers.get('www-authenticate')).toBeNull()
      expect(await res.text()).not.toMatch(/expired|request_unauthorized/i)
    } finally {
      hydra.advanceTime(-61)
    }
  })

  it("Hydra unreachable is the app's 503", async () => {
    const res = await fetch(`${url}/client/when-hydra-is-down`)
    expect(res.status).toBe(503)
  })
})
