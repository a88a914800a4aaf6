import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** What the server sends for one token: a JSON body (as text, sent verbatim) or a held request. */
export type IntrospectionReply = { status?: number; text: string } | 'hold'

/**
 * A real RFC 7662 introspection endpoint on 127.0.0.1 (port 0) whose answers a test writes as raw
 * text, and which can hold requests to act as a slow Hydra. It counts calls and the most calls it
 * had open at once. Any path answers POST; GET /.well-known/jwks.json is an empty key set.
 */
export interface IntrospectionServer {
  /** `http://127.0.0.1:port` */
  url: string
  /** Decides the reply per token. */
  reply: (token: string) => IntrospectionReply
  /** Introspection calls received. */
  calls: number
  /** Calls open right now. */
  inFlight: number
  /** Most calls open at once since the last reset. */
  maxInFlight: number
  /** Held requests waiting for release(). */
  readonly held: number
  /** Resolves once `n` requests are held. */
  waitForHeld(n: number): Promise<void>
  /** Answers every held request with `{ active: false }`. */
  release(): void
  reset(): void
  close(): Promise<void>
}

/** Starts an {@link IntrospectionServer}; `reply` defaults to `{ active: false }` for every token. */
export async function startIntrospectionServer(): Promise<IntrospectionServer> {
  const held: ServerResponse[] = []
  let waiters: Array<{ n: number; resolve: () => void }> = []
  const notify = (): void => {
    waiters = waiters.filter((w) => {
      if (held.length < w.n) return true
      w.resolve()
      return false
    })
  }
  const state: IntrospectionServer = {
    url: '',
    reply: () => ({ text: '{"active":false}' }),
    calls: 0,
    inFlight: 0,
    maxInFlight: 0,
    get held() {
      return held.length
    },
    waitForHeld(n) {
      return new Promise<void>((resolve) => {
        waiters.push({ n, resolve })
        notify()
      })
    },
    release() {
      for (const res of held.splice(0)) send(res, { text: '{"active":false}' })
    },
    reset() {
      state.calls = 0
      state.maxInFlight = state.inFlight
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
  const send = (res: ServerResponse, r: { status?: number; text: string }): void => {
    state.inFlight--
    res.writeHead(r.status ?? 200, { 'content-type': 'application/json' })
    res.end(r.text)
  }
  const server = createServer((req, res) => {
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{"keys":[]}')
      return
    }
    state.calls++
    state.inFlight++
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight)
    let raw = ''
    req.setEncoding('utf8')
    req.on('data', (chunk: string) => (raw += chunk))
    req.on('end', () => {
      const token = new URLSearchParams(raw).get('token') ?? ''
      const r = state.reply(token)
      if (r === 'hold') {
        held.push(res)
        notify()
      } else {
        send(res, r)
      }
    })
  })
  server.keepAliveTimeout = 60_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return state
}
