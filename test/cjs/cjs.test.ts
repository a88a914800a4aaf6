// CommonJS consumers: test/cjs/app.cjs require()s @hydrakit/core and @hydrakit/express (ESM-only
// packages, built to dist/ by `tsc -b`) through require(esm), which Node enables by default from
// 20.19 and 22.12. The app runs as a child process and is exercised over HTTP.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { createMockHydra, type MockHydra } from '@hydrakit/hydra-mock'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const APP = fileURLToPath(new URL('./app.cjs', import.meta.url))
const DIST = ['core', 'express'].map((p) =>
  fileURLToPath(new URL(`../../packages/${p}/dist/index.js`, import.meta.url)),
)

interface Started {
  child: ChildProcess
  base: string
  stderr: () => string
}

function startApp(env: Record<string, string>): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [APP], {
      cwd: fileURLToPath(new URL('.', import.meta.url)),
      env: { ...process.env, ...env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`app.cjs did not start within 15 s\n${err}`))
    }, 15_000)
    child.stderr.on('data', (c: Buffer) => (err += c.toString()))
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString()
      const m = /listening (\d+)/.exec(out)
      if (m !== null) {
        clearTimeout(timer)
        resolve({ child, base: `http://127.0.0.1:${m[1]}`, stderr: () => err })
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`app.cjs exited with ${code}\n${err}`))
    })
  })
}

describe('a CommonJS app (require) on Node >= 20.19', () => {
  let mock: MockHydra
  let app: Started

  beforeAll(async () => {
    const missing = DIST.filter((f) => !existsSync(f))
    if (missing.length > 0) throw new Error(`build first (npx tsc -b): missing ${missing.join(', ')}`)
    mock = await createMockHydra()
    app = await startApp({ HYDRA_ADMIN_URL: mock.adminUrl })
  })
  afterAll(async () => {
    if (app !== undefined && app.child.exitCode === null) {
      const exited = new Promise((r) => app.child.once('exit', r))
      app.child.kill('SIGTERM')
      await exited
    }
    await mock?.close()
  })

  it('loads both packages with require()', async () => {
    const info = await (await fetch(`${app.base}/info`)).json()
    expect(info).toMatchObject({
      requireModule: true,
      coreExports: ['createIntrospectionVerifier', 'createJwtVerifier', 'createPrometheusHooks'],
      errorClass: true,
    })
  })

  it('401 without a token, 401 for a bad one, 403 without the scope, 200 with it', async () => {
    const get = (token?: string): Promise<Response> =>
      fetch(`${app.base}/orders`, {
        headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
      })

    const none = await get()
    expect(none.status).toBe(401)
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="api"')

    const bad = await get('ory_at_not-issued-by-hydra')
    expect(bad.status).toBe(401)
    expect(bad.headers.get('www-authenticate')).toContain('error="invalid_token"')
    expect(await bad.json()).toEqual({
      error: 'invalid_token',
      error_description: 'the access token is not active',
    })

    const { accessToken: profileOnly } = await mock.issueToken({
      subject: 'bob',
      scopes: ['profile'],
      audience: ['orders-api'],
    })
    expect((await get(profileOnly)).status).toBe(403)

    const { accessToken } = await mock.issueToken({
      subject: 'alice',
      scopes: ['orders:read'],
      audience: ['orders-api'],
    })
    const ok = await get(accessToken)
    expect(ok.status).toBe(200)
    expect(await ok.json()).toEqual({ subject: 'alice', module: 'object' })

    const info = (await (await fetch(`${app.base}/info`)).json()) as { rejections: string[] }
    expect(info.rejections).toEqual(['inactive'])
    expect(app.stderr()).not.toMatch(/Error \[ERR_REQUIRE_ESM\]|ERR_REQUIRE_ASYNC_MODULE/)
  })
})
