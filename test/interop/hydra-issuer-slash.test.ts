// Hydra's issuer with and without its trailing slash, through discovery: the mock Hydra publishes
// `issuer` verbatim in its discovery document and in every token, as Hydra v2+ does.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMockHydra, type MockHydra } from '@hydrakit/hydra-mock'
import { startApp, type RunningApp, type SharedOptions } from '../support/apps.js'

const AUDIENCE = 'https://api.example.test'

/** A port that was free a moment ago (the mock's issuer must name its own port before it starts). */
async function freePort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  const { port } = s.address() as AddressInfo
  await new Promise<void>((resolve) => s.close(() => resolve()))
  return port
}

async function status(app: RunningApp, token: string): Promise<number> {
  return (await fetch(`${app.url}/read`, { headers: { authorization: `Bearer ${token}` } })).status
}

describe.each([
  ['with', true],
  ['without', false],
])('mock Hydra %s the trailing slash', (_name, slash) => {
  let mock: MockHydra
  const apps: RunningApp[] = []
  beforeAll(async () => {
    const port = await freePort()
    const base = `http://127.0.0.1:${port}`
    mock = await createMockHydra({ port, issuer: slash ? `${base}/` : base })
  })
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()))
    await mock.close()
  })
  const start = async (options: SharedOptions): Promise<RunningApp> => {
    const app = await startApp('express5', options)
    apps.push(app)
    return app
  }
  const issue = async (strategy: 'jwt' | 'opaque'): Promise<string> =>
    (await mock.issueToken({ scopes: ['read'], audience: [AUDIENCE], strategy })).accessToken

  it('the issuer spelled exactly: JWT (keys found by discovery) and hybrid', async () => {
    expect(mock.issuer.endsWith('/')).toBe(slash)
    const jwt = await start({ mode: 'jwt', issuer: mock.issuer, audience: AUDIENCE })
    expect(await status(jwt, await issue('jwt'))).toBe(200)
    const hybrid = await start({
      mode: 'hybrid',
      issuer: mock.issuer,
      audience: AUDIENCE,
      adminUrl: mock.adminUrl,
    })
    expect(await status(hybrid, await issue('jwt'))).toBe(200)
    expect(await status(hybrid, await issue('opaque'))).toBe(200)
  })

  it('the other spelling: 503 (a configuration error, not the client’s), or 200 when tolerated', async () => {
    const other = slash ? mock.issuer.slice(0, -1) : `${mock.issuer}/`
    const strict = await start({ mode: 'jwt', issuer: other, audience: AUDIENCE })
    expect(await status(strict, await issue('jwt'))).toBe(503)
    const tolerant = await start({
      mode: 'hybrid',
      issuer: other,
      audience: AUDIENCE,
      adminUrl: mock.adminUrl,
      tolerateIssuerTrailingSlash: true,
    })
    expect(await status(tolerant, await issue('jwt'))).toBe(200)
    expect(await status(tolerant, await issue('opaque'))).toBe(200)
  })
})
