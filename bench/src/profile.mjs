#!/usr/bin/env node
// Profiles one server under load: starts the stack with that scenario only, runs the server with
// `node --cpu-prof`, drives it with the load generator, then prints the functions with the most
// self time (and where the .cpuprofile is, for Chrome DevTools).
//   node src/profile.mjs <scenario> <hot|distinct|invalid|opaque-hot|opaque-distinct> [seconds] [connections]
// Run `tsc -b` first (the servers load the packages' dist/). PROFILE_NODE_ARGS adds node flags to
// the server (e.g. PROFILE_NODE_ARGS=--trace-deopt).
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SCENARIO_INFO } from './checks.mjs'
import { ask, startProcess, startStack } from './stack.mjs'

const [scenario, token = 'hot', seconds = '10', connections = '10'] = process.argv.slice(2)
if (scenario === undefined || SCENARIO_INFO[scenario] === undefined) {
  console.error(
    `usage: profile.mjs <${Object.keys(SCENARIO_INFO).join('|')}> <token mode> [seconds] [connections]`,
  )
  process.exit(2)
}
const profDir = mkdtempSync(join(tmpdir(), 'hydrakit-prof-'))
const stack = await startStack({
  scenarios: [scenario],
  poolSize: token === 'distinct' ? 30_000 : 10,
  delayMs: 5,
  serverNodeArgs: [
    '--cpu-prof',
    `--cpu-prof-dir=${profDir}`,
    ...(process.env.PROFILE_NODE_ARGS ?? '').split(' ').filter(Boolean),
  ],
})
const loader = await startProcess('load.mjs', {}, stack.pinning?.load)
const server = /** @type {{ url: string, child: import('node:child_process').ChildProcess }} */ (
  stack.servers.get(scenario)
)
const auth =
  token === 'distinct'
    ? { kind: 'pool', poolFile: stack.poolFile }
    : token === 'opaque-distinct'
      ? { kind: 'mint', secret: stack.secret.toString('hex'), prefix: 'p' }
      : {
          kind: 'hot',
          token:
            token === 'invalid'
              ? stack.tokens.rsWrongSignature
              : token === 'opaque-hot'
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
const cpu0 = await stack.serverCpu(scenario)
const { result } = await ask(loader.child, { type: 'go' }, 'result')
const cpu1 = await stack.serverCpu(scenario)
console.log(
  `${scenario} ${token}: ${result.rps.toFixed(0)} rps, p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms, ` +
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
const profile = JSON.parse(readFileSync(join(profDir, file), 'utf8'))
/** @type {Map<number, any>} */
const nodes = new Map(profile.nodes.map((/** @type {any} */ n) => [n.id, n]))
/** @type {Map<number, number>} */
const self = new Map()
const deltas = profile.timeDeltas
for (let i = 0; i < profile.samples.length; i++) {
  self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (deltas[i] ?? 0))
}
/** @type {Map<string, number>} */
const byFunction = new Map()
/** @type {Map<string, number>} */
const byModule = new Map()
let total = 0
for (const [id, micros] of self) {
  const n = nodes.get(id)
  const cf = n.callFrame
  const where =
    cf.url === ''
      ? ''
      : ` ${cf.url.replace(/^.*node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?/, '').replace(/^file:\/\/.*\/packages\//, 'packages/')}:${cf.lineNumber + 1}`
  const key = `${cf.functionName || '(anonymous)'}${where}`
  byFunction.set(key, (byFunction.get(key) ?? 0) + micros)
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
  byModule.set(module, (byModule.get(module) ?? 0) + micros)
  total += micros
}
const idle = [...byFunction.entries()].filter(([k]) => k.startsWith('(idle)')).reduce((n, [, v]) => n + v, 0)
console.log(
  `profile: ${join(profDir, file)}; busy ${((total - idle) / 1000).toFixed(0)} ms of ${(total / 1000).toFixed(0)} ms`,
)
console.log('self time by module:')
for (const [name, micros] of [...byModule.entries()]
  .filter(([k]) => k !== '(idle)')
  .sort((a, b) => b[1] - a[1])
  .slice(0, 16)) {
  console.log(`${((100 * micros) / (total - idle)).toFixed(1).padStart(5)} %  ${name}`)
}
console.log('self time by function:')
for (const [name, micros] of [...byFunction.entries()]
  .filter(([k]) => !k.startsWith('(idle)'))
  .sort((a, b) => b[1] - a[1])
  .slice(0, 40)) {
  console.log(`${((100 * micros) / (total - idle)).toFixed(1).padStart(5)} %  ${name}`)
}
