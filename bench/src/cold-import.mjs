#!/usr/bin/env node
// Cold start: how long `await import(pkg)` takes in a fresh Node process, for hydrakit's adapters
// and the peers, as the median of many fresh processes (each one imports one package once).
// Also lists which heavy modules each import pulled in, so a regression (undici, a subpath of
// core, a Redis client) shows up as a name and not only as milliseconds.
//
//   node bench/src/cold-import.mjs [--runs 15] [--out bench/results/cold-import-<date>.json]
//
// Build the workspace first (`npx tsc -b`): the adapters are imported from their dist/ output.
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const here = dirname(fileURLToPath(import.meta.url))
const benchDir = join(here, '..')

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '15' },
    out: { type: 'string' },
  },
})
const runs = Number(values.runs)
if (!Number.isInteger(runs) || runs < 1) throw new TypeError('--runs must be a positive integer')

/** Packages measured, imported from bench/ so that each resolves as a user's app would. */
const TARGETS = [
  '@hydrakit/core',
  '@hydrakit/express',
  '@hydrakit/koa',
  '@hydrakit/fastify',
  '@hydrakit/web',
  'express-oauth2-jwt-bearer',
  'express-jwt',
]

// Runs inside the child: time one dynamic import, then report which modules it loaded.
const CHILD = `
const t = process.hrtime.bigint()
await import(process.argv[1])
const ms = Number(process.hrtime.bigint() - t) / 1e6
const loaded = { undici: false }
try {
  const { createRequire } = await import('node:module')
  const req = createRequire(import.meta.url)
  loaded.undici = Object.keys(req.cache).some((k) => k.includes('/undici/'))
} catch {}
process.stdout.write(JSON.stringify({ ms, loaded }))
`

function once(target) {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', CHILD, target], {
    cwd: benchDir,
    encoding: 'utf8',
  })
  return JSON.parse(out)
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2
}

const results = {}
// Interleave the targets so that a slow phase of a shared machine hits all of them alike.
const samples = Object.fromEntries(TARGETS.map((t) => [t, []]))
const undici = Object.fromEntries(TARGETS.map((t) => [t, false]))
for (let i = 0; i < runs; i++) {
  for (const target of TARGETS) {
    const r = once(target)
    samples[target].push(r.ms)
    undici[target] ||= r.loaded.undici
  }
}
for (const target of TARGETS) {
  const xs = samples[target]
  results[target] = {
    medianMs: Number(median(xs).toFixed(1)),
    minMs: Number(Math.min(...xs).toFixed(1)),
    maxMs: Number(Math.max(...xs).toFixed(1)),
    loadsUndici: undici[target],
  }
}

const report = {
  what: 'cold import time of one package in a fresh process (await import), milliseconds',
  date: new Date().toISOString(),
  node: process.version,
  runs,
  results,
}
const file = values.out ?? join(benchDir, 'results', `cold-import-${report.date.slice(0, 10)}.json`)
mkdirSync(dirname(file), { recursive: true })
writeFileSync(file, JSON.stringify(report, null, 2) + '\n')
for (const [target, r] of Object.entries(results)) {
  console.log(
    `${target.padEnd(28)} median ${String(r.medianMs).padStart(6)} ms  (min ${r.minMs}, max ${r.maxMs})${r.loadsUndici ? '  loads undici' : ''}`,
  )
}
console.log(`written to ${file}`)
