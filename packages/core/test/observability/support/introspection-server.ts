// A tiny RFC 7662 introspection endpoint on 127.0.0.1 (Hydra's admin path), with a call counter,
// for tests of caches, revocation and observability. Opaque tokens are random per run.
import { randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A running endpoint. Tokens not in `tokens` are `{ active: false }`. */
export interface IntrospectionServer {
  /** `http://127.0.0.1:port` (use as `adminUrl`). */
  readonly adminUrl: string
  /** Answers by token. */
  readonly tokens: Map<string, Record<string, unknown>>
  /** Number of introspection requests received. */
  calls: number
  /** Delay before each answer, in ms. */
  delayMs: number
  /** `'ok'`, or `'500'` to answer every call with a server error. */
  mode: 'ok' | '500'
  /** Adds an active access token for `sub` and returns it. */
  issue(sub: string, claims?: Record<string, unknown>): string
  close(): Promise<void>
}

/** An opaque token shaped like Hydra's (`ory_at_…`), random per call. */
export function opaqueToken(): string {
  return `ory_at_${randomBytes(32).toString('base64url')}.${randomBytes(16).toString('base64url')}`
}

export async function startIntrospectionServer(): Promise<IntrospectionServer> {
  const timers = new Set<NodeJS.Timeout>()
  const state = {
    adminUrl: '',
    tokens: new Map<string, Record<string, unknown>>(),
    calls: 0,
    delayMs: 0,
    mode: 'ok' as 'ok' | '500',
  }
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/admin/oauth2/introspect') {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}')
        return
      }
      state.calls++
      const token = new URLSearchParams(Buffer.concat(chunks).toString('utf8')).get('token') ?? ''
      const answer = (): void => {
        if (state.mode === '500') {
          res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"server_error"}')
          return
        }
        const body = state.tokens.get(token) ?? { active: false }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body))
      }
      if (state.delayMs <= 0) {
        answer()
        return
      }
      const t = setTimeout(() => {
        timers.delete(t)
        answer()
      }, state.delayMs)
      timers.add(t)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  state.adminUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return Object.assign(state, {
    issue(sub: string, claims: Record<string, unknown> = {}): string {
      const token = opaqueToken()
      const now = Math.floor(Date.now() / 1000)
      state.tokens.set(token, {
        active: true,
        sub,
        client_id: 'test-client',
        scope: 'orders:read profile',
        token_use: 'access_token',
        token_type: 'Bearer',
        iat: now,
        exp: now + 3600,
        ...claims,
      })
      return token
    },
    close(): Promise<void> {
      for (const t of timers) clearTimeout(t)
      server.closeAllConnections()
      return new Promise<void>((resolve) => server.close(() => resolve()))
    },
  })
}
