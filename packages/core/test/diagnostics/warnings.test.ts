// Loud when misconfigured: each mistake of the issue, set up for real against the mock Hydra,
// produces a warning that names it, once, then at most once per interval.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createMockHydra, type MockHydra } from '../../../hydra-mock/src/index.js'
import {
  createIntrospectionVerifier,
  createJwtVerifier,
  createVerifier,
  type HydrakitWarning,
  type TokenVerifier,
} from '../../src/index.js'

let mock: MockHydra
let opened: TokenVerifier[] = []
let closedPort: string

beforeAll(async () => {
  mock = await createMockHydra({ accessTokenStrategy: 'jwt' })
  const probe: Server = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  closedPort = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`
  await new Promise<void>((resolve) => probe.close(() => resolve()))
})
afterAll(() => mock.close())
afterEach(async () => {
  vi.useRealTimers()
  for (const v of opened) await v.close?.()
  opened = []
})

function collect(): { warnings: HydrakitWarning[]; onWarning: (w: HydrakitWarning) => void } {
  const warnings: HydrakitWarning[] = []
  return { warnings, onWarning: (w) => warnings.push(w) }
}
function keep<V extends TokenVerifier>(v: V): V {
  opened.push(v)
  return v
}
const slashless = (): string => mock.issuer.replace(/\/$/, '')
const token = async (): Promise<string> =>
  (await mock.issueToken({ scopes: ['read'], audience: ['orders'] })).accessToken

describe('misconfiguration warnings', () => {
  it('JWKS 404 (issuer typo): names the URL fetched and asks whether the issuer is right', async () => {
    const { warnings, onWarning } = collect()
    const issuer = `${slashless()}/typo`
    const v = keep(createJwtVerifier({ issuer, audience: 'orders', warnings: { onWarning } }))
    await expect(v.verify(await token())).rejects.toMatchObject({ status: 503 })
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatchObject({
      code: 'HYDRAKIT_JWKS_UNAVAILABLE',
      url: `${issuer}/.well-known/jwks.json`,
      cause: 'HTTP 404',
      hint: `is the issuer right? fetched ${issuer}/.well-known/jwks.json`,
    })
    expect(warnings[0]!.message).toContain(
      `GET ${issuer}/.well-known/jwks.json: HTTP 404 (is the issuer right?`,
    )
  })

  it('reports the first failure, then at most one per interval', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const { warnings, onWarning } = collect()
    const v = keep(
      createJwtVerifier({
        issuer: `${slashless()}/typo`,
        audience: 'orders',
        cooldownMs: 1000,
        warnings: { onWarning, intervalMs: 60_000 },
      }),
    )
    const t = await token()
    await expect(v.verify(t)).rejects.toMatchObject({ status: 503 })
    vi.setSystemTime(Date.now() + 2000) // past the cooldown: fetched again, fails again
    await expect(v.verify(t)).rejects.toMatchObject({ status: 503 })
    expect(warnings).toHaveLength(1)
    vi.setSystemTime(Date.now() + 60_000) // past the interval
    await expect(v.verify(t)).rejects.toMatchObject({ status: 503 })
    expect(warnings).toHaveLength(2)
  })

  it('an unreachable issuer: the discovery URL, the connection error and a reachability hint', async () => {
    const { warnings, onWarning } = collect()
    const v = keep(createJwtVerifier({ issuer: closedPort, audience: 'orders', warnings: { onWarning } }))
    await expect(v.verify(await token())).rejects.toMatchObject({ status: 503 })
    const url = `${closedPort}/.well-known/openid-configuration`
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatchObject({
      code: 'HYDRAKIT_DISCOVERY_UNAVAILABLE',
      url,
      hint: `is the issuer reachable from this host? fetched ${url}`,
    })
    expect(warnings[0]?.cause).toMatch(/ECONNREFUSED/)
    expect(warnings[0]?.message).toContain(`hydrakit: issuer discovery failed: GET ${url}: `)
  })

  it('an unreachable issuer with discovery off: the JWKS URL and a reachability hint', async () => {
    const { warnings, onWarning } = collect()
    const v = keep(
      createJwtVerifier({
        issuer: closedPort,
        audience: 'orders',
        discovery: false,
        warnings: { onWarning },
      }),
    )
    await expect(v.verify(await token())).rejects.toMatchObject({ status: 503 })
    expect(warnings).toHaveLength(1)
    expect(warnings[0]?.code).toBe('HYDRAKIT_JWKS_UNAVAILABLE')
    expect(warnings[0]?.hint).toBe(
      `is the issuer reachable from this host? fetched ${closedPort}/.well-known/jwks.json`,
    )
    expect(warnings[0]?.cause).toMatch(/connection failed|ECONNREFUSED/)
  })

  it("introspection on the public port (404): says Hydra's admin API listens on another port", async () => {
    const { warnings, onWarning } = collect()
    const v = keep(
      createIntrospectionVerifier({ adminUrl: mock.publicUrl, audience: false, warnings: { onWarning } }),
    )
    await expect(v.verify('ory_at_whatever')).rejects.toMatchObject({ status: 503 })
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatchObject({ code: 'HYDRAKIT_INTROSPECTION_UNAVAILABLE', cause: 'HTTP 404' })
    expect(warnings[0]!.message).toContain("Hydra's admin API listens on another port")
    expect(warnings[0]!.url).toBe(`${mock.publicUrl.replace(/\/$/, '')}/admin/oauth2/introspect`)
  })

  it('an issuer that differs only by a trailing slash is named as such (discovery finds it)', async () => {
    const { warnings, onWarning } = collect()
    const other = mock.issuer.endsWith('/') ? slashless() : `${mock.issuer}/`
    const v = keep(createJwtVerifier({ issuer: other, audience: 'orders', warnings: { onWarning } }))
    // The discovery document names Hydra's own spelling: refused, so no key is ever fetched.
    await expect(v.verify(await token())).rejects.toMatchObject({ status: 503 })
    expect(warnings).toHaveLength(1)
    expect(warnings[0]!.code).toBe('HYDRAKIT_ISSUER_TRAILING_SLASH')
    expect(warnings[0]!.url).toBe(`${slashless()}/.well-known/openid-configuration`)
    expect(warnings[0]!.message).toContain('differ only by a trailing slash')
    expect(warnings[0]!.message).toContain(JSON.stringify(mock.issuer))
    expect(warnings[0]!.hint).toContain('tolerateIssuerTrailingSlash')
  })

  it('an issuer that differs only by a trailing slash, keys pinned: named when a token arrives', async () => {
    const { warnings, onWarning } = collect()
    const other = mock.issuer.endsWith('/') ? slashless() : `${mock.issuer}/`
    const v = keep(
      createJwtVerifier({
        issuer: other,
        audience: 'orders',
        jwksUri: `${slashless()}/.well-known/jwks.json`,
        warnings: { onWarning },
      }),
    )
    await expect(v.verify(await token())).rejects.toMatchObject({ status: 401, reason: 'issuer' })
    expect(warnings).toHaveLength(1)
    expect(warnings[0]!.code).toBe('HYDRAKIT_ISSUER_TRAILING_SLASH')
    expect(warnings[0]!.message).toContain('differ only by a trailing slash')
    expect(warnings[0]!.message).toContain(JSON.stringify(mock.issuer))
    expect(warnings[0]!.hint).toContain('tolerateIssuerTrailingSlash')
  })

  it('a working configuration warns about nothing', async () => {
    const { warnings, onWarning } = collect()
    const v = keep(
      createJwtVerifier({
        issuer: mock.issuer,
        audience: 'orders',
        warnings: { onWarning },
        jwksUri: `${slashless()}/.well-known/jwks.json`,
      }),
    )
    const foreign = await mock.issueToken({ scopes: ['read'], audience: ['orders'] })
    await expect(v.verify(foreign.accessToken)).resolves.toMatchObject({ subject: expect.any(String) })
    expect(warnings).toEqual([])
  })

  it("an opaque ory_at_ token in JWT mode: use mode 'introspection' or 'hybrid'", async () => {
    const opaqueHydra = await createMockHydra()
    try {
      const { warnings, onWarning } = collect()
      const v = keep(
        createVerifier({ mode: 'jwt', issuer: opaqueHydra.issuer, audience: false, warnings: { onWarning } }),
      )
      const { accessToken } = await opaqueHydra.issueToken({ scopes: ['read'] })
      expect(accessToken.startsWith('ory_at_')).toBe(true)
      await expect(v.verify(accessToken)).rejects.toMatchObject({ status: 401, reason: 'malformed' })
      expect(warnings).toHaveLength(1)
      expect(warnings[0]!.code).toBe('HYDRAKIT_OPAQUE_TOKEN_IN_JWT_MODE')
      expect(warnings[0]!.message).toContain(
        "Hydra issues opaque tokens unless strategies.access_token is jwt: use mode 'introspection' or 'hybrid'",
      )
      // Any other malformed token says nothing.
      await expect(v.verify('not-a-token')).rejects.toMatchObject({ reason: 'malformed' })
      expect(warnings).toHaveLength(1)
    } finally {
      await opaqueHydra.close()
    }
  })

  it('by default goes to process.emitWarning with a code; warnings: false silences it', async () => {
    const seen: Array<Error & { code?: string }> = []
    const listener = (w: Error & { code?: string }): void => {
      if (w.name === 'HydrakitWarning') seen.push(w)
    }
    process.on('warning', listener)
    try {
      const issuer = `${slashless()}/typo-default`
      const loud = keep(createVerifier({ mode: 'jwt', issuer, audience: 'orders' }))
      await expect(loud.verify(await token())).rejects.toMatchObject({ status: 503 })
      await vi.waitFor(() => expect(seen).toHaveLength(1))
      expect(seen[0]!.code).toBe('HYDRAKIT_JWKS_UNAVAILABLE')
      expect(seen[0]!.message).toContain('is the issuer right?')

      const quiet = keep(
        createVerifier({ mode: 'jwt', issuer: `${issuer}-2`, audience: 'orders', warnings: false }),
      )
      await expect(quiet.verify(await token())).rejects.toMatchObject({ status: 503 })
      await new Promise((resolve) => setImmediate(resolve))
      expect(seen).toHaveLength(1)
    } finally {
      process.off('warning', listener)
    }
  })

  it('a throwing logger never fails the request', async () => {
    const v = keep(
      createJwtVerifier({
        issuer: `${slashless()}/typo`,
        audience: 'orders',
        warnings: {
          onWarning: () => {
            throw new Error('logger down')
          },
        },
      }),
    )
    await expect(v.verify(await token())).rejects.toMatchObject({ status: 503 })
  })
})

describe('warning text from outside', () => {
  it('is sanitised: no line breaks, control or bidi characters reach the log', async () => {
    const { createWarningHooks } = await import('../../src/diagnostics/warnings.js')
    const { warnings, onWarning } = collect()
    const hooks = createWarningHooks({ onWarning })
    const cause = new Error('token endpoint said\r\n(node:1) [FORGED] line\u001b[31m\u202e')
    hooks.onUpstream!({
      kind: 'token',
      method: 'POST',
      url: 'http://idp.example/token\n',
      status: 400,
      durationMs: 1,
      error: cause,
    })
    expect(warnings).toHaveLength(1)
    const text = warnings[0]!.message
    for (const c of ['\r', '\n', '\u001b', '\u202e']) expect(text).not.toContain(c)
    expect(text).toContain('token endpoint said\\r\\n(node:1) [FORGED] line\\x1b[31m\\u202e')
  })
})
