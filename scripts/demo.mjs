#!/usr/bin/env node
// Builds the workspace, then starts the demo (mock Hydra + login/consent app + API + client page).
// Extra arguments go to the demo, e.g. `pnpm demo -- --check`.
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const build = spawnSync(join(root, 'node_modules', '.bin', 'tsc'), ['-b'], { cwd: root, stdio: 'inherit' })
if (build.status !== 0) process.exit(build.status ?? 1)
const args = process.argv.slice(2).filter((a) => a !== '--')
const demo = spawnSync(process.execPath, [join(root, 'examples', 'demo', 'dist', 'demo.js'), ...args], {
  cwd: root,
  stdio: 'inherit',
})
process.exit(demo.status ?? 1)
