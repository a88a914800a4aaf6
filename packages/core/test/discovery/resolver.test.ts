import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createMockHydra, type MockHydra } from '../../../hydra-mock/src/index.js'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { DiscoveryError, type DiscoveryErrorCode } from '../../src/discovery/discovery-error.js'
import {
  createIssuerMetadataResolver,
  type IssuerMetadataResolverOptions,
} from '../../src/discovery/resolver.js'
import { httpFetch } from './http-fetch.js'

/** A real HTTP server whose behaviour each test sets; records the paths it was asked for. */
interface TestServer {
  url: string
  hits: string[]
  handle: (req: IncomingMessage, res: ServerResponse) => void
  close(): Promise<void>
}

async function startServer(): Promise<TestServer> {
  const state: TestServer = {
    url: '',
    hits: [],
    handle: (_req, res) => res.writeHead(404).end(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
  const server = createServer((req, res) => {
    state.hits.push(req.url ?? '')
    state.handle(req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return state
}

const json = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}

async function failure(p: Promise<unknown>): Promise<DiscoveryError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(DiscoveryError)
  return err as DiscoveryError
}

const resolver = (o: Partial<IssuerMetadataResolverOptions> & { issuer: string }) =>
  createIssuerMetadataResolver({ fetch: httpFetch(), ...o })

describe('against the mock Hydra', () => {
  let withSlash: MockHydra
  let withoutSlash: MockHydra
  beforeAll(async () => {
    withSlash = await createMockHydra() // issuer `<publicUrl>/`, Hydra's fallback
    withoutSlash = await createMockHydra({ issuer: 'http://hydra.test' })
  })
  afterAll(async () => {
    await withSlash.close()
    await withoutSlash.close()
  })
  // Requests for http://hydra.test go to the second mock, as DNS would send them.
  const viaDns = httpFetch((u) => u.replace('http://hydra.test', withoutSlash.publicUrl))

  it('resolves the JWKS of an issuer with a trailing slash', async () => {
    expect(withSlash.issuer.endsWith('/')).toBe(true)
    const m = await resolver({ issuer: withSlash.issuer }).resolve()
    expect(m).toMatchObject({
      issuer: withSlash.issuer,
      jwksUri: `${withSlash.publicUrl}/.well-known/jwks.json`,
      introspectionEndpoint: undefined,
      document: 'openid-configuration',
    })
  })

  it('resolves an issuer without a trailing slash', async () => {
    const m = await resolver({ issuer: 'http://hydra.test', fetch: viaDns }).resolve()
    expect(m.issuer).toBe('http://hydra.test')
    expect(m.url).toBe('http://hydra.test/.well-known/openid-configuration')
  })

  it('treats a trailing-slash difference as a mismatch unless tolerated', async () => {
    const bare = withSlash.issuer.slice(0, -1)
    expect((await failure(resolver({ issuer: bare }).resolve())).code).toBe('issuer_mismatch')
    expect((await resolver({ issuer: bare, tolerateIssuerTrailingSlash: true }).resolve()).issuer).toBe(
      withSlash.issuer,
    )
    const slashed = 'http://hydra.test/'
    expect((await failure(resolver({ issuer: slashed, fetch: viaDns }).resolve())).code).toBe(
      'issuer_mismatch',
    )
    const tolerant = resolver({ issuer: slashed, fetch: viaDns, tolerateIssuerTrailingSlash: true })
    expect((await tolerant.resolve()).issuer).toBe('http://hydra.test')
  })
})

describe('against broken servers', () => {
  let s: TestServer
  beforeAll(async () => {
    s = await startServer()
  })
  afterAll(() => s.close())
  afterEach(() => {
    s.hits.length = 0
  })

  const cases: [string, DiscoveryErrorCode, (res: ServerResponse) => void][] = [
    [
      'another issuer in the document',
      'issuer_mismatch',
      (res) => json(res, 200, { issuer: 'https://evil.example' }),
    ],
    [
      'garbage',
      'invalid_json',
      (res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>hi</h1>'),
    ],
    ['oversized', 'too_large', (res) => res.writeHead(200).end(`{"issuer":"${'x'.repeat(300_000)}"}`)],
    ['500', 'http_status', (res) => json(res, 500, { error: 'boom' })],
    [
      '302 elsewhere (not followed)',
      'http_status',
      (res) => res.writeHead(302, { location: 'http://127.0.0.1:9/' }).end(),
    ],
  ]
  it.each(cases)('%s → %s', async (_name, code, answer) => {
    s.handle = (_req, res) => answer(res)
    const err = await failure(resolver({ issuer: s.url, maxResponseBytes: 65536 }).resolve())
    expect(err.code).toBe(code)
    expect(err.message).toContain(s.url)
    // A failure other than "not found" does not fall through to the second document.
    expect(s.hits).toEqual(['/.well-known/openid-configuration'])
  })

  it('404 on both documents → not_found naming both URLs, tried in order', async () => {
    s.handle = (_req, res) => json(res, 404, { error: 'not found' })
    const err = await failure(resolver({ issuer: `${s.url}/tenant` }).resolve())
    expect(err.code).toBe('not_found')
    expect(s.hits).toEqual([
      '/tenant/.well-known/openid-configuration',
      '/.well-known/oauth-authorization-server/tenant',
    ])
    expect(err.message).toContain(`${s.url}/.well-known/oauth-authorization-server/tenant`)
  })

  it('falls back to RFC 8414 with the path inserted after the host', async () => {
    const issuer = `${s.url}/tenant`
    s.handle = (req, res) =>
      req.url === '/.well-known/oauth-authorization-server/tenant'
        ? json(res, 200, { issuer, jwks_uri: `${s.url}/keys`, introspection_endpoint: `${s.url}/introspect` })
        : json(res, 404, {})
    const m = await resolver({ issuer }).resolve()
    expect(m).toMatchObject({
      document: 'oauth-authorization-server',
      jwksUri: `${s.url}/keys`,
      introspectionEndpoint: `${s.url}/introspect`,
    })
  })

  it('a server that never answers → timeout', async () => {
    s.handle = () => undefined // holds the request open
    const err = await failure(resolver({ issuer: s.url, timeoutMs: 50 }).resolve())
    expect(err.code).toBe('timeout')
  })

  it('a fetch function that ignores the abort signal still ends at the deadline', async () => {
    const never = () => new Promise<never>(() => undefined)
    const err = await failure(
      createIssuerMetadataResolver({ issuer: s.url, fetch: never, timeoutMs: 20 }).resolve(),
    )
    expect(err.code).toBe('timeout')
  })

  it('connection refused → fetch_failed', async () => {
    const gone = await startServer()
    await gone.close()
    const err = await failure(resolver({ issuer: gone.url }).resolve())
    expect(err.code).toBe('fetch_failed')
  })

  it('a fetch function that resolves to nonsense → fetch_failed', async () => {
    const odd = () => Promise.resolve({ status: 200 } as unknown as { status: number; body: string })
    const err = await failure(createIssuerMetadataResolver({ issuer: s.url, fetch: odd }).resolve())
    expect(err.code).toBe('fetch_failed')
  })
})

describe('caching', () => {
  let s: TestServer
  let clock = 0
  let status = 200
  beforeAll(async () => {
    s = await startServer()
    s.handle = (_req, res) => json(res, status, { issuer: s.url, jwks_uri: `${s.url}/jwks` })
  })
  afterAll(() => s.close())
  afterEach(() => {
    s.hits.length = 0
    clock = 0
    status = 200
  })
  const make = (o: Partial<IssuerMetadataResolverOptions> = {}) =>
    resolver({
      issuer: s.url,
      now: () => clock,
      cacheMaxAgeMs: 1000,
      retryAfterMs: 100,
      maxStaleMs: 5000,
      ...o,
    })

  it('fetches once for concurrent and later callers, again after the max age', async () => {
    const r = make()
    const all = await Promise.all(Array.from({ length: 20 }, () => r.resolve()))
    expect(new Set(all).size).toBe(1)
    await r.resolve()
    expect(s.hits.length).toBe(1)
    clock = 999
    await r.resolve()
    expect(s.hits.length).toBe(1)
    clock = 1000
    await r.resolve()
    expect(s.hits.length).toBe(2)
    expect(r.fetches).toBe(2)
  })

  it('after a failure, waits retryAfterMs before asking again', async () => {
    status = 503
    const r = make()
    expect((await failure(r.resolve())).code).toBe('http_status')
    expect((await failure(r.resolve())).code).toBe('http_status')
    expect(s.hits.length).toBe(1)
    status = 200
    clock = 100
    expect((await r.resolve()).jwksUri).toBe(`${s.url}/jwks`)
    expect(s.hits.length).toBe(2)
  })

  it('serves the last good metadata while the server fails, up to maxStaleMs', async () => {
    const r = make()
    const good = await r.resolve()
    status = 500
    clock = 1000
    expect(await r.resolve()).toBe(good)
    expect(s.hits.length).toBe(2)
    clock = 5999
    expect(await r.resolve()).toBe(good)
    clock = 6000
    expect((await failure(r.resolve())).code).toBe('http_status')
  })

  it('refresh() fetches now, whatever the cache says', async () => {
    const r = make()
    await r.resolve()
    await Promise.all([r.refresh(), r.refresh()])
    expect(s.hits.length).toBe(2)
  })
})

describe('options', () => {
  const fetch = httpFetch()
  it.each<[string, Record<string, unknown>, string]>([
    ['issuer missing', { fetch }, 'issuer must be a non-empty string'],
    ['issuer relative', { issuer: '/x', fetch }, 'issuer must be an absolute URL'],
    [
      'issuer with query',
      { issuer: 'https://a.example?x=1', fetch },
      'issuer must not have a query or fragment',
    ],
    ['fetch missing', { issuer: 'https://a.example' }, 'fetch must be a function'],
    [
      'timeoutMs 0',
      { issuer: 'https://a.example', fetch, timeoutMs: 0 },
      'timeoutMs must be a positive number',
    ],
    [
      'maxResponseBytes NaN',
      { issuer: 'https://a.example', fetch, maxResponseBytes: NaN },
      'maxResponseBytes',
    ],
    [
      'retryAfterMs -1',
      { issuer: 'https://a.example', fetch, retryAfterMs: -1 },
      'retryAfterMs must be a number >= 0',
    ],
    [
      'documents empty',
      { issuer: 'https://a.example', fetch, documents: [] },
      'documents must be a non-empty array',
    ],
    [
      'documents unknown',
      { issuer: 'https://a.example', fetch, documents: ['jwks'] },
      'documents[0] must be',
    ],
    [
      'tolerate not boolean',
      { issuer: 'https://a.example', fetch, tolerateIssuerTrailingSlash: 'yes' },
      'tolerateIssuerTrailingSlash must be a boolean',
    ],
  ])('%s → TypeError', (_name, options, message) => {
    expect(() => createIssuerMetadataResolver(options as unknown as IssuerMetadataResolverOptions)).toThrow(
      TypeError,
    )
    expect(() => createIssuerMetadataResolver(options as unknown as IssuerMetadataResolverOptions)).toThrow(
      message,
    )
  })
})
