// The README's demo command must keep working: start the whole stack on free ports and run the
// printed curl sequence (client-credentials token → 200, no token → 401, wrong scope → 403), with
// the protected API on each framework the demo offers.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const demo = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'demo.js')

/** Runs `demo.js args` with DEMO_FRAMEWORK set to `framework` (left out when undefined). */
function run(args: string[], framework?: string): SpawnSyncReturns<string> {
  const env = { ...process.env }
  delete env.DEMO_FRAMEWORK
  if (framework !== undefined) env.DEMO_FRAMEWORK = framework
  return spawnSync(process.execPath, [demo, ...args], { encoding: 'utf8', timeout: 30_000, env })
}

function expectWalkThrough(r: SpawnSyncReturns<string>, example: string): void {
  expect(r.stderr).toBe('')
  expect(r.status).toBe(0)
  expect(r.stdout).toContain(`protected API: ${example}`)
  expect(r.stdout).toContain('GET /items with a read token → 200')
  expect(r.stdout).toContain('GET /items without a token → 401')
  expect(r.stdout).toContain('POST /items with a read-only token → 403')
  expect(r.stdout).toContain('sign-in reaches the login form')
}

describe('demo', () => {
  it('starts every part and passes its own curl sequence (Express by default)', () => {
    expectWalkThrough(run(['--check']), 'examples/express-api')
  })

  it.each(['koa', 'fastify', 'hono'])('DEMO_FRAMEWORK=%s runs the walk-through against that API', (name) => {
    expectWalkThrough(run(['--check'], name), `examples/${name}-api`)
  })

  it('--framework= chooses too, over DEMO_FRAMEWORK', () => {
    expectWalkThrough(run(['--check', '--framework=fastify'], 'koa'), 'examples/fastify-api')
  })

  it('an unknown framework exits 1 and lists the valid ones', () => {
    const r = run(['--check'], 'spring')
    expect(r.status).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe('demo: DEMO_FRAMEWORK must be one of express, koa, fastify, hono, got "spring"\n')
  })
})
