// Stopping the demo: SIGTERM to the process `pnpm demo` runs (scripts/demo.mjs) stops the demo it
// started and frees every port, and a parent killed outright does not leave the demo running either.
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const script = join(root, 'scripts', 'demo.mjs')
const NAMES = [
  'DEMO_HYDRA_PUBLIC_PORT',
  'DEMO_HYDRA_ADMIN_PORT',
  'DEMO_LOGIN_PORT',
  'DEMO_API_PORT',
  'DEMO_CLIENT_PORT',
]

/** Five ports that were free a moment ago (all held at once, so they differ). */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, async () => {
      const s = createServer()
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
      return s
    }),
  )
  const ports = servers.map((s) => (s.address() as { port: number }).port)
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))))
  return ports
}

/** Whether a port can be bound on 127.0.0.1 right now. */
async function isFree(port: number): Promise<boolean> {
  const s = createServer()
  const ok = await new Promise<boolean>((resolve) => {
    s.once('error', () => resolve(false))
    s.listen(port, '127.0.0.1', () => resolve(true))
  })
  if (ok) await new Promise<void>((r) => s.close(() => r()))
  return ok
}

/** Whether a process id is alive. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

const started: ChildProcess[] = []
afterEach(() => {
  for (const c of started.splice(0)) if (c.exitCode === null) c.kill('SIGKILL')
})

/** Starts `node scripts/demo.mjs --no-build` on the given ports and waits for its banner. */
async function startDemo(ports: number[]): Promise<{ parent: ChildProcess; output: () => string }> {
  const env: Record<string, string> = { ...process.env, NODE_OPTIONS: '' }
  NAMES.forEach((name, i) => (env[name] = String(ports[i])))
  const parent = spawn(process.execPath, [script, '--no-build'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  started.push(parent)
  let out = ''
  parent.stdout.on('data', (c: Buffer) => (out += c.toString()))
  parent.stderr.on('data', (c: Buffer) => (out += c.toString()))
  await new Promise<void>((resolve, reject) => {
    const onData = (): void => {
      if (out.includes('hydrakit demo is running')) resolve()
    }
    parent.stdout.on('data', onData)
    parent.once('exit', (code) => reject(new Error(`demo exited (${code}) before it was ready:\n${out}`)))
  })
  return { parent, output: () => out }
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode)
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)))
}

describe('stopping the demo', () => {
  it('SIGTERM to the parent stops every part and frees every port before the parent exits', async () => {
    const ports = await freePorts(5)
    const { parent, output } = await startDemo(ports)
    for (const p of ports) expect(await isFree(p), `port ${p} is in use while the demo runs`).toBe(false)
    parent.kill('SIGTERM')
    expect(await exited(parent), output()).toBe(0)
    for (const p of ports) expect(await isFree(p), `port ${p} still held after the parent exited`).toBe(true)
  })

  it('a parent killed with SIGKILL takes the demo down with it', async () => {
    const ports = await freePorts(5)
    const { parent } = await startDemo(ports)
    parent.kill('SIGKILL')
    await exited(parent)
    // The demo notices the closed IPC channel and stops; wait for the ports by polling a bounded
    // number of times (no wall-clock bound on how fast the machine is).
    let free = false
    for (let i = 0; i < 200 && !free; i++) {
      free = (await Promise.all(ports.map(isFree))).every(Boolean)
      if (!free) await new Promise((r) => setTimeout(r, 50))
    }
    expect(free, 'the demo kept its ports after its parent was killed').toBe(true)
    expect(alive(parent.pid!)).toBe(false)
  })
})
