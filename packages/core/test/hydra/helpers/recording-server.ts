import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One request as the server saw it. */
export interface RecordedRequest {
  method: string
  /** Raw request target exactly as sent (path + query, still percent-encoded). */
  url: string
  /** Raw path, without the query string. */
  path: string
  query: URLSearchParams
  headers: IncomingHttpHeaders
  body: string
}

/** What the server answers. */
export interface CannedReply {
  status?: number
  headers?: Record<string, string>
  /** A string is sent as is; anything else as JSON (with a JSON content-type). */
  body?: unknown
  /** Never answer (the socket stays open until the server closes). */
  hang?: boolean
  /** Destroy the socket without an answer (a connection reset). */
  reset?: boolean
}

export type Responder = CannedReply | ((req: RecordedRequest) => CannedReply)

/** An HTTP server on 127.0.0.1:0 that records every request and answers canned replies. */
export interface RecordingServer {
  url: string
  requests: RecordedRequest[]
  /** Replies used first, in order. */
  queue(...replies: Responder[]): void
  /** Reply used when the queue is empty. Default 200 `{}`. */
  setDefault(reply: Responder): void
  /** TCP connections accepted since the last reset. */
  readonly connectionCount: number
  /** Connections open right now. */
  openConnections(): Promise<number>
  /** Forgets requests, queued replies and the connection count. */
  reset(): void
  close(): Promise<void>
}

function send(res: ServerResponse, reply: CannedReply): void {
  const headers: Record<string, string> = { ...reply.headers }
  let body = ''
  if (reply.body !== undefined) {
    if (typeof reply.body === 'string') body = reply.body
    else {
      body = JSON.stringify(reply.body)
      headers['content-type'] ??= 'application/json'
    }
  }
  res.writeHead(reply.status ?? 200, headers)
  res.end(body)
}

export async function startRecordingServer(): Promise<RecordingServer> {
  const requests: RecordedRequest[] = []
  let queued: Responder[] = []
  let fallback: Responder = { status: 200, body: {} }
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const url = req.url ?? '/'
      const q = url.indexOf('?')
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        url,
        path: q < 0 ? url : url.slice(0, q),
        query: new URLSearchParams(q < 0 ? '' : url.slice(q + 1)),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      }
      requests.push(recorded)
      const responder = queued.shift() ?? fallback
      const reply = typeof responder === 'function' ? responder(recorded) : responder
      if (reply.hang === true) return
      if (reply.reset === true) {
        req.socket.destroy()
        return
      }
      send(res, reply)
    })
  })
  let connectionCount = 0
  server.on('connection', () => {
    connectionCount++
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    get connectionCount() {
      return connectionCount
    },
    openConnections: () =>
      new Promise<number>((resolve, reject) =>
        server.getConnections((err, n) => (err ? reject(err) : resolve(n))),
      ),
    url: `http://127.0.0.1:${port}`,
    requests,
    queue: (...replies) => {
      queued.push(...replies)
    },
    setDefault: (reply) => {
      fallback = reply
    },
    reset: () => {
      requests.length = 0
      connectionCount = 0
      queued = []
      fallback = { status: 200, body: {} }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** A URL on 127.0.0.1 where nothing listens (connection refused). */
export async function refusedUrl(): Promise<string> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return `http://127.0.0.1:${port}`
}
