// The benchmark's correctness gates, run in the normal test suite (no timing is measured here):
// every scenario server refuses missing, wrongly signed, malformed, expired and foreign tokens with
// 401 and accepts valid ones; introspection coalesces 50 concurrent requests of a new token into one
// upstream call; and the gates do fail a server that accepts everything. The servers are separate
// processes running the packages' dist/ (the test script builds first; alone: `npx tsc -b`).
import { existsSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkScenario, SCENARIO_INFO, type CheckResult } from '../src/checks.mjs'
import { startStack, type Stack } from '../src/stack.mjs'

const scenarios = Object.keys(SCENARIO_INFO)
const CONTROL = 'control-accept-all'
let stack: Stack | undefined
const results = new Map<string, CheckResult[]>()

beforeAll(async () => {
  for (const pkg of ['core', 'express', 'koa']) {
    const dist = new URL(`../../packages/${pkg}/dist/index.js`, import.meta.url)
    if (!existsSync(dist)) throw new Error(`packages/${pkg}/dist is missing: run \`npx tsc -b\` first`)
  }
  stack = await startStack({ scenarios, poolSize: 1, pin: false })
  for (const scenario of scenarios) results.set(scenario, await checkScenario(stack, scenario))
}, 90_000)

afterAll(() => {
  stack?.close()
})

function failures(scenario: string): string[] {
  return (results.get(scenario) ?? []).filter((r) => !r.ok).map((r) => `${r.check}: ${r.detail}`)
}

describe('benchmark scenarios pass the correctness gates', () => {
  it.each(scenarios.filter((s) => s !== CONTROL))('%s', (scenario) => {
    expect(results.get(scenario)?.length ?? 0).toBeGreaterThan(0)
    expect(failures(scenario)).toEqual([])
  })

  it('every auth scenario was checked against invalid tokens, and hydrakit against upstream calls', () => {
    for (const scenario of scenarios) {
      const info = SCENARIO_INFO[scenario]!
      const checks = (results.get(scenario) ?? []).map((r) => r.check)
      if (info.kind === 'bare' || info.kind === 'layer') continue
      expect(checks).toContain('refuses a wrongly signed JWT (401)')
      expect(checks).toContain('refuses a request without token (401)')
      if (info.kind === 'hydrakit' && info.mode !== 'introspection') {
        expect(checks).toContain('invalid JWTs cause no upstream call')
      }
    }
  })

  it('introspection: 50 concurrent requests of one new token make exactly one upstream call', () => {
    const coalescing = [...results.values()].flat().filter((r) => r.check.startsWith('50 concurrent'))
    expect(coalescing.map((r) => r.scenario).sort()).toEqual([
      'hydrakit-express-hybrid',
      'hydrakit-express-introspection',
      'hydrakit-koa-hybrid',
      'hydrakit-koa-introspection',
    ])
    for (const r of coalescing) expect(r.detail).toBe('1 upstream calls, 50/50 answered 200')
  })

  it('the gates fail a server that accepts every request', () => {
    expect(failures(CONTROL)).toEqual([
      'refuses a request without token (401): HTTP 200, expected 401',
      'refuses a wrongly signed JWT (401): HTTP 200, expected 401',
      'refuses a malformed JWT (401): HTTP 200, expected 401',
      'refuses an expired JWT (401): HTTP 200, expected 401',
      'refuses a JWT for another audience (401): HTTP 200, expected 401',
    ])
  })
})
