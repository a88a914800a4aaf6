// Safe by default and loud when misconfigured, through every adapter's hydra() facade: unknown or
// misplaced options fail at startup, ready() names the broken upstream, and clients see a plain
// 503 (never the operator's hints).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hydra as expressHydra } from '@hydrakit/express'
import { hydra as koaHydra } from '@hydrakit/koa'
import { createMockHydra, type MockHydra } from '@hydrakit/hydra-mock'
import type { HydrakitWarning } from '@hydrakit/core'
import { FRAMEWORKS, startApp, type RunningApp } from '../support/apps.js'

let mock: MockHydra
beforeAll(async () => {
  mock = await createMockHydra({ accessTokenStrategy: 'jwt' })
})
afterAll(() => mock.close())

const js = (value: Record<string, unknown>): never => value as never
const ADAPTERS = [
  ['express', expressHydra],
  ['koa', koaHydra],
] as const

describe.each(ADAPTERS)('%s hydra()', (_name, hydra) => {
  it('refuses a top-level algorithms list, pointing at jwt.algorithms', () => {
    expect(() =>
      hydra(js({ mode: 'jwt', issuer: mock.issuer, audience: 'orders', algorithms: ['ES256'] })),
    ).toThrow('algorithms is not a known option: did you mean `jwt.algorithms`?')
  })

  it("refuses express-oauth2-jwt-bearer's issuerBaseURL and a missing audience", () => {
    expect(() => hydra(js({ mode: 'jwt', issuerBaseURL: mock.issuer, audience: 'orders' }))).toThrow(
      'issuerBaseURL is not a known option: hydrakit calls it `issuer`',
    )
    expect(() => hydra(js({ mode: 'jwt', issuer: mock.issuer }))).toThrow(/^audience is required/)
  })

  it('accepts its own middleware settings next to the verifier configuration', async () => {
    const auth = hydra({
      mode: 'jwt',
      issuer: mock.issuer,
      audience: 'orders',
      scopeStrategy: 'wildcard',
      token: {},
    })
    await auth.close()
  })

  it('refuses verifier options next to a ready verifier (they would be ignored)', async () => {
    const inner = hydra({ mode: 'jwt', issuer: mock.issuer, audience: 'orders' })
    expect(() => hydra(js({ verifier: inner.verifier, audience: 'billing' }))).toThrow(
      'audience cannot be combined with verifier',
    )
    await inner.close()
  })

  it('ready() resolves for a working configuration', async () => {
    const auth = hydra({ mode: 'hybrid', issuer: mock.issuer, adminUrl: mock.adminUrl, audience: 'orders' })
    await expect(auth.ready()).resolves.toBeUndefined()
    await auth.close()
  })

  it('ready() rejects with what is wrong: the admin URL on the public port', async () => {
    const auth = hydra({
      mode: 'introspection',
      adminUrl: mock.publicUrl,
      audience: 'orders',
      warnings: false,
    })
    await expect(auth.ready()).rejects.toMatchObject({
      name: 'VerifierNotReadyError',
      code: 'ERR_HYDRAKIT_NOT_READY',
      upstream: 'introspection',
      status: 404,
      message: expect.stringContaining("Hydra's admin API listens on another port"),
    })
    await auth.close()
  })
})

describe.each(FRAMEWORKS)('%s: an issuer typo', (framework) => {
  let app: RunningApp
  const warnings: HydrakitWarning[] = []
  beforeAll(async () => {
    app = await startApp(framework, {
      mode: 'jwt',
      issuer: `${mock.issuer.replace(/\/$/, '')}/typo`,
      audience: 'orders',
      warnings: { onWarning: (w) => warnings.push(w) },
    })
  })
  afterAll(() => app.close())

  it('gives the client a plain 503 and the operator a warning with the hint', async () => {
    const { accessToken } = await mock.issueToken({ scopes: ['read'], audience: ['orders'] })
    const res = await fetch(`${app.url}/read`, { headers: { authorization: `Bearer ${accessToken}` } })
    expect(res.status).toBe(503)
    const body = await res.text()
    const headers = JSON.stringify([...res.headers])
    for (const leak of ['issuer right', 'jwks.json', 'typo', 'HYDRAKIT_']) {
      expect(body).not.toContain(leak)
      expect(headers).not.toContain(leak)
    }
    expect(warnings).toHaveLength(1)
    expect(warnings[0]!.hint).toContain('is the issuer right? fetched')
  })
})
