// hydrakit demo: mock Hydra + login/consent app + protected API + a client page, on one machine.
//   node dist/demo.js                      start everything and print what to try
//   node dist/demo.js --check              start everything on free ports, run the curl sequence, exit 0/1
//   node dist/demo.js --framework=fastify  the protected API on Fastify (express, koa, fastify, hono;
//                                          DEMO_FRAMEWORK=fastify does the same; default express)
import { createMockHydra, type MockHydra } from '@hydrakit/hydra-mock'
import { createServer, type Server } from 'node:http'
import { chooseFramework, createApi, type Framework } from './api.js'
import { startClientApp } from './client-app.js'
import { startLoginConsent } from './login-consent.js'

const check = process.argv.includes('--check')
let framework: Framework
try {
  framework = chooseFramework(process.argv.slice(2), process.env)
} catch (err) {
  console.error(`demo: ${(err as Error).message}`)
  process.exit(1)
}
const host = '127.0.0.1'
const port = (name: string, fallback: number): number => (check ? 0 : Number(process.env[name] ?? fallback))

interface Running {
  hydra: MockHydra
  servers: Server[]
  closers: Array<() => Promise<void>>
  urls: { public: string; admin: string; login: string; api: string; client: string }
  /** The example serving the protected API. */
  api: string
  service: { id: string; secret: string }
}

function listen(server: Server, p: number): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(p, host, () => {
      const a = server.address()
      resolve(`http://${host}:${typeof a === 'object' && a !== null ? a.port : p}`)
    })
  })
}

async function start(): Promise<Running> {
  // Ports are fixed (overridable) so the printed commands work; --check uses free ports.
  const loginServer = createServer()
  const loginUrl = await listen(loginServer, port('DEMO_LOGIN_PORT', 3000))
  const hydra = await createMockHydra({
    port: port('DEMO_HYDRA_PUBLIC_PORT', 4444),
    adminPort: port('DEMO_HYDRA_ADMIN_PORT', 4445),
    loginUrl: `${loginUrl}/auth/login`,
    consentUrl: `${loginUrl}/auth/consent`,
    logoutUrl: `${loginUrl}/auth/logout`,
  })
  const clientPort = port('DEMO_CLIENT_PORT', 3002)
  const clientServerPort = clientPort === 0 ? await freePort() : clientPort
  const clientUrl = `http://${host}:${clientServerPort}`
  const closeLogin = startLoginConsent(loginServer, {
    hydraAdminUrl: hydra.adminUrl,
    hydraPublicUrl: hydra.publicUrl,
    // "No, stay signed in" on the logout page goes back to the client's result page.
    logoutCancelUrl: `${clientUrl}/result`,
  })

  const api = await createApi(framework, {
    mode: 'introspection',
    adminUrl: hydra.adminUrl,
    issuer: hydra.issuer,
    audience: 'demo-api',
  })
  const apiUrl = await listen(api.server, port('DEMO_API_PORT', 3001))

  // A machine-to-machine client for the curl walk-through…
  const service = hydra.createClient({
    client_id: 'demo-service',
    client_name: 'Demo service',
    grant_types: ['client_credentials'],
    scope: 'read write',
    audience: ['demo-api'],
  })
  // …and a web client for the browser walk-through (its redirect URI is set once the port is known).
  const web = hydra.createClient({
    client_id: 'demo-web',
    client_name: 'Demo web app',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    scope: 'openid offline_access read write',
    audience: ['demo-api'],
    redirect_uris: [`${clientUrl}/callback`],
    post_logout_redirect_uris: [`${clientUrl}/`],
    // Error pages of the login app link back here ("Return to Demo web app").
    client_uri: `${clientUrl}/`,
  })
  const client = await startClientApp({
    port: clientServerPort,
    host,
    hydraPublicUrl: hydra.publicUrl,
    clientId: web.client_id,
    clientSecret: web.client_secret!,
    apiUrl,
    scopes: ['openid', 'offline_access', 'read', 'write'],
    audience: ['demo-api'],
  })
  return {
    hydra,
    servers: [loginServer, api.server, client.server],
    closers: [closeLogin, api.close, () => client.oauth.close()],
    urls: {
      public: hydra.publicUrl,
      admin: hydra.adminUrl,
      login: loginUrl,
      api: apiUrl,
      client: client.url,
    },
    service: { id: service.client_id, secret: service.client_secret! },
    api: api.example,
  }
}

async function freePort(): Promise<number> {
  const s = createServer()
  const url = await listen(s, 0)
  await new Promise<void>((r) => s.close(() => r()))
  return Number(new URL(url).port)
}

function instructions(r: Running): string {
  const token = (scope: string): string =>
    `curl -s -u ${r.service.id}:${r.service.secret} -d grant_type=client_credentials -d scope=${scope} -d audience=demo-api ${r.urls.public}/oauth2/token | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token'`
  return `
hydrakit demo is running (mock Hydra is for development only: never expose it).

  mock Hydra public   ${r.urls.public}      admin ${r.urls.admin}
  login/consent app   ${r.urls.login}/auth
  protected API       ${r.urls.api}          (${r.api}, introspection mode, audience demo-api)
  client page         ${r.urls.client}

In a browser: open ${r.urls.client} and sign in as foo@bar.com / foobar; untick "write" on the
consent page to see the API answer 403 for POST /items.

With curl (a second terminal):
  TOKEN=$(${token('read')})
  curl -i ${r.urls.api}/items -H "Authorization: Bearer $TOKEN"     # 200: scope read
  curl -i ${r.urls.api}/items                                       # 401: no token
  curl -i -X POST ${r.urls.api}/items -H "Authorization: Bearer $TOKEN" \\
       -H 'content-type: application/json' -d '{"name":"x"}'         # 403: needs scope write
  curl -i ${r.urls.api}/items -H "Authorization: Bearer nope"        # 401: invalid_token

Ctrl-C stops everything.
`
}

/** Runs the curl sequence in-process; returns the failures. */
async function selfCheck(r: Running): Promise<string[]> {
  const failures: string[] = []
  console.log(`protected API: ${r.api}`)
  const tokenRes = await fetch(`${r.urls.public}/oauth2/token`, {
    method: 'POST',
    headers: {
      authorization: 'Basic ' + Buffer.from(`${r.service.id}:${r.service.secret}`).toString('base64'),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials&scope=read&audience=demo-api',
  })
  const token = ((await tokenRes.json()) as { access_token?: string }).access_token
  if (tokenRes.status !== 200 || token === undefined) return [`token endpoint answered ${tokenRes.status}`]
  const expect = async (what: string, want: number, init: RequestInit & { path: string }): Promise<void> => {
    const res = await fetch(r.urls.api + init.path, init)
    if (res.status !== want) failures.push(`${what}: expected ${want}, got ${res.status}`)
    else console.log(`ok  ${what} → ${want}`)
  }
  const bearer = { authorization: `Bearer ${token}` }
  await expect('GET /items with a read token', 200, { path: '/items', headers: bearer })
  await expect('GET /items without a token', 401, { path: '/items' })
  await expect('POST /items with a read-only token', 403, {
    path: '/items',
    method: 'POST',
    headers: { ...bearer, 'content-type': 'application/json' },
    body: '{"name":"x"}',
  })
  await expect('GET /items with a garbage token', 401, {
    path: '/items',
    headers: { authorization: 'Bearer nope' },
  })
  const client = await fetch(r.urls.client)
  if (client.status !== 200) failures.push(`client page answered ${client.status}`)
  const login = await fetch(`${r.urls.client}/login`, { redirect: 'manual' })
  const location = login.headers.get('location') ?? ''
  if (login.status !== 302 || !location.startsWith(`${r.urls.public}/oauth2/auth?`)) {
    failures.push('client sign-in does not redirect to Hydra')
    return failures
  }
  // Hydra sends the browser on to the login page with a login_challenge.
  const authorize = await fetch(location, { redirect: 'manual' })
  const loginPage = authorize.headers.get('location') ?? ''
  if (!loginPage.startsWith(`${r.urls.login}/auth/login?login_challenge=`)) {
    failures.push(`Hydra did not redirect to the login app (status ${authorize.status})`)
    return failures
  }
  const form = await fetch(loginPage)
  const html = await form.text()
  if (form.status !== 200 || !html.includes('<form')) failures.push(`login page answered ${form.status}`)
  else console.log('ok  sign-in reaches the login form')
  return failures
}

async function stop(r: Running): Promise<void> {
  for (const s of r.servers) s.closeAllConnections()
  await Promise.all(r.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))))
  await Promise.all(r.closers.map((c) => c()))
  await r.hydra.close()
}

const running = await start().catch((err: unknown) => {
  const code = (err as { code?: string }).code
  console.error(
    code === 'EADDRINUSE'
      ? `demo: a port is in use (${String((err as Error).message)}). Set DEMO_HYDRA_PUBLIC_PORT, DEMO_HYDRA_ADMIN_PORT, DEMO_LOGIN_PORT, DEMO_API_PORT or DEMO_CLIENT_PORT.`
      : `demo: could not start: ${String(err)}`,
  )
  process.exit(1)
})

if (check) {
  const failures = await selfCheck(running)
  await stop(running)
  for (const f of failures) console.error(`FAIL ${f}`)
  process.exit(failures.length === 0 ? 0 : 1)
} else {
  console.log(instructions(running))
  let stopping = false
  const shutdown = (): void => {
    if (stopping) return
    stopping = true
    void stop(running).then(() => process.exit(0))
  }
  process.on('SIGINT', shutdown)
  process.on('SIGTERM', shutdown)
  process.on('SIGHUP', shutdown)
  // Started by scripts/demo.mjs (pnpm demo) with an IPC channel: when that parent goes away, however
  // it went, stop too instead of holding the ports.
  process.on('disconnect', shutdown)
}
