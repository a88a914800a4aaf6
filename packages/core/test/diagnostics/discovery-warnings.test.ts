// Discovery is on by default, so an issuer that cannot be discovered must be as loud as a JWKS that
// cannot be fetched: a real server answers the well-known URLs the way each test needs, and the
// warnings, the readiness check and the user's own onUpstream hook are watched.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import * as prom from 'prom-client'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { DiscoveryError } from '../../src/discovery/discovery-error.js'
import {
  createIntrospectionVerifier,
  createJwtVerifier,
  createVerifier,
  VerifierNotReadyError,
  type HydrakitWarning,
  type TokenVerifier,
  type UpstreamEvent,
} from '../../src/index.js'
import { createPrometheusHooks } from '../../src/observability/index.js'
import { makeKey, signToken, startServer, type TestKey, type TestServer } from '../jwks/helpers.js'

/** How the server answers both discovery URLs. */
type Discovery = 'ok' | 404 | 410 | 500 | 'html' | 'oversized' | 'hang'

const OPENID = '/.well-known/openid-configuration'
const OAUTH = '/.well-known/oauth-authorization-server'
const HYDRA_JWKS = '/.well-known/jwks.json'

let server: TestServer
let key: TestKey
let closedPort: string
let discovery: Discovery = 'ok'
let opened: TokenVerifier[] = []

beforeAll(async () => {
  key = await makeKey('ES256', 'k1')
  server = await startServer((req, res) => {
    if (req.url === OPENID || req.url === OAUTH) {
      if (discovery === 'hang') return new Promise<boolean>(() => {})
      if (typeof discovery === 'number') {
        res.writeHead(discovery, { 'content-type': 'application/json' }).end('{"error":"x"}')
      } else if (discovery === 'html') {
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Welcome to nginx!</body></html>')
      } else if (discovery === 'oversized') {
        const doc = JSON.stringify({ issuer: server.url, padding: 'x'.repeat(70_000) })
        res.writeHead(200, { 'content-type': 'application/json' }).end(doc)
      } else {
        const doc = { issuer: server.url, jwks_uri: `${server.url}/keys` }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(doc))
      }
      return true
    }
    if (req.url === HYDRA_JWKS || req.url === '/keys') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [key.jwk] }))
      return true
    }
    return false
  })
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  closedPort = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`
  await new Promise<void>((resolve) => probe.close(() => resolve()))
})
afterAll(() => server.close())
afterEach(async () => {
  vi.useRealTimers()
  discovery = 'ok'
  server.hits.clear()
  for (const v of opened) await v.close?.()
  opened = []
})

function watch(): {
  warnings: HydrakitWarning[]
  events: UpstreamEvent[]
  options: {
    warnings: { onWarning: (w: HydrakitWarning) => void }
    hooks: { onUpstream: (e: UpstreamEvent) => void }
  }
} {
  const warnings: HydrakitWarning[] = []
  const events: UpstreamEvent[] = []
  return {
    warnings,
    events,
    options: {
      warnings: { onWarning: (w) => warnings.push(w) },
      hooks: { onUpstream: (e) => events.push(e) },
    },
  }
}
function keep<V extends TokenVerifier>(v: V): V {
  opened.push(v)
  return v
}
const token = (iss = server.url): Promise<string> => signToken(key, { iss, aud: 'api', sub: 'alice' })
const openidUrl = (): string => `${server.url}${OPENID}`

describe('discovery failures are warned about', () => {
  it('a closed port: one warning naming the discovery URL, with a reachability hint', async () => {
    const { warnings, events, options } = watch()
    const v = keep(createJwtVerifier({ issuer: closedPort, audience: 'api', ...options }))
    await expect(v.verify(await token(closedPort))).rejects.toMatchObject({ status: 503 })
    const url = `${closedPort}${OPENID}`
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatchObject({
      code: 'HYDRAKIT_DISCOVERY_UNAVAILABLE',
      url,
      hint: `is the issuer reachable from this host? fetched ${url}`,
    })
    expect(warnings[0]!.message).toContain(`hydrakit: issuer discovery failed: GET ${url}: `)
    expect(warnings[0]!.message).toContain('ECONNREFUSED')
    // The oauth-authorization-server document is not tried after a failure, and no JWKS is fetched.
    expect(events.map((e) => [e.kind, e.url, e.status])).toEqual([['discovery', url, undefined]])
  })

  it.each([404, 410] as const)(
    'discovery %i, then the JWKS at Hydra’s default location: verifies, no warning',
    async (status) => {
      discovery = status
      const { warnings, events, options } = watch()
      const v = keep(createJwtVerifier({ issuer: server.url, audience: 'api', ...options }))
      await expect(v.verify(await token())).resolves.toMatchObject({ subject: 'alice' })
      expect(warnings).toEqual([])
      expect(events.map((e) => [e.kind, e.url, e.status])).toEqual([
        ['discovery', `${server.url}${OPENID}`, status],
        ['discovery', `${server.url}${OAUTH}`, status],
        ['jwks', `${server.url}${HYDRA_JWKS}`, 200],
      ])
    },
  )

  it('discovery 500: one warning with the status; the next document is not tried', async () => {
    discovery = 500
    const { warnings, options } = watch()
    const v = keep(createJwtVerifier({ issuer: server.url, audience: 'api', ...options }))
    await expect(v.verify(await token())).rejects.toMatchObject({ status: 503 })
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatchObject({
      code: 'HYDRAKIT_DISCOVERY_UNAVAILABLE',
      url: openidUrl(),
      cause: 'HTTP 500',
      hint: `is the issuer right? fetched ${openidUrl()}`,
    })
    expect(server.hitsOf(OPENID)).toBe(1)
    expect(server.hitsOf(OAUTH)).toBe(0)
    expect(server.hitsOf(HYDRA_JWKS)).toBe(0)
  })

  it('discovery answering HTML with 200: one warning saying it is not JSON', async () => {
    discovery = 'html'
    const { warnings, events, options } = watch()
    const v = keep(createJwtVerifier({ issuer: server.url, audience: 'api', ...options }))
    await expect(v.verify(await token())).rejects.toMatchObject({ status: 503 })
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatchObject({
      code: 'HYDRAKIT_DISCOVERY_UNAVAILABLE',
      url: openidUrl(),
      hint: `is the issuer right? fetched ${openidUrl()}`,
    })
    expect(warnings[0]!.message).toContain(`discovery document at ${openidUrl()} is not JSON`)
    // The user's hook sees the 200 and why it could not be used.
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({ kind: 'discovery', status: 200 })
    expect(events[0]!.error).toBeInstanceOf(DiscoveryError)
    expect((events[0]!.error as DiscoveryError).code).toBe('invalid_json')
  })

  it('an oversized discovery document: one warning', async () => {
    discovery = 'oversized'
    const { warnings, options } = watch()
    const v = keep(createJwtVerifier({ issuer: server.url, audience: 'api', ...options }))
    await expect(v.verify(await token())).rejects.toMatchObject({ status: 503 })
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatchObject({ code: 'HYDRAKIT_DISCOVERY_UNAVAILABLE', url: openidUrl() })
    expect(warnings[0]!.cause).toContain('exceeds 65536 bytes')
  })

  it('a discovery request that times out: one warning saying so', async () => {
    discovery = 'hang'
    const { warnings, options } = watch()
    const v = keep(createJwtVerifier({ issuer: server.url, audience: 'api', timeoutMs: 200, ...options }))
    await expect(v.verify(await token())).rejects.toMatchObject({ status: 503 })
    await vi.waitFor(() => expect(warnings).toHaveLength(1))
    expect(warnings[0]).toMatchObject({ code: 'HYDRAKIT_DISCOVERY_UNAVAILABLE', url: openidUrl() })
    expect(warnings[0]!.cause).toContain('timed out after 200 ms')
  })

  it('is deduplicated like the others: one warning per interval, however often discovery fails', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    discovery = 500
    const { warnings, options } = watch()
    const v = keep(
      createJwtVerifier({
        issuer: server.url,
        audience: 'api',
        cooldownMs: 1000,
        ...options,
        warnings: { ...options.warnings, intervalMs: 60_000 },
      }),
    )
    const t = await token()
    await expect(v.verify(t)).rejects.toMatchObject({ status: 503 })
    vi.setSystemTime(Date.now() + 2000) // past the retry delay: discovered again, fails again
    await expect(v.verify(t)).rejects.toMatchObject({ status: 503 })
    expect(server.hitsOf(OPENID)).toBe(2)
    expect(warnings).toHaveLength(1)
    vi.setSystemTime(Date.now() + 60_000) // past the interval
    await expect(v.verify(t)).rejects.toMatchObject({ status: 503 })
    expect(server.hitsOf(OPENID)).toBe(3)
    expect(warnings).toHaveLength(2)
  })

  it("the user's onUpstream hook sees each discovery request, with warnings on or off", async () => {
    const events: UpstreamEvent[] = []
    const v = keep(
      createJwtVerifier({
        issuer: server.url,
        audience: 'api',
        warnings: false,
        hooks: { onUpstream: (e) => events.push(e) },
      }),
    )
    await expect(v.verify(await token())).resolves.toMatchObject({ subject: 'alice' })
    expect(events.map((e) => [e.kind, e.method, e.url, e.status])).toEqual([
      ['discovery', 'GET', openidUrl(), 200],
      ['jwks', 'GET', `${server.url}/keys`, 200],
    ])
    expect(events[0]!.error).toBeUndefined()
    expect(events[0]!.durationMs).toBeGreaterThanOrEqual(0)
  })

  it('Prometheus counts discovery requests under their own kind', async () => {
    discovery = 404
    const registry = new prom.Registry()
    const v = keep(
      createJwtVerifier({
        issuer: server.url,
        audience: 'api',
        warnings: false,
        hooks: createPrometheusHooks(prom, { registry }),
      }),
    )
    await expect(v.verify(await token())).resolves.toMatchObject({ subject: 'alice' })
    const text = await registry.metrics()
    expect(text).toMatch(
      /hydrakit_upstream_request_duration_seconds_count\{kind="discovery",method="GET",status_class="4xx"\} 2/,
    )
    expect(text).toMatch(
      /hydrakit_upstream_request_duration_seconds_count\{kind="jwks",method="GET",status_class="2xx"\} 1/,
    )
  })

  it('introspection discovering its endpoint: the same warning and event', async () => {
    discovery = 500
    const { warnings, events, options } = watch()
    const v = keep(createIntrospectionVerifier({ issuer: server.url, audience: 'api', ...options }))
    await expect(v.verify('ory_at_whatever')).rejects.toMatchObject({ status: 503 })
    expect(warnings.map((w) => [w.code, w.url])).toEqual([['HYDRAKIT_DISCOVERY_UNAVAILABLE', openidUrl()]])
    expect(events.map((e) => [e.kind, e.status])).toEqual([['discovery', 500]])
  })

  it('hybrid sharing one discovery: one request, one warning, the hook sees it; close() closes it', async () => {
    discovery = 500
    const { warnings, events, options } = watch()
    const v = keep(createVerifier({ mode: 'hybrid', issuer: server.url, audience: 'api', ...options }))
    await expect(v.verify(await token())).rejects.toMatchObject({ status: 503 })
    await expect(v.verify('ory_at_whatever')).rejects.toMatchObject({ status: 503 })
    expect(server.hitsOf(OPENID)).toBe(1)
    expect(warnings.map((w) => [w.code, w.url])).toEqual([['HYDRAKIT_DISCOVERY_UNAVAILABLE', openidUrl()]])
    expect(events.map((e) => [e.kind, e.status])).toEqual([['discovery', 500]])
    await v.close?.()
  })
})

describe('check() with discovery on', () => {
  async function notReady(v: TokenVerifier): Promise<VerifierNotReadyError> {
    const err = await v.check!().then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(VerifierNotReadyError)
    return err as VerifierNotReadyError
  }

  it('discovery 500: names the discovery URL and the status', async () => {
    discovery = 500
    const err = await notReady(
      keep(createJwtVerifier({ issuer: server.url, audience: 'api', warnings: false })),
    )
    expect(err).toMatchObject({ upstream: 'discovery', url: openidUrl(), status: 500 })
    expect(err.message).toBe(
      `reading the issuer's metadata from ${openidUrl()} failed: HTTP 500 (is the issuer right? fetched ${openidUrl()})`,
    )
  })

  it('discovery answering HTML: names the discovery URL and says it is not JSON', async () => {
    discovery = 'html'
    const err = await notReady(
      keep(createJwtVerifier({ issuer: server.url, audience: 'api', warnings: false })),
    )
    expect(err).toMatchObject({ upstream: 'discovery', url: openidUrl() })
    expect(err.message).toContain(`reading the issuer's metadata from ${openidUrl()} failed: `)
    expect(err.message).toContain('is not JSON')
  })

  it('discovery 404, Hydra’s default JWKS location works: ready', async () => {
    discovery = 404
    await keep(createJwtVerifier({ issuer: server.url, audience: 'api', warnings: false })).check()
  })
})
