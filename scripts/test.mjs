#!/usr/bin/env node
// The whole test suite: build, type-check (tests included), lint, format check, then vitest.
// Then the consumer test (scripts/consumer-test.mjs): the packed tarballs installed with plain npm
// outside the workspace. It is a step, not a vitest file: it needs the build, spends its time in npm
// and tsc child processes (no test worker would help), and its output is a short list of steps.
// Usage: pnpm test [-- vitest args]. Set HYDRAKIT_SKIP_LINT=1 to skip lint and format while iterating,
// HYDRAKIT_SKIP_CONSUMER=1 to skip the consumer test (it needs the npm registry or a warm npm cache).
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const bin = (name) => join(root, 'node_modules', '.bin', name)

const extra = process.argv.slice(2)
const steps = [
  ['build', 'tsc', ['-b']],
  ['typecheck', 'tsc', ['-p', 'tsconfig.check.json']],
]
if (process.env.HYDRAKIT_SKIP_LINT !== '1') {
  steps.push(
    ['lint', 'eslint', ['.', '--max-warnings=0']],
    ['format', 'prettier', ['--check', '.', '--log-level', 'warn']],
  )
}
// The API reference (typedoc.json) builds without a broken {@link}, and every export of every entry
// point has a TSDoc comment (scripts/check-api-docs.mjs names the ones that do not).
steps.push(
  ['docs', 'typedoc', ['--emit', 'none']],
  ['api-docs', process.execPath, [join(root, 'scripts', 'check-api-docs.mjs')]],
)
const report = join(root, 'node_modules', '.cache', 'hydrakit-vitest.json')
steps.push([
  'vitest',
  'vitest',
  ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...extra],
])

if (process.env.HYDRAKIT_SKIP_CONSUMER !== '1') {
  steps.push(['consumer', process.execPath, [join(root, 'scripts', 'consumer-test.mjs'), '--no-build']])
}

// One plain closing line after the tests: "N passed, N failed, N skipped".
function summarize() {
  try {
    const r = JSON.parse(readFileSync(report, 'utf8'))
    console.log(
      `\n${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`,
    )
    return r.numTotalTests
  } catch (err) {
    console.error(`could not read the vitest summary: ${err.message}`)
    return undefined
  }
}

for (const [name, tool, args] of steps) {
  const started = Date.now()
  console.log(`\n▶ ${name}: ${tool === process.execPath ? 'node' : tool} ${args.join(' ')}`)
  const r = spawnSync(tool === process.execPath ? tool : bin(tool), args, {
    stdio: 'inherit',
    shell: false,
    cwd: root,
    env: process.env,
  })
  if (r.error) console.error(r.error.message)
  const secs = ((Date.now() - started) / 1000).toFixed(1)
  const total = name === 'vitest' ? summarize() : undefined
  if (r.status !== 0) {
    console.error(`✖ ${name} failed (exit ${r.status ?? r.signal}) after ${secs}s`)
    process.exit(r.status ?? 1)
  }
  if (name === 'vitest' && total === 0) {
    console.error('✖ vitest ran no test')
    process.exit(1)
  }
  console.log(`✔ ${name} (${secs}s)`)
}
