import { spawn } from 'node:child_process'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { basic, postForm } from './helpers/browser.js'

// Child-process test: runs the built CLI (`npx tsc -b` first), as a user's `hydrakit-mock` would.
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url))
let child: ChildProcessWithoutNullStreams | undefined

afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL')
  child = undefined
})

function run(args: string[]): ChildProcessWithoutNullStreams {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build with \`npx tsc -b\` first`)
  child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '' } })
  return child
}

function firstLine(p: ChildProcessWithoutNullStreams): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = ''
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      const nl = out.indexOf('\n')
      if (nl >= 0) resolve(out.slice(0, nl))
    })
    p.on('exit', (code) => reject(new Error(`exited with ${code} before printing`)))
  })
}

function exit(p: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => {
    if (p.exitCode !== null) resolve(p.exitCode)
    else p.on('exit', (code) => resolve(code))
  })
}

describe('hydrakit-mock CLI', () => {
  it('starts, prints the URLs and a working client as JSON, and stops on SIGTERM', async () => {
    const p = run([
      '--port',
      '0',
      '--admin-port',
      '0',
      '--json',
      '--client-id',
      'cli-client',
      '--client-secret',
      'cli-secret-123',
      '--redirect-uri',
      'http://127.0.0.1:9/cb',
    ])
    const info = JSON.parse(await firstLine(p))
    expect(info.publicUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(info.issuer).toBe(`${info.publicUrl}/`)
    expect(info.client).toMatchObject({
      client_id: 'cli-client',
      client_secret: 'cli-secret-123',
      redirect_uris: ['http://127.0.0.1:9/cb'],
    })
    const health = await fetch(`${info.adminUrl}/health/ready`)
    expect(health.status).toBe(200)
    const token = await postForm(
      `${info.publicUrl}/oauth2/token`,
      { grant_type: 'client_credentials' },
      basic('cli-client', 'cli-secret-123'),
    )
    expect(token.status).toBe(200)
    p.kill('SIGTERM')
    expect(await exit(p)).toBe(0)
  })

  it('prints a text banner that says NOT FOR PRODUCTION', async () => {
    const p = run(['--port', '0', '--admin-port', '0'])
    const line = await firstLine(p)
    expect(line).toContain('NOT FOR PRODUCTION')
    p.kill('SIGINT')
    expect(await exit(p)).toBe(0)
  })

  it('--help exits 0; a bad flag exits 2 with the usage', async () => {
    const help = run(['--help'])
    expect(await firstLine(help)).toContain('hydrakit-mock')
    expect(await exit(help)).toBe(0)
    const bad = run(['--bogus'])
    let err = ''
    bad.stderr.on('data', (d: Buffer) => (err += d.toString()))
    expect(await exit(bad)).toBe(2)
    expect(err).toContain('--bogus')
  })
})
