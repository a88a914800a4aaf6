#!/usr/bin/env node
// The whole test suite: build, type-check (tests included), lint, format check, then vitest.
// Usage: pnpm test [-- vitest args]. Set HYDRAKIT_SKIP_LINT=1 to skip lint and format while iterating.
import { spawnSync } from 'node:child_process'
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
steps.push(['vitest', 'vitest', ['run', ...extra]])

for (const [name, tool, args] of steps) {
  const started = Date.now()
  console.log(`\n▶ ${name}: ${tool} ${args.join(' ')}`)
  const r = spawnSync(bin(tool), args, { stdio: 'inherit', shell: false, cwd: root, env: process.env })
  if (r.error) console.error(r.error.message)
  const secs = ((Date.now() - started) / 1000).toFixed(1)
  if (r.status !== 0) {
    console.error(`✖ ${name} failed (exit ${r.status ?? r.signal}) after ${secs}s`)
    process.exit(r.status ?? 1)
  }
  console.log(`✔ ${name} (${secs}s)`)
}
