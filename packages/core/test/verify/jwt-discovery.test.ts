// The JWT verifier finds `jwks_uri` through issuer discovery (RFC 8414 / OpenID Connect Discovery)
// against a real HTTP server whose keys are not where Hydra keeps them.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createIssuerMetadataResolver } from '../../src/discovery/resolver.js'
import { UpstreamUnavailableError } from '../../src/errors/errors.js'
import { createJwtVerifier, type JwtVerifier, type JwtVerifierOptions } from '../../src/verify/jwt.js'
import {
  makeKey,
  rejectionOf,
  signToken,
  startServer,
  type TestKey,
  type TestServer,
} from '../jwks/helpers.js'

interface State {
  /** `issuer` written into the discovery document; default the server's origin. */
  documentIssuer: string | undefined
  /** Status of the discovery document. */
  discoveryStatus: number
  /** Omit `jwks_uri` from the document. */
  noJwksUri: boolean
}

let server: TestServer
let rsa: TestKey
const state: State = { documentIssuer: undefined, discoveryStatus: 200, noJwksUri: false }
const verifiers: JwtVerifier[] = []

function verifier(options: Partial<JwtVerifierOptions> = {}): JwtVerifier {
  const v = createJwtVerifier({ issuer: server.url, audience: 'api', ...options })
  verifiers.push(v)
  return v
}

const token = (): Promise<string> => signToken(rsa, { iss: server.url, aud: 'api', sub: 'alice' })

beforeAll(async () => {
  rsa = await makeKey('RS256', 'rsa-1')
  server = await startServer((req, res) => {
    if (req.url === '/.well-known/openid-configuration') {
      if (state.discoveryStatus !== 200) {
        res.writeHead(state.discoveryStatus, { 'content-type': 'application/json' }).end('{}')
        return true
      }
      const doc: Record<string, unknown> = { issuer: state.documentIssuer ?? server.url }
      if (!state.noJwksUri) doc.jwks_uri = `${server.url}/oauth/keys`
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(doc))
      return true
    }
    if (req.url === '/oauth/keys') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [rsa.jwk] }))
      return true
    }
    return false
  })
})

afterEach(async () => {
  vi.useRealTimers()
  Object.assign(state, { documentIssuer: undefined, discoveryStatus: 200, noJwksUri: false })
  server.hits.clear()
  await Promise.all(verifiers.splice(0).map((v) => v.close()))
})

afterAll(() => server.close())

async function unavailable(v: JwtVerifier): Promise<UpstreamUnavailableError> {
  const err = await rejectionOf(v.verify(await token()))
  expect(err).toBeInstanceOf(UpstreamUnavailableError)
  const e = err as UpstreamUnavailableError
  expect([e.status, e.reason]).toEqual([503, 'jwks_unavailable'])
  return e
}

describe('jwks_uri from discovery', () => {
  it('verifies with the keys at the discovered jwks_uri; concurrent first requests share one discovery', async () => {
    const v = verifier({ resultCache: false })
    const tokens = await Promise.all([token(), token(), token()])
    const infos = await Promise.all(tokens.map((t) => v.verify(t)))
    expect(infos.map((i) => i.subject)).toEqual(['alice', 'alice', 'alice'])
    expect(v.jwksUri).toBe(`${server.url}/oauth/keys`)
    await v.refreshKeys()
    expect(server.hitsOf('/.well-known/openid-configuration')).toBe(1)
    expect(server.hitsOf('/oauth/keys')).toBe(2)
    expect(server.hitsOf('/.well-known/jwks.json')).toBe(0)
  })

  it('an explicit jwksUri pins the keys: no discovery request', async () => {
    const v = verifier({ jwksUri: `${server.url}/oauth/keys` })
    await expect(v.verify(await token())).resolves.toMatchObject({ subject: 'alice' })
    expect(server.hitsOf('/.well-known/openid-configuration')).toBe(0)
  })

  it('discovery: false uses Hydra’s location without asking for metadata', async () => {
    const v = verifier({ discovery: false })
    expect(v.jwksUri).toBe(`${server.url}/.well-known/jwks.json`)
    await unavailable(v)
    expect(server.hitsOf('/.well-known/openid-configuration')).toBe(0)
    expect(server.hitsOf('/.well-known/jwks.json')).toBe(1)
  })

  it('a document for another issuer is refused: 503 for the client, the operator is told why', async () => {
    state.documentIssuer = 'https://evil.example'
    const v = verifier()
    const e = await unavailable(v)
    expect(String(e.debug?.failure)).toMatch(/is for issuer "https:\/\/evil\.example", expected/)
    expect(v.jwksStatus().lastFailure).toMatch(/issuer/)
    expect(server.hitsOf('/oauth/keys')).toBe(0)
  })

  it('a trailing-slash difference is a mismatch unless tolerateIssuerTrailingSlash', async () => {
    state.documentIssuer = `${server.url}/`
    const strict = verifier()
    expect(String((await unavailable(strict)).debug?.failure)).toMatch(/differ only by a trailing slash/)
    const tolerant = verifier({ tolerateIssuerTrailingSlash: true })
    await expect(tolerant.verify(await token())).resolves.toMatchObject({ subject: 'alice' })
  })

  it('a document without jwks_uri names the option to set', async () => {
    state.noJwksUri = true
    const e = await unavailable(verifier())
    expect(String(e.debug?.failure)).toMatch(/has no jwks_uri: set the jwksUri option/)
  })

  it('a discovery outage is 503, never 401, and recovers after the cooldown', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    state.discoveryStatus = 500
    const v = verifier({ cooldownMs: 10_000 })
    await unavailable(v)
    state.discoveryStatus = 200
    // Within the cooldown: still 503, without another request.
    await unavailable(v)
    expect(server.hitsOf('/.well-known/openid-configuration')).toBe(1)
    vi.setSystemTime(Date.now() + 10_001)
    await expect(v.verify(await token())).resolves.toMatchObject({ subject: 'alice' })
    expect(server.hitsOf('/.well-known/openid-configuration')).toBe(2)
  })

  it('a shared resolver is used as given; one for another issuer is a TypeError', async () => {
    const resolver = createIssuerMetadataResolver({
      issuer: server.url,
      fetch: async (url) => {
        const res = await fetch(url)
        return { status: res.status, body: await res.text() }
      },
    })
    const a = verifier({ discovery: resolver })
    const b = verifier({ discovery: resolver })
    await a.verify(await token())
    await b.verify(await token())
    expect(server.hitsOf('/.well-known/openid-configuration')).toBe(1)
    expect(() => verifier({ issuer: 'https://other.example', discovery: resolver })).toThrow(
      /^discovery resolves the metadata of ".+", not of issuer "https:\/\/other\.example"/,
    )
    expect(() => verifier({ discovery: 'yes' as never })).toThrow(/^discovery must be false or/)
  })
})
