// The introspection verifier finds `introspection_endpoint` through issuer discovery when neither
// adminUrl nor introspectionUrl is set, against a real HTTP server answering like a standards
// authorization server (token_type, no token_use).
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { InvalidTokenError, UpstreamUnavailableError } from '../../src/errors/errors.js'
import {
  createIntrospectionVerifier,
  type IntrospectionVerifier,
  type IntrospectionVerifierOptions,
} from '../../src/verify/introspection.js'
import { rejectionOf, startServer, type TestServer } from '../jwks/helpers.js'

const state = {
  documentIssuer: undefined as string | undefined,
  discoveryStatus: 200,
  noEndpoint: false,
}
let server: TestServer
const verifiers: IntrospectionVerifier[] = []
const now = (): number => Math.floor(Date.now() / 1000)

function verifier(options: Partial<IntrospectionVerifierOptions> = {}): IntrospectionVerifier {
  const v = createIntrospectionVerifier({ issuer: server.url, audience: 'api', ...options })
  verifiers.push(v)
  return v
}

beforeAll(async () => {
  server = await startServer(async (req, res) => {
    if (req.url === '/.well-known/openid-configuration') {
      if (state.discoveryStatus !== 200) {
        res.writeHead(state.discoveryStatus, { 'content-type': 'application/json' }).end('{}')
        return true
      }
      const doc: Record<string, unknown> = { issuer: state.documentIssuer ?? server.url }
      if (!state.noEndpoint) doc.introspection_endpoint = `${server.url}/token/introspection`
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(doc))
      return true
    }
    if (req.url === '/token/introspection' && req.method === 'POST') {
      let body = ''
      for await (const chunk of req) body += String(chunk)
      const token = new URLSearchParams(body).get('token')
      const answer =
        token === 'access'
          ? { active: true, token_type: 'Bearer', sub: 'alice', aud: 'api', iss: server.url, exp: now() + 60 }
          : token === 'refresh'
            ? { active: true, sub: 'alice', iss: server.url, exp: now() + 60 }
            : { active: false }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer))
      return true
    }
    return false
  })
})

afterEach(async () => {
  vi.useRealTimers()
  Object.assign(state, { documentIssuer: undefined, discoveryStatus: 200, noEndpoint: false })
  server.hits.clear()
  await Promise.all(verifiers.splice(0).map((v) => v.close()))
})

afterAll(() => server.close())

async function unavailable(v: IntrospectionVerifier, token = 'access'): Promise<UpstreamUnavailableError> {
  const err = await rejectionOf(v.verify(token))
  expect(err).toBeInstanceOf(UpstreamUnavailableError)
  const e = err as UpstreamUnavailableError
  expect([e.status, e.reason]).toEqual([503, 'introspection_unavailable'])
  return e
}

describe('introspection_endpoint from discovery', () => {
  it('introspects at the discovered endpoint; one discovery for concurrent and later calls', async () => {
    const v = verifier({ cache: false })
    expect(v.introspectionUrl).toBeUndefined()
    const infos = await Promise.all([v.verify('access'), v.verify('access'), v.verify('access')])
    expect(infos.map((i) => i.subject)).toEqual(['alice', 'alice', 'alice'])
    await v.verify('access')
    expect(v.introspectionUrl).toBe(`${server.url}/token/introspection`)
    expect(server.hitsOf('/.well-known/openid-configuration')).toBe(1)
    expect(server.hitsOf('/token/introspection')).toBe(2) // concurrent calls of one token coalesce
  })

  it('without token_use, token_type decides: the refresh token (no marker) is refused', async () => {
    const v = verifier({ audience: false })
    await expect(v.verify('access')).resolves.toMatchObject({ subject: 'alice' })
    const err = await rejectionOf(v.verify('refresh'))
    expect(err).toBeInstanceOf(InvalidTokenError)
    expect((err as InvalidTokenError).reason).toBe('token_use')
  })

  it('a document for another issuer: 503, and the debug detail says why', async () => {
    state.documentIssuer = 'https://evil.example'
    const e = await unavailable(verifier())
    expect(e.debug).toMatchObject({ failure: 'discovery' })
    expect(String(e.debug?.why)).toMatch(/is for issuer "https:\/\/evil\.example"/)
    expect(server.hitsOf('/token/introspection')).toBe(0)
  })

  it('a document without introspection_endpoint names the options to set', async () => {
    state.noEndpoint = true
    const e = await unavailable(verifier())
    expect(String(e.debug?.why)).toMatch(
      /no introspection_endpoint: set adminUrl \(Hydra\) or introspectionUrl/,
    )
  })

  it('a discovery outage is 503, never 401, and recovers', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    state.discoveryStatus = 503
    const v = verifier()
    await unavailable(v)
    state.discoveryStatus = 200
    vi.setSystemTime(Date.now() + 5_001)
    await expect(v.verify('access')).resolves.toMatchObject({ subject: 'alice' })
  })

  it('needs an endpoint, or an issuer to discover it', () => {
    expect(() => createIntrospectionVerifier({ audience: 'api' })).toThrow(
      /^adminUrl must be set \(or introspectionUrl, or issuer to discover the endpoint\)/,
    )
    expect(() =>
      createIntrospectionVerifier({ issuer: server.url, audience: 'api', discovery: false }),
    ).toThrow(/^adminUrl or introspectionUrl must be set when discovery is false/)
    expect(() => createIntrospectionVerifier({ issuer: 'not a url', audience: 'api' })).toThrow(
      /^issuer must be an absolute URL/,
    )
  })
})
