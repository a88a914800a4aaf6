// Starts the processes of one benchmark run: the upstream (issuer + introspection), one server per
// scenario, and the load generator, each pinned to its CPU with `taskset` where that is available.
// Shared by run.mjs and by the correctness test in bench/test.
import { fork, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { hydraClaims, makeKey, mintOpaque, signJwt, tamperSignature } from './tokens.mjs'

const here = fileURLToPath(new URL('.', import.meta.url))

/**
 * CPU placement: the server under test gets CPU 0 to itself; the load generator and the upstream
 * share CPU 1. `undefined` when `taskset` is missing or the machine has one CPU (then nothing is pinned).
 */
export function detectPinning() {
  if (availableParallelism() < 2) return undefined
  const probe = spawnSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' })
  if (probe.error !== undefined || probe.status !== 0) return undefined
  return { server: '0', load: '1' }
}

/**
 * Forks `script` (optionally through `taskset -c cpu`) with an IPC channel and waits for its
 * `{ type: 'ready' }` message.
 * @param {string} script
 * @param {Record<string, string>} env
 * @param {string | undefined} cpu
 * @param {string[]} [nodeArgs]
 * @returns {Promise<{ child: import('node:child_process').ChildProcess, ready: any }>}
 */
export function startProcess(script, env, cpu, nodeArgs = []) {
  const options = {
    env: { ...process.env, NODE_ENV: 'production', ...env },
    stdio: /** @type {any} */ (['ignore', 'inherit', 'inherit', 'ipc']),
    execArgv: nodeArgs,
  }
  const child =
    cpu === undefined
      ? fork(join(here, script), [], options)
      : fork(join(here, script), [], {
          ...options,
          // fork() runs `execPath execArgv script`; with taskset as execPath the node binary moves into execArgv.
          execPath: 'taskset',
          execArgv: ['-c', cpu, process.execPath, ...nodeArgs],
        })
  return new Promise((resolve, reject) => {
    const onExit = (/** @type {number | null} */ code) => reject(new Error(`${script} exited with ${code}`))
    child.once('exit', onExit)
    child.once('error', reject)
    child.on('message', function onMessage(/** @type {any} */ msg) {
      if (msg?.type !== 'ready') return
      child.off('message', onMessage)
      child.off('exit', onExit)
      resolve({ child, ready: msg })
    })
  })
}

/**
 * Sends `message` and resolves with the first reply of type `replyType`.
 * @param {import('node:child_process').ChildProcess} child
 * @param {any} message
 * @param {string} replyType
 * @returns {Promise<any>}
 */
export function ask(child, message, replyType) {
  return new Promise((resolve) => {
    child.on('message', function onMessage(/** @type {any} */ msg) {
      if (msg?.type !== replyType) return
      child.off('message', onMessage)
      resolve(msg)
    })
    child.send(message)
  })
}

/**
 * @typedef {object} Stack
 * @property {string} issuer
 * @property {string} dir temporary directory holding the token pool
 * @property {Buffer} secret HMAC secret of opaque tokens
 * @property {Record<string, string>} tokens named single tokens (valid and invalid)
 * @property {string} poolFile JSON array of distinct valid RS256 tokens
 * @property {number} poolSize
 * @property {import('node:child_process').ChildProcess} upstream
 * @property {Map<string, { url: string, child: import('node:child_process').ChildProcess }>} servers
 * @property {{ server: string, load: string } | undefined} pinning
 * @property {() => Promise<{ introspection: number, jwks: number, discovery: number, latency: { count: number, p50: number, p99: number } }>} upstreamStats
 * @property {() => Promise<void>} resetUpstreamLatency
 * @property {(ms: number) => Promise<void>} setDelay
 * @property {(scenario: string) => Promise<unknown>} clearCaches empties the server's hydrakit result caches
 * @property {(scenario: string) => Promise<{ cpuMicros: number, rss: number }>} serverCpu
 * @property {(scenario: string, on: boolean) => Promise<{ count: number, p50: number, p99: number }>} trackLatency
 *   starts (on) or stops server-side latency recording; answers what was recorded since the last call
 * @property {() => void} close
 */

/**
 * @param {{ scenarios: string[], poolSize: number, delayMs?: number, pin?: boolean, serverNodeArgs?: string[] }} options
 * @returns {Promise<Stack>}
 */
export async function startStack(options) {
  const pinning = options.pin === false ? undefined : detectPinning()
  const dir = mkdtempSync(join(tmpdir(), 'hydrakit-bench-'))
  const rs = makeKey('RS256', 'bench-rs')
  const es = makeKey('ES256', 'bench-es')
  const secret = randomBytes(32)
  /** @type {import('node:child_process').ChildProcess[]} */
  const children = []
  const close = () => {
    for (const child of children) child.kill()
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    const up = await startProcess(
      'upstream.mjs',
      {
        BENCH_UPSTREAM: JSON.stringify({
          jwks: { keys: [rs.publicJwk, es.publicJwk] },
          secret: secret.toString('hex'),
          delayMs: options.delayMs ?? 0,
        }),
      },
      pinning?.load,
    )
    children.push(up.child)
    const issuer = `http://127.0.0.1:${up.ready.port}`
    const day = 24 * 3600
    const tokens = {
      rsHot: signJwt(rs, hydraClaims(issuer, 0, day)),
      esHot: signJwt(es, hydraClaims(issuer, 0, day)),
      opaqueHot: mintOpaque(secret, `hot${randomBytes(6).toString('hex')}`),
      // Invalid ones: each must be refused with 401.
      rsWrongSignature: tamperSignature(signJwt(rs, hydraClaims(issuer, 1, day))),
      rsExpired: signJwt(rs, { ...hydraClaims(issuer, 2, day), exp: Math.floor(Date.now() / 1000) - 60 }),
      rsOtherAudience: signJwt(rs, { ...hydraClaims(issuer, 3, day), aud: ['other-api'] }),
      malformed: 'eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln',
      opaqueUnknown: `ory_at_${randomBytes(24).toString('base64url')}`,
    }
    const pool = []
    for (let i = 0; i < options.poolSize; i++) pool.push(signJwt(rs, hydraClaims(issuer, 1000 + i, day)))
    const poolFile = join(dir, 'pool-rs256.json')
    writeFileSync(poolFile, JSON.stringify(pool))

    /** @type {Stack['servers']} */
    const servers = new Map()
    // Start servers two at a time: they are small, but 2 CPUs is all there is.
    for (let i = 0; i < options.scenarios.length; i += 2) {
      const batch = options.scenarios.slice(i, i + 2)
      const started = await Promise.all(
        batch.map((scenario) =>
          startProcess(
            'server.mjs',
            { BENCH_SERVER: JSON.stringify({ scenario, issuer, adminUrl: issuer }) },
            pinning?.server,
            options.serverNodeArgs,
          ),
        ),
      )
      started.forEach(({ child, ready }, j) => {
        children.push(child)
        servers.set(/** @type {string} */ (batch[j]), { url: `http://127.0.0.1:${ready.port}/api`, child })
      })
    }

    return {
      issuer,
      dir,
      secret,
      tokens,
      poolFile,
      poolSize: pool.length,
      upstream: up.child,
      servers,
      pinning,
      upstreamStats: () => ask(up.child, { type: 'stats' }, 'stats'),
      resetUpstreamLatency: async () => {
        await ask(up.child, { type: 'reset-latency' }, 'reset-latency')
      },
      setDelay: async (ms) => {
        await ask(up.child, { type: 'delay', ms }, 'delay')
      },
      trackLatency: (scenario, on) => {
        const server = servers.get(scenario)
        if (server === undefined) throw new Error(`no server for ${scenario}`)
        return ask(server.child, { type: 'track', on }, 'track')
      },
      clearCaches: (scenario) => {
        const server = servers.get(scenario)
        if (server === undefined) throw new Error(`no server for ${scenario}`)
        return ask(server.child, { type: 'clear' }, 'clear')
      },
      serverCpu: (scenario) => {
        const server = servers.get(scenario)
        if (server === undefined) throw new Error(`no server for ${scenario}`)
        return ask(server.child, { type: 'cpu' }, 'cpu')
      },
      close,
    }
  } catch (err) {
    close()
    throw err
  }
}
