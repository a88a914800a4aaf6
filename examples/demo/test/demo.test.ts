// The README's demo command must keep working: start the whole stack on free ports and run the
// printed curl sequence (client-credentials token → 200, no token → 401, wrong scope → 403).
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const demo = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'demo.js')

describe('demo', () => {
  it('starts every part and passes its own curl sequence', () => {
    const r = spawnSync(process.execPath, [demo, '--check'], { encoding: 'utf8', timeout: 30_000 })
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('GET /items with a read token → 200')
    expect(r.stdout).toContain('GET /items without a token → 401')
    expect(r.stdout).toContain('POST /items with a read-only token → 403')
    expect(r.stdout).toContain('sign-in reaches the login form')
  })
})
