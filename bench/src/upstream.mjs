// The local authorization server every benchmark server talks to, run as its own process (pinned to
// the load generator's CPU, so it never competes with the server under test):
//   GET  /.well-known/openid-configuration   discovery (used by express-oauth2-jwt-bearer)
//   GET  /.well-known/jwks.json              the public keys
//   POST /admin/oauth2/introspect            RFC 7662, answers after a configurable delay
// It counts every call. Control happens over the IPC channel:
//   { type: 'stats' } → { type: 'stats', introspection, jwks, discovery, latency: { count, p50, p99 } }
//     (latency: milliseconds from an introspection request's arrival to its answer, since the
//     last { type: 'reset-latency' })
//   { type: 'delay', ms } → { type: 'delay', ms }
// Start: BENCH_UPSTREAM='{"jwks":{...},"secret":"hex","delayMs":0}' node upstream.mjs
import { createServer } from 'node:http'
import { AUDIENCE, openOpaque } from './tokens.mjs'

const config = JSON.parse(process.env.BENCH_UPSTREAM ?? '{}')
const jwksBody = JSON.stringify(config.jwks)
const secret = Buffer.from(config.secret, 'hex')
let delayMs = Number(config.delayMs ?? 0)
const calls = { introspection: 0, jwks: 0, discovery: 0 }
let latencies = new Float64Array(1 << 14)
let latencyCount = 0

/** @param {number} ms */
function recordLatency(ms) {
  if (latencyCount === latencies.length) {
    const bigger = new Float64Array(latencies.length * 2)
    bigger.set(latencies)
    latencies = bigger
  }
  latencies[latencyCount++] = ms
}

function latencySummary() {
  const sorted = latencies.slice(0, latencyCount).sort()
  /** @param {number} p */
  const pct = (p) =>
    latencyCount === 0 ? NaN : sorted[Math.min(latencyCount - 1, Math.floor((p / 100) * latencyCount))]
  return { count: latencyCount, p50: pct(50), p99: pct(99) }
}
let issuer = ''

/** @param {import('node:http').ServerResponse} res @param {number} status @param {string} body */
function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}

/** @param {string} token */
function introspect(token) {
  const id = openOpaque(secret, token)
  if (id === undefined) return '{"active":false}'
  const now = Math.floor(Date.now() / 1000)
  return JSON.stringify({
    active: true,
    aud: [AUDIENCE],
    client_id: 'bench-client',
    exp: now + 3600,
    ext: {},
    iat: now,
    iss: issuer,
    nbf: now,
    scope: 'read write',
    sub: `user-${id}`,
    token_type: 'Bearer',
    token_use: 'access_token',
  })
}

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/.well-known/jwks.json') {
    calls.jwks++
    return send(res, 200, jwksBody)
  }
  if (req.method === 'GET' && req.url === '/.well-known/openid-configuration') {
    calls.discovery++
    return send(
      res,
      200,
      JSON.stringify({
        issuer,
        jwks_uri: `${issuer}/.well-known/jwks.json`,
        introspection_endpoint: `${issuer}/admin/oauth2/introspect`,
        id_token_signing_alg_values_supported: ['RS256', 'ES256'],
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
      }),
    )
  }
  if (req.method === 'POST' && req.url === '/admin/oauth2/introspect') {
    calls.introspection++
    const arrived = performance.now()
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (chunk) => (body += chunk))
    req.on('end', () => {
      const answer = introspect(new URLSearchParams(body).get('token') ?? '')
      const answerNow = () => {
        send(res, 200, answer)
        recordLatency(performance.now() - arrived)
      }
      if (delayMs > 0) setTimeout(answerNow, delayMs)
      else answerNow()
    })
    return
  }
  send(res, 404, '{"error":"not_found"}')
})
server.keepAliveTimeout = 60_000

server.listen(0, '127.0.0.1', () => {
  const address = /** @type {import('node:net').AddressInfo} */ (server.address())
  issuer = `http://127.0.0.1:${address.port}`
  process.send?.({ type: 'ready', port: address.port })
})

process.on('message', (/** @type {any} */ msg) => {
  if (msg?.type === 'stats') process.send?.({ type: 'stats', ...calls, latency: latencySummary() })
  if (msg?.type === 'reset-latency') {
    latencyCount = 0
    process.send?.({ type: 'reset-latency' })
  }
  if (msg?.type === 'delay') {
    delayMs = Number(msg.ms)
    process.send?.({ type: 'delay', ms: delayMs })
  }
})
process.on('disconnect', () => process.exit(0))
