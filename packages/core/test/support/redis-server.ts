// Starts a real redis-server (Debian package) on 127.0.0.1 for tests, on a free port, without
// persistence. When redis-server is missing the tests that need it are skipped with a message, but
// with CI=true a missing redis-server fails the run.
import { spawn, type ChildProcess } from 'node:child_process'
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'

/** A running redis-server. */
export interface RedisServer {
  readonly port: number
  /** `redis://127.0.0.1:port` */
  readonly url: string
  /** Stops it (SIGTERM, then SIGKILL) and removes its directory. Idempotent. */
  stop(): Promise<void>
  /** Kills it abruptly (SIGKILL), like a crash. */
  kill(): Promise<void>
  readonly running: boolean
}

/** Absolute path of redis-server, or undefined when it is not installed. */
export function findRedisServer(): string | undefined {
  const dirs = ['/usr/bin', '/usr/local/bin', '/usr/sbin', ...(process.env.PATH ?? '').split(delimiter)]
  for (const dir of dirs) {
    if (dir === '') continue
    const candidate = join(dir, 'redis-server')
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // not here
    }
  }
  return undefined
}

/**
 * Whether the Redis tests can run. Missing redis-server: a warning and `false`, or, under
 * `CI=true`, an error that fails the test file.
 */
export function redisTestsEnabled(suite: string): boolean {
  if (findRedisServer() !== undefined) return true
  const message = `${suite}: redis-server is not installed (Debian: apt-get install redis-server)`
  if (process.env.CI === 'true') throw new Error(`${message}; CI=true requires it`)
  console.warn(`${message}; skipping these tests`)
  return false
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      srv.close(() => resolve(port))
    })
  })
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => child.once('exit', () => resolve()))
}

async function startOnce(binary: string, port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(
    binary,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--protected-mode',
      'no',
      '--dir',
      dir,
      '--loglevel',
      'notice',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  return new Promise<ChildProcess>((resolve, reject) => {
    let output = ''
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`redis-server did not start within 10 s:\n${output}`))
    }, 10_000)
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8')
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer)
        child.stdout?.off('data', onData)
        child.stdout?.resume()
        child.stderr?.resume()
        resolve(child)
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8')
    })
    child.once('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      reject(new Error(`redis-server exited (${code ?? signal}) before it was ready:\n${output}`))
    })
  })
}

/** Starts redis-server on 127.0.0.1 on a free port (a few tries in case another process takes it). */
export async function startRedisServer(): Promise<RedisServer> {
  const binary = findRedisServer()
  if (binary === undefined) throw new Error('redis-server is not installed')
  const dir = mkdtempSync(join(tmpdir(), 'hydrakit-redis-'))
  let lastError: unknown
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort()
    let child: ChildProcess
    try {
      child = await startOnce(binary, port, dir)
    } catch (err) {
      lastError = err
      continue
    }
    let stopped = false
    const finish = async (signal: NodeJS.Signals): Promise<void> => {
      if (!stopped) {
        stopped = true
        if (child.exitCode === null && child.signalCode === null) {
          child.kill(signal)
          const killer = setTimeout(() => child.kill('SIGKILL'), 3000)
          await exited(child)
          clearTimeout(killer)
        }
      }
      rmSync(dir, { recursive: true, force: true })
    }
    return {
      port,
      url: `redis://127.0.0.1:${port}`,
      get running() {
        return !stopped && child.exitCode === null && child.signalCode === null
      },
      stop: () => finish('SIGTERM'),
      kill: () => finish('SIGKILL'),
    }
  }
  rmSync(dir, { recursive: true, force: true })
  throw new Error(`could not start redis-server: ${String(lastError)}`)
}
