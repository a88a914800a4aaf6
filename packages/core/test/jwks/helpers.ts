// Test helpers: a real JWKS server on 127.0.0.1 with a request counter and fault modes, and a
// key/token factory. Keys are generated per run with jose.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose'

/** How the JWKS server answers. */
export type FaultMode =
  'ok' | 'slow' | 'status500' | 'garbage' | 'notJwks' | 'oversized' | 'hang' | 'empty' | 'reset'

/** A real HTTP server serving a JWKS (and anything else the test routes). */
export interface TestServer {
  url: string
  /** Requests received per path. */
  hits: Map<string, number>
  /** Total requests received. */
  readonly count: number
  /** Requests to one path. */
  hitsOf(path: string): number
  close(): Promise<void>
}

/** A handler returning `undefined` falls through to a 404. */
export type Route = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>

/** Starts a server on 127.0.0.1, port 0, routed by `route`. */
export async function startServer(route: Route): Promise<TestServer> {
  const hits = new Map<string, number>()
  let count = 0
  const sockets = new Set<Socket>()
  const server: Server = createServer((req, res) => {
    count++
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    hits.set(path, (hits.get(path) ?? 0) + 1)
    Promise.resolve(route(req, res))
      .then((handled) => {
        if (!handled && !res.headersSent) {
          res.writeHead(404, { 'content-type': 'application/json' })
          res.end('{"error":"not_found"}')
        }
      })
      .catch(() => {
        if (!res.headersSent) res.writeHead(500)
        res.end()
      })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    get count() {
      return count
    },
    hitsOf: (path) => hits.get(path) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

/** A JWKS server whose key set and fault mode the test can change at any time. */
export interface JwksServer extends TestServer {
  issuer: string
  jwksUri: string
  keys: JWK[]
  mode: FaultMode
  /** Requests to the JWKS path. */
  readonly jwksHits: number
}

/** Serves `{ keys }` at `/.well-known/jwks.json`; the issuer is the server's origin. */
export async function startJwksServer(keys: JWK[]): Promise<JwksServer> {
  const state: { keys: JWK[]; mode: FaultMode } = { keys, mode: 'ok' }
  const server = await startServer(async (req, res) => {
    if (req.url !== '/.well-known/jwks.json') return false
    switch (state.mode) {
      case 'ok':
        res.writeHead(200, { 'content-type': 'application/jwk-set+json' })
        res.end(JSON.stringify({ keys: state.keys }))
        return true
      case 'slow':
        await new Promise((r) => setTimeout(r, 1500))
        if (!res.destroyed) {
          res.writeHead(200, { 'content-type': 'application/json' })
          res.end(JSON.stringify({ keys: state.keys }))
        }
        return true
      case 'hang':
        // Never answers; the client's timeout must fire.
        return true
      case 'empty':
        res.writeHead(200, { 'content-type': 'application/jwk-set+json' })
        res.end('{"keys":[]}')
        return true
      case 'reset':
        // Closes the connection without an answer.
        req.socket.destroy()
        return true
      case 'status500':
        res.writeHead(500, { 'content-type': 'application/json' })
        res.end('{"error":"internal"}')
        return true
      case 'garbage':
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end('<html>definitely not json')
        return true
      case 'notJwks':
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ hello: 'world', keys: 'nope' }))
        return true
      case 'oversized':
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ keys: state.keys, padding: 'x'.repeat(600 * 1024) }))
        return true
    }
  })
  return {
    url: server.url,
    hits: server.hits,
    get count() {
      return server.count
    },
    hitsOf: server.hitsOf,
    close: server.close,
    issuer: server.url,
    jwksUri: `${server.url}/.well-known/jwks.json`,
    get keys() {
      return state.keys
    },
    set keys(value: JWK[]) {
      state.keys = value
    },
    get mode() {
      return state.mode
    },
    set mode(value: FaultMode) {
      state.mode = value
    },
    get jwksHits() {
      return server.hitsOf('/.well-known/jwks.json')
    },
  }
}

/** A signing key with its public JWK. */
export interface TestKey {
  kid: string
  alg: string
  privateKey: CryptoKey
  publicKey: CryptoKey
  /** Public JWK with `kid`, `alg` and `use: sig`. */
  jwk: JWK
}

/** Generates a key pair for `alg` with the given `kid`. */
export async function makeKey(
  alg: 'RS256' | 'ES256' | 'PS256' | 'ES384' | 'EdDSA' | 'RS384',
  kid: string,
  extra: Partial<JWK> = {},
): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig', ...extra }
  return { kid, alg, privateKey, publicKey, jwk }
}

/** What {@link signToken} puts in the header. */
export interface TokenHeader {
  alg?: string
  kid?: string | undefined
  typ?: string | undefined
  [name: string]: unknown
}

/**
 * Signs a JWT with Hydra's usual header (`typ: JWT`) and claims (`iat`, `nbf`, `exp` = now + 1 h,
 * `jti`). `claims` override; a claim set to `undefined` is removed.
 */
export async function signToken(key: TestKey, claims: JWTPayload, header: TokenHeader = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  const payload: JWTPayload = { iat: now, nbf: now, exp: now + 3600, jti: crypto.randomUUID(), ...claims }
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name]
  const protectedHeader: Record<string, unknown> = { alg: key.alg, kid: key.kid, typ: 'JWT', ...header }
  for (const [name, value] of Object.entries(protectedHeader)) {
    if (value === undefined) delete protectedHeader[name]
  }
  return new SignJWT(payload).setProtectedHeader(protectedHeader as { alg: string }).sign(key.privateKey)
}

/** Base64url of a JSON value. */
export function b64json(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}

/** Replaces the payload of a signed token, keeping header and signature (a tampered token). */
export function tamper(token: string, claims: Record<string, unknown>): string {
  const [h, , s] = token.split('.')
  return `${h}.${b64json(claims)}.${s}`
}

/** Awaits a promise that must reject, and returns the rejection. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (err) {
    return err
  }
  throw new Error('expected a rejection')
}
