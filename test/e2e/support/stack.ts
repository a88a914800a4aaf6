import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import Koa from 'koa'
import { createHydraAdminClient, type HydraAdminClient } from '@hydrakit/core/hydra'
import { type AuthenticateInput } from '@hydrakit/core/flows'
import { loginConsentRouter as expressRouter, type LoginConsentRouterOptions } from '@hydrakit/express'
import { loginConsentRouter as koaRouter } from '@hydrakit/koa'
import { createMockHydra, type MockHydra } from '@hydrakit/hydra-mock'
import { loginConsentRoutes as fastifyRoutes } from '@hydrakit/fastify'
import { loginConsentHandler as webHandler } from '@hydrakit/web'
import Fastify from 'fastify'
import { Hono } from 'hono'
import { getRequestListener } from '@hono/node-server'
import { createApp } from '../../../examples/express-api/src/app.js'
import { startClientApp, type ClientApp } from './client-app.js'

export type LoginFramework = 'express' | 'koa' | 'fastify' | 'hono'

/** Everything the browser talks to: mock Hydra, our login/consent app, the client app, the API. */
export interface Stack {
  hydra: MockHydra
  admin: HydraAdminClient
  client: ClientApp
  /** Base URL of the login/consent app (routes under `/auth`). */
  loginAppUrl: string
  /** Switches the login/consent app between the Express, Koa, Fastify and Hono (Web) handlers. */
  use(framework: LoginFramework): void
  /** How many times the `authenticate` hook ran (i.e. the login form was submitted). */
  readonly authentications: number
  close(): Promise<void>
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void

function listen(handler: Handler): Promise<{ server: Server; url: string }> {
  const server = createServer(handler)
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })
    })
  })
}

function close(server: Server): Promise<void> {
  server.closeAllConnections()
  return new Promise((resolve) => server.close(() => resolve()))
}

export async function startStack(): Promise<Stack> {
  let current: Handler = (_req, res) => {
    res.writeHead(503)
    res.end()
  }
  const login = await listen((req, res) => current(req, res))
  const hydra = await createMockHydra({
    loginUrl: `${login.url}/auth/login`,
    consentUrl: `${login.url}/auth/consent`,
    logoutUrl: `${login.url}/auth/logout`,
  })
  const admin = createHydraAdminClient({ adminUrl: hydra.adminUrl, retries: 0 })

  const api = createApp({ mode: 'introspection', adminUrl: hydra.adminUrl, audience: false })
  const apiServer = await listen(api.app)
  const client = await startClientApp(hydra.publicUrl, apiServer.url)
  const registered = hydra.createClient({
    client_name: 'E2E Client',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    scope: 'openid offline_access read write admin',
    redirect_uris: [`${client.url}/callback`],
    post_logout_redirect_uris: [`${client.url}/bye`],
    token_endpoint_auth_method: 'client_secret_basic',
  })
  client.configure(registered.client_id, registered.client_secret!)

  let authentications = 0
  const options: LoginConsentRouterOptions = {
    admin,
    hydraPublicUrl: hydra.publicUrl,
    csrfSecret: 'e2e-csrf-secret-e2e-csrf-secret-e2e-csrf-secret',
    authenticate: ({ username, password }: AuthenticateInput) => {
      authentications++
      return username === 'foo@bar.com' && password === 'foobar'
        ? { subject: 'foo@bar.com', amr: ['pwd'] }
        : null
    },
    claims: ({ grantedScopes }) => ({ accessToken: { scopes: grantedScopes.length } }),
  }
  const expressApp = express()
  expressApp.use('/auth', expressRouter(options))
  const koaApp = new Koa()
  koaApp.silent = true
  koaApp.use(koaRouter({ ...options, prefix: '/auth' }))
  const koaHandle = koaApp.callback()
  // Fastify hands its request handler to the server factory; the shared listener calls it.
  let fastifyHandle: Handler = (_req, res) => res.writeHead(503).end()
  const fastifyApp = Fastify({
    serverFactory: (handler) => {
      fastifyHandle = handler
      return createServer()
    },
  })
  await fastifyApp.register(fastifyRoutes(options), { prefix: '/auth' })
  await fastifyApp.ready()
  const flows = webHandler({ ...options, prefix: '/auth' })
  const honoApp = new Hono()
  honoApp.all('/auth/*', async (c) => (await flows(c.req.raw)) ?? c.notFound())
  const honoListener = getRequestListener(honoApp.fetch)
  const handlers: Record<LoginFramework, Handler> = {
    express: expressApp,
    koa: (req, res) => {
      void koaHandle(req, res)
    },
    fastify: (req, res) => fastifyHandle(req, res),
    hono: (req, res) => {
      void honoListener(req, res)
    },
  }
  current = handlers.express

  return {
    hydra,
    admin,
    client,
    loginAppUrl: login.url,
    use(framework) {
      current = handlers[framework]
    },
    get authentications() {
      return authentications
    },
    async close() {
      await client.close()
      await close(apiServer.server)
      await api.close()
      await close(login.server)
      await fastifyApp.close()
      await admin.close()
      await hydra.close()
    },
  }
}
