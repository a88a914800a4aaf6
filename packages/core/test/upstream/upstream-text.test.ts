// Text from an upstream server (the token endpoint's `error`, a Retry-After, a Hydra error body)
// must never reach an error message, a `cause`, a log field or a response header as it came:
// a hostile or broken upstream could otherwise forge log lines (CR, LF, U+2028), drive a terminal
// (ESC sequences), reorder text (bidi overrides) or flood a log. Real HTTP servers on 127.0.0.1.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { inspect } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { UpstreamUnavailableError } from '../../src/errors/errors.js'
import { createHydraAdminClient } from '../../src/hydra/admin-client.js'
import { HydraError } from '../../src/hydra/hydra-error.js'
import { createIntrospectionVerifier } from '../../src/verify/introspection.js'
import { createJwtVerifier } from '../../src/verify/jwt.js'

/** Everything a hostile upstream would like to see in our logs, and a lot of it. */
const HOSTILE =
  'bad\r\n2026-12-04T00:00:00Z [ERROR] forged line\u2028\u2029\u001b[31mred\u001b[0m\u202eevil\u0000' +
  'x'.repeat(50_000)

// Header values may carry latin-1 bytes but no CR/LF: the worst a Retry-After can be.
const HOSTILE_HEADER = '1; \u00ff\u00fe<script>' + 'y'.repeat(5000)

// Line and paragraph separators, ESC, a bidi override and a raw latin-1 byte from the header.
const FORBIDDEN_IN_LOGS = ['\u2028', '\u2029', '\u001b', '\u202e', '\u00ff']

/** The characters of {@link FORBIDDEN_IN_LOGS} that `text` contains. */
function forbiddenIn(text: string): string[] {
  return FORBIDDEN_IN_LOGS.filter((c) => text.includes(c))
}

const servers: Server[] = []

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer((req, res) => {
    req.resume()
    req.on('end', () => handler(req, res))
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections()
    await new Promise<void>((resolve) => s.close(() => resolve()))
  }
})

/** Every message down the `cause` chain. */
function messages(err: unknown): string[] {
  const out: string[] = []
  for (let e: unknown = err; e instanceof Error; e = e.cause) out.push(e.message)
  return out
}

/** Printable ASCII only, and bounded. */
function expectSafe(text: string, max = 600): void {
  expect(text).toMatch(/^[\x20-\x7e]*$/)
  expect(text.length).toBeLessThanOrEqual(max)
}

describe('client-credentials token endpoint text', () => {
  it("the endpoint's error and Retry-After are escaped and bounded in every message of the 503's cause chain", async () => {
    const tokenUrl = await serve((_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json', 'retry-after': HOSTILE_HEADER })
      res.end(JSON.stringify({ error: HOSTILE }))
    })
    const introspectionUrl = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{"active":false}')
    })
    const verifier = createIntrospectionVerifier({
      adminUrl: introspectionUrl,
      audience: false,
      auth: { type: 'client_credentials', tokenUrl, clientId: 'api', clientSecret: 'secret' },
    })
    try {
      const err = await verifier.verify('ory_at_token').catch((e: unknown) => e)
      expect(err).toBeInstanceOf(UpstreamUnavailableError)
      const all = messages(err)
      // The 503, the AdminAuthError naming the endpoint's answer.
      expect(all.length).toBeGreaterThanOrEqual(2)
      expect(all[1]).toContain('HTTP 400')
      expect(all[1]).toContain('forged line')
      for (const m of all) expectSafe(m)
      // What `console.error(err)` prints: no raw line break, escape or bidi character from upstream.
      const printed = inspect(err, { depth: 10 })
      expect(forbiddenIn(printed)).toEqual([])
      expect(printed).not.toContain('\r\n2026')
      expect(printed).not.toContain('\n2026')
      expect(printed.length).toBeLessThan(20_000)
    } finally {
      await verifier.close()
    }
  })
})

describe('Hydra error bodies', () => {
  it('the parsed fields of a HydraError are escaped and bounded', async () => {
    const adminUrl = await serve((_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify({
          error: HOSTILE,
          error_description: HOSTILE,
          error_hint: HOSTILE,
          error_debug: HOSTILE,
        }),
      )
    })
    const admin = createHydraAdminClient({ adminUrl })
    try {
      const err = (await admin.getOAuth2Client('c1').catch((e: unknown) => e)) as HydraError
      expect(err).toBeInstanceOf(HydraError)
      expect(err.hydraStatus).toBe(404)
      for (const field of [err.error, err.errorDescription, err.errorHint, err.errorDebug]) {
        expect(field).toBeDefined()
        expectSafe(field as string, 2000)
        expect(field).toContain('\\r\\n2026')
      }
      for (const m of messages(err)) expectSafe(m)
      expect(forbiddenIn(inspect(err, { depth: 10 }))).toEqual([])
    } finally {
      await admin.close()
    }
  })
})

describe('Retry-After from an upstream reaches no response header unless it is plain seconds', () => {
  const retryAfterOf = (err: unknown): string | undefined =>
    (err as UpstreamUnavailableError).headers['retry-after']

  it('introspection: a hostile Retry-After on a 503 is dropped, digits are kept', async () => {
    let retryAfter = HOSTILE_HEADER
    const adminUrl = await serve((_req, res) => {
      res.writeHead(503, { 'retry-after': retryAfter })
      res.end()
    })
    const verifier = createIntrospectionVerifier({ adminUrl, audience: false, cache: false })
    try {
      const hostile = await verifier.verify('ory_at_one').catch((e: unknown) => e)
      expect(hostile).toBeInstanceOf(UpstreamUnavailableError)
      expect(retryAfterOf(hostile)).toBeUndefined()
      for (const m of messages(hostile)) expectSafe(m)
      retryAfter = '7'
      const plain = await verifier.verify('ory_at_two').catch((e: unknown) => e)
      expect(retryAfterOf(plain)).toBe('7')
    } finally {
      await verifier.close()
    }
  })

  it('JWKS: a hostile Retry-After on a 503 never becomes the Retry-After of the 503', async () => {
    const jwksUri = await serve((_req, res) => {
      res.writeHead(503, { 'retry-after': HOSTILE_HEADER })
      res.end()
    })
    const verifier = createJwtVerifier({ issuer: 'https://issuer.example', audience: 'api', jwksUri })
    // A well-formed RS256 token shape with a kid, so the verifier has to fetch keys.
    const part = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url')
    const token = `${part({ alg: 'RS256', kid: 'k1', typ: 'JWT' })}.${part({ sub: 'u' })}.${'A'.repeat(342)}`
    try {
      const err = await verifier.verify(token).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(UpstreamUnavailableError)
      const value = retryAfterOf(err)
      if (value !== undefined) expect(value).toMatch(/^[0-9]{1,9}$/)
      for (const m of messages(err)) expectSafe(m)
      expect(inspect(err, { depth: 10 })).not.toContain('<script>')
    } finally {
      await verifier.close()
    }
  })
})
