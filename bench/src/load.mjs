// The load generator: one long-lived process (pinned to its own CPU) that runs autocannon jobs sent
// by run.mjs over IPC. Per job: a warm-up run (discarded), a handshake so the harness can snapshot
// server CPU and upstream counters, then the measured run. Latencies are recorded per response with
// sub-millisecond precision (autocannon's own histogram has 1 ms buckets).
//
// Token modes:
//   none  no Authorization header
//   hot   one token on every request
//   pool  a pool of distinct tokens, in order, one per request (the cursor carries on across jobs)
//   mint  a new opaque token per request (`ory_at_<prefix><n>.<mac>`), never seen before
import { readFileSync } from 'node:fs'
import autocannon from 'autocannon'
import { mintOpaque } from './tokens.mjs'

/** @type {Map<string, string[]>} */
const pools = new Map()
/** @type {Map<string, number>} */
const cursors = new Map()
let minted = 0

/** @param {string} file */
function pool(file) {
  let tokens = pools.get(file)
  if (tokens === undefined) {
    tokens = JSON.parse(readFileSync(file, 'utf8'))
    pools.set(/** @type {string} */ (file), /** @type {string[]} */ (tokens))
  }
  return /** @type {string[]} */ (tokens)
}

/**
 * @param {any} job
 * @param {boolean} record
 */
function run(job, record, seconds) {
  const auth = job.auth
  /** @type {Record<string, string>} */
  const baseHeaders = {}
  let sent = 0
  /** @type {any} */
  const opts = {
    url: job.url,
    connections: job.connections,
    duration: seconds,
    pipelining: 1,
    timeout: 10,
  }
  if (auth.kind === 'hot') {
    opts.headers = { authorization: `Bearer ${auth.token}` }
  } else if (auth.kind === 'pool' || auth.kind === 'mint') {
    const tokens = auth.kind === 'pool' ? pool(auth.poolFile) : []
    const secret = auth.kind === 'mint' ? Buffer.from(auth.secret, 'hex') : Buffer.alloc(0)
    opts.requests = [
      {
        method: 'GET',
        path: '/api',
        setupRequest(/** @type {any} */ req) {
          sent++
          let token
          if (auth.kind === 'pool') {
            const at = cursors.get(auth.poolFile) ?? 0
            cursors.set(auth.poolFile, (at + 1) % tokens.length)
            token = tokens[at]
          } else {
            token = mintOpaque(secret, `${auth.prefix}${(minted++).toString(36)}`)
          }
          req.headers = { ...baseHeaders, authorization: `Bearer ${token}` }
          return req
        },
      },
    ]
  }
  let latencies = new Float64Array(record ? 1 << 16 : 0)
  let count = 0
  /** @type {Record<string, number>} */
  const statuses = {}
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint()
    const instance = autocannon(opts, (err, result) => {
      if (err) return reject(err)
      const elapsed = Number(process.hrtime.bigint() - started) / 1e9
      const sorted = latencies.subarray(0, count).sort()
      /** @param {number} p */
      const pct = (p) => (count === 0 ? NaN : sorted[Math.min(count - 1, Math.floor((p / 100) * count))])
      resolve({
        responses: count,
        elapsed,
        rps: count / seconds,
        p50: pct(50),
        p99: pct(99),
        statuses,
        errors: result.errors,
        timeouts: result.timeouts,
        sent: auth.kind === 'hot' || auth.kind === 'none' ? undefined : sent,
      })
    })
    instance.on(
      'response',
      (/** @type {any} */ _client, /** @type {number} */ status, _bytes, /** @type {number} */ ms) => {
        statuses[status] = (statuses[status] ?? 0) + 1
        if (!record) return
        if (count === latencies.length) {
          const bigger = new Float64Array(latencies.length * 2)
          bigger.set(latencies)
          latencies = bigger
        }
        latencies[count++] = ms
      },
    )
  })
}

/** @type {((value?: unknown) => void) | undefined} */
let go

process.on('message', async (/** @type {any} */ msg) => {
  if (msg?.type === 'go') {
    go?.()
    return
  }
  if (msg?.type !== 'job') return
  const job = msg.job
  try {
    if (job.warmupSec > 0) await run(job, false, job.warmupSec)
    const ready = new Promise((resolve) => (go = resolve))
    process.send?.({ type: 'warm', id: job.id })
    await ready
    const result = await run(job, true, job.durationSec)
    process.send?.({ type: 'result', id: job.id, result })
  } catch (err) {
    process.send?.({ type: 'result', id: job.id, error: String(err) })
  }
})
process.on('disconnect', () => process.exit(0))
process.send?.({ type: 'ready' })
