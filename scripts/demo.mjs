#!/usr/bin/env node
// Builds the workspace, then starts the demo (mock Hydra + login/consent app + API + client page).
// Extra arguments go to the demo, e.g. `pnpm demo -- --check`; `--no-build` skips the build.
//
// The demo runs as a child process. SIGINT, SIGTERM and SIGHUP sent to this process are passed on,
// and this process exits only after the child has stopped, so every port is free once it is gone.
// The child also watches its IPC channel: if this process dies without a word (SIGKILL), it stops too.
import { spawn, spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const args = process.argv.slice(2).filter((a) => a !== '--')
if (!args.includes('--no-build')) {
  const build = spawnSync(join(root, 'node_modules', '.bin', 'tsc'), ['-b'], { cwd: root, stdio: 'inherit' })
  if (build.status !== 0) process.exit(build.status ?? 1)
}
const demo = spawn(
  process.execPath,
  [join(root, 'examples', 'demo', 'dist', 'demo.js'), ...args.filter((a) => a !== '--no-build')],
  { cwd: root, stdio: ['inherit', 'inherit', 'inherit', 'ipc'] },
)
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (demo.exitCode === null && demo.signalCode === null) demo.kill(signal)
  })
}
demo.on('exit', (code, signal) => {
  process.exit(code ?? (signal === null ? 1 : 0))
})
