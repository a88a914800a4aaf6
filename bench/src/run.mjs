#!/usr/bin/env node
// hydrakit benchmark: throughput and latency of `GET /api` behind hydrakit and its peers, against
// the bare frameworks, plus an in-process micro benchmark of the verify step and a cache memory test.
//
//   npx --yes pnpm@10.34.8 --filter @hydrakit/bench run bench         full run (~12 min on 2 cores)
//   npx --yes pnpm@10.34.8 --filter @hydrakit/bench run bench:quick   quick run (~2 min)
//
// Options: --quick, --rounds N, --duration S, --warmup S, --only <substring[,substring…]>, --no-build,
// --no-micro, --no-memory, --no-cold, --out <file.md> (default bench/results/<mode>-<date>.md).
// `--remeasure-memory <results.json> [reason]` runs the cache memory test again into a saved run.
// `--render <results.json>` rewrites the Markdown next to a saved JSON from its measurements
// (after a change to the report's text; nothing is measured).
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { benchCases } from './cases.mjs'
import { checkScenario, SCENARIO_INFO } from './checks.mjs'
import { renderReport } from './report.mjs'
import { ask, startProcess, startStack } from './stack.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const benchDir = join(here, '..')
const root = join(benchDir, '..')

/** @param {string[]} argv */
function parseArgs(argv) {
  const quick = argv.includes('--quick')
  /** @param {string} name @param {number} fallback */
  const num = (name, fallback) => {
    const i = argv.indexOf(name)
    return i === -1 ? fallback : Number(argv[i + 1])
  }
  /** @param {string} name */
  const str = (name) => {
    const i = argv.indexOf(name)
    return i === -1 ? undefined : argv[i + 1]
  }
  return {
    mode: quick ? 'quick' : 'full',
    rounds: num('--rounds', quick ? 1 : 5),
    durationSec: num('--duration', quick ? 2 : 3),
    warmupSec: num('--warmup', quick ? 0.5 : 1),
    // Three times the JWT verifier's default result cache (10 000 entries). The servers' result
    // caches are emptied before each distinct-token run, and a token comes back only after
    // 30 000 others, past the admission doorkeeper's memory: (nearly) every request of the
    // `distinct` mode is a full verification.
    poolSize: num('--pool', 30_000),
    upstreamDelayMs: num('--delay', 5),
    memoryTokens: num('--memory-tokens', quick ? 200_000 : 1_000_000),
    only: str('--only'),
    build: !argv.includes('--no-build'),
    micro: !argv.includes('--no-micro'),
    memory: !argv.includes('--no-memory'),
    cold: !argv.includes('--no-cold'),
    out: str('--out'),
  }
}

function build() {
  const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc')
  console.log('building the workspace (tsc -b) …')
  const r = spawnSync(process.execPath, [tsc, '-b'], { cwd: root, stdio: 'inherit' })
  if (r.status !== 0) throw new Error('tsc -b failed')
}

/** @param {number[]} values */
export function median(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b)
  if (sorted.length === 0) return NaN
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1
    ? /** @type {number} */ (sorted[mid])
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2
}

/**
 * Runs a child script that prints one JSON document to stdout.
 * @param {string} script
 * @param {string[]} args
 * @param {string | undefined} cpu
 * @param {string[]} [nodeArgs]
 */
function runJsonChild(script, args, cpu, nodeArgs = []) {
  const cmd = cpu === undefined ? process.execPath : 'taskset'
  const argv = [
    ...(cpu === undefined ? [] : ['-c', cpu, process.execPath]),
    ...nodeArgs,
    join(here, script),
    ...args,
  ]
  const r = spawnSync(cmd, argv, {
    encoding: 'utf8',
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 * 1024 * 1024,
  })
  if (r.status !== 0) throw new Error(`${script} failed (exit ${r.status})`)
  return JSON.parse(r.stdout)
}

/**
 * Re-renders the Markdown report of a saved run from its JSON (no measuring). `change` may alter
 * the saved data first (see --remeasure-memory).
 * @param {string} file
 * @param {(data: any) => void} [change]
 */
function rerender(file, change) {
  const data = JSON.parse(readFileSync(file, 'utf8'))
  change?.(data)
  const cases = data.aggregates.map((/** @type {any} */ a) => a.case)
  const report = renderReport({
    opts: data.opts,
    env: data.env,
    pinning: data.pinning,
    cases,
    runs: new Map(Object.entries(data.runs)),
    checks: data.checks,
    micro: data.micro,
    memory: data.memory,
    cold: data.cold,
    notes: data.notes,
    elapsedSec: data.elapsedSec,
    command: data.command,
    scenarioInfo: SCENARIO_INFO,
    median,
  })
  writeFileSync(file.replace(/\.json$/, '.md'), report.markdown)
  writeFileSync(file, JSON.stringify({ ...report.data }, null, 2) + '\n')
  console.log(report.summary)
}

async function main() {
  const renderIndex = process.argv.indexOf('--render')
  if (renderIndex !== -1) {
    rerender(/** @type {string} */ (process.argv[renderIndex + 1]))
    return
  }
  // Measures the cache memory test again (e.g. after a fix to it) into a saved run, and says so in
  // the report's notes: the server measurements are kept as they were.
  const memoryIndex = process.argv.indexOf('--remeasure-memory')
  if (memoryIndex !== -1) {
    const file = /** @type {string} */ (process.argv[memoryIndex + 1])
    const reason = process.argv[memoryIndex + 2] ?? 'the memory test changed'
    rerender(file, (data) => {
      data.memory = ['jwt', 'introspection'].map((cache) =>
        runJsonChild('memory.mjs', [cache, String(data.opts.memoryTokens)], data.pinning?.server, [
          '--expose-gc',
        ]),
      )
      data.notes = [
        ...(data.notes ?? []),
        `Cache memory (T7) measured again on ${new Date().toISOString()} (\`run.mjs --remeasure-memory\`): ${reason}.`,
      ]
    })
    return
  }
  const opts = parseArgs(process.argv.slice(2))
  const started = new Date()
  if (opts.build) build()
  let cases = benchCases()
  if (opts.only !== undefined) {
    // Several substrings may be given, comma-separated: a case runs when its id contains any.
    const parts = /** @type {string} */ (opts.only).split(',').filter((p) => p !== '')
    cases = cases.filter((c) => parts.some((p) => c.id.includes(p)))
  }
  const scenarios = [...new Set(cases.map((c) => c.scenario))]
  const env = {
    date: started.toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cpus: availableParallelism(),
    loadBefore: loadavg(),
  }
  console.log(`mode ${opts.mode}: ${cases.length} cases × ${opts.rounds} rounds × ${opts.durationSec}s`)

  const t0 = Date.now()
  const stack = await startStack({ scenarios, poolSize: opts.poolSize })
  console.log(
    `stack up in ${((Date.now() - t0) / 1000).toFixed(1)}s; pinning: ${JSON.stringify(stack.pinning)}`,
  )
  env.tokenBytes = stack.tokens.rsHot.length
  const loader = await startProcess('load.mjs', {}, stack.pinning?.load)
  /** @type {import('./checks.mjs').CheckResult[]} */
  let checks = []
  /** @type {Map<string, any[]>} */
  const runs = new Map(cases.map((c) => [c.id, []]))
  let micro
  let memory
  try {
    // Gate: every scenario must refuse invalid tokens and accept valid ones before it is measured.
    for (const scenario of scenarios) checks.push(...(await checkScenario(stack, scenario)))
    const failed = new Set(checks.filter((c) => !c.ok).map((c) => c.scenario))
    for (const c of checks.filter((x) => !x.ok))
      console.log(`CHECK FAILED ${c.scenario}: ${c.check} (${c.detail})`)
    await stack.setDelay(opts.upstreamDelayMs)

    let jobId = 0
    for (let round = 1; round <= opts.rounds; round++) {
      for (const c of cases) {
        if (failed.has(c.scenario)) continue
        const server = /** @type {{ url: string }} */ (stack.servers.get(c.scenario))
        const job = {
          id: ++jobId,
          url: server.url,
          connections: c.connections,
          durationSec: opts.durationSec,
          warmupSec: opts.warmupSec,
          auth: authFor(stack, c.token, round),
        }
        if (c.token === 'distinct') await stack.clearCaches(c.scenario)
        const warm = ask(loader.child, { type: 'job', job }, 'warm')
        await warm
        await stack.resetUpstreamLatency()
        const track = c.token === 'opaque-distinct'
        if (track) await stack.trackLatency(c.scenario, true)
        const [cpu0, up0] = await Promise.all([stack.serverCpu(c.scenario), stack.upstreamStats()])
        const result = ask(loader.child, { type: 'go' }, 'result')
        const { result: r, error } = await result
        const [cpu1, up1] = await Promise.all([stack.serverCpu(c.scenario), stack.upstreamStats()])
        const serverSide = track ? await stack.trackLatency(c.scenario, false) : undefined
        if (error !== undefined) throw new Error(`${c.id}: ${error}`)
        const unexpected = Object.entries(r.statuses)
          .filter(([status]) => Number(status) !== c.expect)
          .reduce((n, [, count]) => n + Number(count), 0)
        const run = {
          round,
          rps: r.rps,
          p50: r.p50,
          p99: r.p99,
          responses: r.responses,
          cpuPerReq: (cpu1.cpuMicros - cpu0.cpuMicros) / Math.max(1, r.responses),
          rss: cpu1.rss,
          upstreamCalls: up1.introspection - up0.introspection,
          upstreamP50: up1.latency.p50,
          upstreamP99: up1.latency.p99,
          serverP99: serverSide?.p99,
          jwksCalls: up1.jwks - up0.jwks,
          distinct: c.token === 'distinct' || c.token === 'opaque-distinct' ? r.sent : 1,
          unexpected,
          errors: r.errors + r.timeouts,
          valid: unexpected === 0 && r.errors === 0 && r.timeouts === 0 && r.responses > 0,
        }
        runs.get(c.id)?.push(run)
        console.log(
          `[${round}/${opts.rounds}] ${c.id.padEnd(48)} ${r.rps.toFixed(0).padStart(6)} rps ` +
            `p50 ${r.p50.toFixed(2)} ms p99 ${r.p99.toFixed(2)} ms cpu ${run.cpuPerReq.toFixed(0)} µs/req` +
            (run.valid ? '' : `  INVALID (${unexpected} unexpected statuses, ${run.errors} errors)`),
        )
      }
    }
  } finally {
    loader.child.kill()
    stack.close()
  }
  if (opts.micro) {
    console.log('micro benchmark of the verify step …')
    micro = runJsonChild('micro.mjs', opts.mode === 'quick' ? ['--quick'] : [], stack.pinning?.server)
  }
  if (opts.memory) {
    console.log(`cache memory test (${opts.memoryTokens} distinct tokens per cache) …`)
    memory = ['jwt', 'introspection'].map((cache) =>
      runJsonChild('memory.mjs', [cache, String(opts.memoryTokens)], stack.pinning?.server, ['--expose-gc']),
    )
  }
  let cold
  if (opts.cold) {
    console.log('cold import times …')
    const dir = mkdtempSync(join(tmpdir(), 'hydrakit-cold-'))
    try {
      const file = join(dir, 'cold.json')
      const args = [
        join(here, 'cold-import.mjs'),
        '--runs',
        opts.mode === 'quick' ? '5' : '15',
        '--out',
        file,
      ]
      const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] })
      if (r.status !== 0) throw new Error(`cold-import.mjs failed (exit ${r.status})`)
      cold = JSON.parse(readFileSync(file, 'utf8'))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
  env.loadAfter = loadavg()
  const elapsedSec = (Date.now() - t0) / 1000

  const report = renderReport({
    opts,
    env,
    pinning: stack.pinning,
    cases,
    runs,
    checks,
    micro,
    memory,
    cold,
    elapsedSec,
    command:
      opts.mode === 'quick'
        ? 'npx --yes pnpm@10.34.8 --filter @hydrakit/bench run bench:quick'
        : 'npx --yes pnpm@10.34.8 --filter @hydrakit/bench run bench',
    scenarioInfo: SCENARIO_INFO,
    median,
  })
  const day = started.toISOString().slice(0, 10)
  const out = opts.out ?? join(benchDir, 'results', `${opts.mode}-${day}.md`)
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(out, report.markdown)
  writeFileSync(out.replace(/\.md$/, '.json'), JSON.stringify(report.data, null, 2) + '\n')
  console.log(`\n${report.summary}\nwritten: ${relative(process.cwd(), out)} (${elapsedSec.toFixed(0)}s)`)
  if (checks.some((c) => !c.ok)) process.exitCode = 1
}

/**
 * @param {import('./stack.mjs').Stack} stack
 * @param {import('./cases.mjs').BenchCase['token']} token
 * @param {number} round
 */
function authFor(stack, token, round) {
  switch (token) {
    case 'hot':
      return { kind: 'hot', token: stack.tokens.rsHot }
    case 'invalid':
      return { kind: 'hot', token: stack.tokens.rsWrongSignature }
    case 'opaque-hot':
      return { kind: 'hot', token: stack.tokens.opaqueHot }
    case 'distinct':
      return { kind: 'pool', poolFile: stack.poolFile }
    case 'opaque-distinct':
      return { kind: 'mint', secret: stack.secret.toString('hex'), prefix: `r${round}x` }
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
