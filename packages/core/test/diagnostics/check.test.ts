// verifier.check(): one real call to each upstream, and an error that says exactly what is wrong.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createMockHydra, type MockHydra } from '../../../hydra-mock/src/index.js'
import {
  createIntrospectionVerifier,
  createJwtVerifier,
  createVerifier,
  VerifierNotReadyError,
  type TokenVerifier,
} from '../../src/index.js'

let mock: MockHydra
let refusing: Server
let refusingUrl: string
let closedPort: string
let opened: TokenVerifier[] = []

beforeAll(async () => {
  mock = await createMockHydra({ accessTokenStrategy: 'jwt' })
  // An admin API behind a gateway that wants credentials.
  refusing = createServer((_req, res) => {
    res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthorized"}')
  })
  await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve))
  refusingUrl = `http://127.0.0.1:${(refusing.address() as AddressInfo).port}`
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  closedPort = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`
  await new Promise<void>((resolve) => probe.close(() => resolve()))
})
afterAll(async () => {
  await mock.close()
  await new Promise<void>((resolve) => refusing.close(() => resolve()))
})
afterEach(async () => {
  for (const v of opened) await v.close?.()
  opened = []
})
function keep<V extends TokenVerifier>(v: V): V {
  opened.push(v)
  return v
}
async function failure(p: Promise<unknown>): Promise<VerifierNotReadyError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(VerifierNotReadyError)
  return err as VerifierNotReadyError
}
const slashless = (): string => mock.issuer.replace(/\/$/, '')
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

describe('check()', () => {
  it('resolves for a working JWT, introspection and hybrid configuration', async () => {
    const quiet = { warnings: false } as const
    await keep(createJwtVerifier({ issuer: mock.issuer, audience: 'a', ...quiet })).check()
    await keep(createIntrospectionVerifier({ adminUrl: mock.adminUrl, audience: 'a', ...quiet })).check()
    const hybrid = keep(
      createVerifier({
        mode: 'hybrid',
        issuer: mock.issuer,
        adminUrl: mock.adminUrl,
        audience: 'a',
        ...quiet,
      }),
    )
    await hybrid.check?.()
  })

  it('JWKS 404: names the URL, the status and asks whether the issuer is right', async () => {
    const issuer = `${slashless()}/typo`
    const v = keep(createJwtVerifier({ issuer, audience: 'a', warnings: false }))
    const err = await failure(v.check())
    expect(err).toMatchObject({ code: 'ERR_HYDRAKIT_NOT_READY', upstream: 'jwks', status: 404 })
    expect(err.message).toBe(
      `fetching the JWKS from ${issuer}/.well-known/jwks.json failed: HTTP 404 ` +
        `(is the issuer right? fetched ${issuer}/.well-known/jwks.json)`,
    )
  })

  it('an unreachable issuer: the discovery URL, a connection failure and a reachability hint', async () => {
    const v = keep(createJwtVerifier({ issuer: closedPort, audience: 'a', warnings: false }))
    const err = await failure(v.check())
    const url = `${closedPort}/.well-known/openid-configuration`
    expect(err).toMatchObject({ upstream: 'discovery', url, status: undefined })
    expect(err.message).toMatch(
      new RegExp(`^reading the issuer's metadata from ${escape(url)} failed: connect ECONNREFUSED `),
    )
    expect(err.message).toContain(`(is the issuer reachable from this host? fetched ${url})`)
  })

  it('an unreachable issuer with discovery off: the JWKS URL and a reachability hint', async () => {
    const v = keep(
      createJwtVerifier({ issuer: closedPort, audience: 'a', discovery: false, warnings: false }),
    )
    const err = await failure(v.check())
    expect(err).toMatchObject({ upstream: 'jwks', status: undefined })
    expect(err.message).toContain(`${closedPort}/.well-known/jwks.json failed: `)
    expect(err.message).toContain('is the issuer reachable from this host?')
  })

  it('introspection discovering an unreachable issuer: the discovery URL', async () => {
    const v = keep(createIntrospectionVerifier({ issuer: closedPort, audience: 'a', warnings: false }))
    const err = await failure(v.check())
    const url = `${closedPort}/.well-known/openid-configuration`
    expect(err).toMatchObject({ upstream: 'discovery', url })
    expect(err.message).toContain(`reading the issuer's metadata from ${url} failed: `)
    expect(err.message).toContain('is the issuer reachable from this host?')
  })

  it("introspection on the public port: 404 and Hydra's admin port", async () => {
    const v = keep(createIntrospectionVerifier({ adminUrl: mock.publicUrl, audience: 'a', warnings: false }))
    const err = await failure(v.check())
    expect(err).toMatchObject({ upstream: 'introspection', status: 404 })
    expect(err.message).toContain('calling the introspection endpoint')
    expect(err.message).toContain("Hydra's admin API listens on another port")
  })

  it('introspection refused for lack of credentials: 401 and adminAuth', async () => {
    const v = keep(createIntrospectionVerifier({ adminUrl: refusingUrl, audience: 'a', warnings: false }))
    const err = await failure(v.check())
    expect(err).toMatchObject({ status: 401 })
    expect(err.message).toContain('check adminAuth')
  })

  it('hybrid: the first broken upstream is reported', async () => {
    const v = keep(
      createVerifier({
        mode: 'hybrid',
        issuer: mock.issuer,
        adminUrl: mock.publicUrl,
        audience: 'a',
        warnings: false,
      }),
    )
    const err = await failure(v.check!())
    expect(err.upstream).toBe('introspection')
  })

  it('each call reaches the upstream (no cached verdict)', async () => {
    const v = keep(createIntrospectionVerifier({ adminUrl: mock.adminUrl, audience: 'a', warnings: false }))
    mock.resetCalls()
    await v.check()
    await v.check()
    expect(mock.calls.introspectOAuth2Token).toBe(2)
  })
})
