// Each package README opens with a copy-paste example. This test runs those examples as written —
// only the Hydra URLs and the port are swapped for local ones — against a real local issuer.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestIssuer, type TestIssuer } from '../support/issuer.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

function firstTsBlock(readme: string): string {
  const m = /```ts\n([\s\S]*?)```/.exec(readFileSync(join(root, readme), 'utf8'))
  if (m === null) throw new Error(`${readme} has no ts example`)
  return m[1]!
}

async function freePort(): Promise<number> {
  const srv = createServer()
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  const port = (srv.address() as { port: number }).port
  await new Promise<void>((r) => srv.close(() => r()))
  return port
}

let issuer: TestIssuer
const children: ChildProcess[] = []
// Inside test/ so that the example's imports resolve to this workspace's packages.
const dir = mkdtempSync(join(root, 'test', '.readme-'))

beforeAll(async () => {
  issuer = await startTestIssuer()
})
afterAll(async () => {
  for (const c of children) c.kill()
  rmSync(dir, { recursive: true, force: true })
  await issuer?.close()
})

async function run(readme: string): Promise<string> {
  const port = await freePort()
  const code = firstTsBlock(readme)
    .replaceAll('https://hydra.example.com', issuer.issuer)
    .replaceAll('http://hydra:4445', issuer.adminUrl)
    .replace(/\.listen\(3000\)/, `.listen(${port}, '127.0.0.1')`)
    .replace(/\.listen\(\{ port: 3000 \}\)/, `.listen({ port: ${port}, host: '127.0.0.1' })`)
    .replace(
      /serve\(\{ fetch: app\.fetch, port: 3000 \}\)/,
      `serve({ fetch: app.fetch, port: ${port}, hostname: '127.0.0.1' })`,
    )
  const file = join(dir, readme.replace(/\W+/g, '-') + '.mjs')
  writeFileSync(file, code)
  const child = spawn(process.execPath, [file], { stdio: ['ignore', 'ignore', 'pipe'] })
  children.push(child)
  let stderr = ''
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
  const url = `http://127.0.0.1:${port}`
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`${readme} example exited: ${stderr}`)
    try {
      await fetch(url)
      return url
    } catch {
      await new Promise((r) => setTimeout(r, 50))
    }
  }
  throw new Error(`${readme} example did not start: ${stderr}`)
}

describe('README examples work as written', () => {
  it('packages/express/README.md', async () => {
    const url = await run('packages/express/README.md')
    const good = await issuer.jwt({ scp: ['orders.read'], aud: ['orders-api'] })
    expect((await fetch(`${url}/health`)).status).toBe(200)
    expect((await fetch(`${url}/orders`)).status).toBe(401)
    const ok = await fetch(`${url}/orders`, { headers: { authorization: `Bearer ${good}` } })
    expect(ok.status).toBe(200)
    expect(await ok.json()).toEqual({ owner: 'alice' })
    const otherApi = await issuer.jwt({ scp: ['orders.read'], aud: ['billing'] })
    expect((await fetch(`${url}/orders`, { headers: { authorization: `Bearer ${otherApi}` } })).status).toBe(
      401,
    )
  })

  it('packages/koa/README.md', async () => {
    const url = await run('packages/koa/README.md')
    const good = issuer.opaque({ scope: 'orders.read', aud: ['orders-api'] })
    const res = await fetch(url, { headers: { authorization: `Bearer ${good}` } })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ owner: 'alice' })
    const noScope = issuer.opaque({ scope: 'profile', aud: ['orders-api'] })
    expect((await fetch(url, { headers: { authorization: `Bearer ${noScope}` } })).status).toBe(403)
  })

  it('packages/fastify/README.md', async () => {
    const url = await run('packages/fastify/README.md')
    const good = await issuer.jwt({ scp: ['orders.read'], aud: ['orders-api'] })
    expect((await fetch(`${url}/health`)).status).toBe(200)
    expect((await fetch(`${url}/orders`)).status).toBe(401)
    const ok = await fetch(`${url}/orders`, { headers: { authorization: `Bearer ${good}` } })
    expect(ok.status).toBe(200)
    expect(await ok.json()).toEqual({ owner: 'alice' })
    const del = await fetch(`${url}/orders/1`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${good}` },
    })
    expect(del.status).toBe(403)
  })

  it('packages/web/README.md', async () => {
    const url = await run('packages/web/README.md')
    const good = issuer.opaque({ scope: 'orders.read', aud: ['orders-api'] })
    expect((await fetch(`${url}/health`)).status).toBe(200)
    const res = await fetch(`${url}/orders`, { headers: { authorization: `Bearer ${good}` } })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ owner: 'alice' })
    const noScope = issuer.opaque({ scope: 'profile', aud: ['orders-api'] })
    expect((await fetch(`${url}/orders`, { headers: { authorization: `Bearer ${noScope}` } })).status).toBe(
      403,
    )
  })

  it('packages/core/README.md', async () => {
    const url = await run('packages/core/README.md')
    const good = await issuer.jwt({ scp: ['read'] })
    const res = await fetch(url, { headers: { authorization: `Bearer ${good}` } })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ hello: 'alice' })
    const missing = await fetch(url)
    expect(missing.status).toBe(401)
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="api"')
  })
})
