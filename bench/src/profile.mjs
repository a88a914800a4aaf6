#!/usr/bin/env node
// Profiles one server under load: starts the stack with that scenario only, runs the server with
// `node --cpu-prof`, drives it with the load generator, then prints where its CPU time went, per
// request: by kind of work, by module and by function (and where the .cpuprofile is, for Chrome
// DevTools).
//   node src/profile.mjs <scenario> <token mode> [seconds] [connections] [--vs <scenario> <token mode>]
// Token modes: hot, distinct, invalid, opaque-hot, opaque-distinct. With --vs the second scenario
// is profiled right after the first, and each line shows both and the difference (first − second),
// in µs of self time per request: e.g. hydrakit against the same framework with a pass-through
// middleware, or a distinct-token run against the raw floor.
// Run `tsc -b` first (the servers load the packages' dist/). PROFILE_NODE_ARGS adds node flags to
// the server (e.g. PROFILE_NODE_ARGS=--trace-deopt).
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SCENARIO_INFO } from './checks.mjs'
import { ask, startProcess, startStack } from './stack.mjs'

const args = process.argv.slice(2)
const vsAt = args.indexOf('--vs')
const vs = vsAt === -1 ? undefined : { scenario: args[vsAt + 1], token: args[vsAt + 2] ?? 'hot' }
const positional = vsAt === -1 ? args : args.slice(0, vsAt)
const [scenario, token = 'hot', seconds = '10', connections = '10'] = positional
for (const s of vs === undefined ? [scenario] : [scenario, vs.scenario]) {
  if (s === undefined || SCENARIO_INFO[s] === undefined) {
    console.error(
      `usage: profile.mjs <${Object.keys(SCENARIO_INFO).join('|')}> <token mode> [seconds] [connections] [--vs <scenario> <token mode>]`,
    )
    process.exit(2)
  }
}

/**
 * @typedef {object} Profiled
 * @property {string} label
 * @property {string} file
 * @property {number} responses
 * @property {Map<string, number>} byFunction µs of self time per request
 * @property {Map<string, number>} byModule
 * @property {Map<string, number>} byKind
 */

/**
 * @param {string} name
 * @param {string} mode
 * @returns {Promise<Profiled>}
 */
async function profile(name, mode) {
  const profDir = mkdtempSync(join(tmpdir(), 'hydrakit-prof-'))
  const stack = await startStack({
    scenarios: [name],
    poolSize: mode === 'distinct' ? 30_000 : 10,
    delayMs: 5,
    serverNodeArgs: [
      '--cpu-prof',
      `--cpu-prof-dir=${profDir}`,
      ...(process.env.PROFILE_NODE_ARGS ?? '').split(' ').filter(Boolean),
    ],
  })
  const loader = await startProcess('load.mjs', {}, stack.pinning?.load)
  const server = /** @type {{ url: string, child: import('node:child_process').ChildProcess }} */ (
    stack.servers.get(name)
  )
  const auth =
    mode === 'distinct'
      ? { kind: 'pool', poolFile: stack.poolFile }
      : mode === 'opaque-distinct'
        ? { kind: 'mint', secret: stack.secret.toString('hex'), prefix: 'p' }
        : {
            kind: 'hot',
            token:
              mode === 'invalid'
                ? stack.tokens.rsWrongSignature
                : mode === 'opaque-hot'
                  ? stack.tokens.opaqueHot
                  : stack.tokens.rsHot,
          }
  const job = {
    id: 1,
    url: server.url,
    connections: Number(connections),
    durationSec: Number(seconds),
    warmupSec: 1,
    auth,
  }
  await ask(loader.child, { type: 'job', job }, 'warm')
  const cpu0 = await stack.serverCpu(name)
  const { result } = await ask(loader.child, { type: 'go' }, 'result')
  const cpu1 = await stack.serverCpu(name)
  console.log(
    `${name} ${mode}: ${result.rps.toFixed(0)} rps, p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms, ` +
      `${((cpu1.cpuMicros - cpu0.cpuMicros) / result.responses).toFixed(0)} µs CPU/req, statuses ${JSON.stringify(result.statuses)}`,
  )
  loader.child.kill()
  // A clean exit (the server exits when its IPC channel closes) lets node write the profile.
  const exited = new Promise((resolve) => server.child.once('exit', resolve))
  server.child.disconnect()
  await exited
  stack.close()

  const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'))
  if (file === undefined) throw new Error('no profile written')
  const path = join(profDir, file)
  // The profile also holds the warm-up's requests (and start-up): the load generator counts only
  // the measured ones, so the warm-up's are estimated at the measured rate.
  const responses = result.responses * ((Number(seconds) + job.warmupSec) / Number(seconds))
  return { label: `${name} ${mode}`, file: path, responses, ...attribute(path, responses) }
}

/**
 * Self time per request, by function, module and kind of work.
 * @param {string} path
 * @param {number} responses
 */
function attribute(path, responses) {
  const profile = JSON.parse(readFileSync(path, 'utf8'))
  /** @type {Map<number, any>} */
  const nodes = new Map(profile.nodes.map((/** @type {any} */ n) => [n.id, n]))
  /** @type {Map<string, number>} */
  const byFunction = new Map()
  /** @type {Map<string, number>} */
  const byModule = new Map()
  /** @type {Map<string, number>} */
  const byKind = new Map()
  const add = (/** @type {Map<string, number>} */ m, /** @type {string} */ k, /** @type {number} */ v) =>
    m.set(k, (m.get(k) ?? 0) + v)
  for (let i = 0; i < profile.samples.length; i++) {
    const cf = nodes.get(profile.samples[i]).callFrame
    if (cf.functionName === '(idle)') continue
    const micros = (profile.timeDeltas[i] ?? 0) / responses
    const where =
      cf.url === ''
        ? ''
        : ` ${cf.url.replace(/^.*node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?/, '').replace(/^file:\/\/.*\/packages\//, 'packages/')}:${cf.lineNumber + 1}`
    add(byFunction, `${cf.functionName || '(anonymous)'}${where}`, micros)
    const module =
      cf.url === ''
        ? cf.functionName.startsWith('(')
          ? cf.functionName
          : cf.functionName.startsWith('RegExp:')
            ? 'regexp'
            : 'native'
        : cf.url.includes('/packages/')
          ? `hydrakit ${cf.url.replace(/^.*\/packages\/([^/]+)\/.*$/, '$1')}`
          : cf.url.includes('node_modules/')
            ? cf.url.replace(/^.*node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?((@[^/]+\/)?[^/]+).*$/, '$2')
            : cf.url.startsWith('node:')
              ? cf.url.replace(/^node:(internal\/)?([^/]+).*$/, 'node:$2')
              : 'other'
    add(byModule, module, micros)
    add(byKind, kindOf(module, cf.functionName), micros)
  }
  return { byFunction, byModule, byKind }
}

/**
 * The kind of work a module does, for the coarse table: the signature math, hydrakit's own code
 * (its regular expressions included), the web framework, Node's HTTP and stream machinery (with the
 * writes to the socket), garbage collection, and the rest.
 * @param {string} module
 * @param {string} fn
 */
function kindOf(module, fn) {
  if (module === 'node:crypto') return 'signature math (node:crypto)'
  if (module.startsWith('hydrakit')) return 'hydrakit'
  if (module === 'regexp') return 'regular expressions'
  if (module === '(garbage collector)') return 'garbage collection'
  if (module === '(program)') return 'V8 and native, unattributed'
  if (['express', 'koa', 'fastify', 'hono', '@hono/node-server', 'find-my-way', 'avvio'].includes(module)) {
    return 'framework'
  }
  if (
    module.startsWith('node:') ||
    (module === 'native' && /^(writev|writeBuffer|writeUtf8String|latin1Write|utf8Write)/.test(fn))
  ) {
    return 'node:http, streams, events, socket writes'
  }
  return 'other (libraries, native helpers)'
}

/** @param {Map<string, number>} m */
const total = (m) => [...m.values()].reduce((a, b) => a + b, 0)
const us = (/** @type {number} */ v) => v.toFixed(2).padStart(8)

const first = await profile(scenario, token)
if (vs === undefined) {
  console.log(`profile: ${first.file}; ${total(first.byFunction).toFixed(1)} µs busy per request`)
  for (const [title, m, n] of /** @type {const} */ ([
    ['by kind of work', first.byKind, 10],
    ['by module', first.byModule, 16],
    ['by function', first.byFunction, 40],
  ])) {
    console.log(`self time per request, ${title}:`)
    for (const [name, v] of [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n)) {
      console.log(`${us(v)} µs  ${((100 * v) / total(first.byFunction)).toFixed(1).padStart(5)} %  ${name}`)
    }
  }
} else {
  const second = await profile(vs.scenario, vs.token)
  console.log(`profiles: ${first.file} and ${second.file}`)
  console.log(`columns: µs of self time per request in [A] ${first.label}, [B] ${second.label}, and A − B`)
  console.log(
    `${us(total(first.byFunction))} ${us(total(second.byFunction))} ${us(total(first.byFunction) - total(second.byFunction))}  all`,
  )
  for (const [title, a, b, n] of /** @type {const} */ ([
    ['by kind of work', first.byKind, second.byKind, 10],
    ['by module', first.byModule, second.byModule, 16],
    ['by function', first.byFunction, second.byFunction, 40],
  ])) {
    console.log(`${title} (largest differences first):`)
    const names = [...new Set([...a.keys(), ...b.keys()])]
    names.sort(
      (x, y) => Math.abs((a.get(y) ?? 0) - (b.get(y) ?? 0)) - Math.abs((a.get(x) ?? 0) - (b.get(x) ?? 0)),
    )
    for (const name of names.slice(0, n)) {
      const x = a.get(name) ?? 0
      const y = b.get(name) ?? 0
      console.log(`${us(x)} ${us(y)} ${us(x - y)}  ${name}`)
    }
  }
}
