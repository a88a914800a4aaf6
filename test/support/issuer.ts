import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose'

/**
 * A small real authorization server for adapter tests: serves a JWKS (an access-token key and a
 * separate ID-token key, like Hydra) and an RFC 7662 introspection endpoint that answers as Hydra
 * does (200 `{"active":false}` for anything unknown). Counts calls; can be switched "down" (500).
 */
export interface TestIssuer {
  url: string
  issuer: string
  adminUrl: string
  calls: { jwks: number; introspection: number }
  down: boolean
  /** A JWT access token signed with the access-token key. */
  jwt(
    claims?: Record<string, unknown>,
    options?: { expiresIn?: number; key?: 'access' | 'id' | 'other'; alg?: string },
  ): Promise<string>
  /** An opaque `ory_at_…` token the introspection endpoint knows. */
  opaque(claims?: Record<string, unknown>, options?: { expiresIn?: number; tokenUse?: string }): string
  close(): Promise<void>
}

export async function startTestIssuer(): Promise<TestIssuer> {
  const access = await generateKeyPair('RS256', { extractable: true })
  const idKey = await generateKeyPair('RS256', { extractable: true })
  const other = await generateKeyPair('RS256', { extractable: true })
  const jwk = async (k: Parameters<typeof exportJWK>[0], kid: string): Promise<JWK> => ({
    ...(await exportJWK(k)),
    kid,
    alg: 'RS256',
    use: 'sig',
  })
  const jwks = JSON.stringify({
    keys: [await jwk(access.publicKey, 'access-1'), await jwk(idKey.publicKey, 'id-1')],
  })
  const opaque = new Map<string, Record<string, unknown>>()

  const state = { calls: { jwks: 0, introspection: 0 }, down: false }
  let base = ''

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const send = (status: number, body: string): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(body)
    }
    if (req.url === '/.well-known/jwks.json') {
      state.calls.jwks++
      if (state.down) return send(500, '{"error":"down"}')
      return send(200, jwks)
    }
    if (req.method === 'POST' && req.url === '/admin/oauth2/introspect') {
      state.calls.introspection++
      let body = ''
      req.setEncoding('utf8')
      req.on('data', (c: string) => (body += c))
      req.on('end', () => {
        if (state.down) return send(500, '{"error":"down"}')
        const token = new URLSearchParams(body).get('token') ?? ''
        const claims = opaque.get(token)
        const now = Math.floor(Date.now() / 1000)
        if (claims === undefined || (claims.exp as number) <= now) return send(200, '{"active":false}')
        return send(200, JSON.stringify({ active: true, ...claims }))
      })
      return
    }
    send(404, '{"error":"Not Found"}')
  }

  const server: Server = createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  const issuer: TestIssuer = {
    url: base,
    issuer: base,
    adminUrl: base,
    get calls() {
      return state.calls
    },
    get down() {
      return state.down
    },
    set down(v: boolean) {
      state.down = v
    },
    async jwt(claims = {}, options = {}) {
      const now = Math.floor(Date.now() / 1000)
      const key = options.key === 'id' ? idKey : options.key === 'other' ? other : access
      // 'other' signs with a foreign key under the access key's kid: a forged signature.
      const kid = options.key === 'id' ? 'id-1' : 'access-1'
      return new SignJWT({
        iss: base,
        aud: ['api'],
        client_id: 'app',
        sub: 'alice',
        scp: [],
        jti: randomBytes(8).toString('hex'),
        ...claims,
      })
        .setProtectedHeader({ alg: options.alg ?? 'RS256', kid, typ: 'JWT' })
        .setIssuedAt(now)
        .setNotBefore(now)
        .setExpirationTime(now + (options.expiresIn ?? 300))
        .sign(key.privateKey)
    },
    opaque(claims = {}, options = {}) {
      const token = 'ory_at_' + randomBytes(24).toString('base64url')
      const now = Math.floor(Date.now() / 1000)
      opaque.set(token, {
        iss: base,
        aud: ['api'],
        client_id: 'app',
        sub: 'alice',
        scope: '',
        token_type: 'Bearer',
        token_use: options.tokenUse ?? 'access_token',
        iat: now,
        nbf: now,
        exp: now + (options.expiresIn ?? 300),
        ...claims,
      })
      return token
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
  return issuer
}
