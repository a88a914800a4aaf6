// ioredis, prom-client and @opentelemetry/api are optional peers: core must never import them at
// runtime (only `import type`), so that apps without them load core, and pay nothing for them.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const SRC = fileURLToPath(new URL('../../src/', import.meta.url))
const PEERS = /^(ioredis|prom-client|@opentelemetry\/.*)$/

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  )
}

/** Module specifiers of runtime imports/exports/requires/dynamic imports in `code`. */
function runtimeImports(code: string): string[] {
  const out: string[] = []
  const statement = /(?:^|\n)\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]/g
  for (const m of code.matchAll(statement)) if (m[2] === undefined) out.push(m[3]!)
  for (const m of code.matchAll(/(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g)) out.push(m[1]!)
  for (const m of code.matchAll(/\b(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]!)
  return out
}

describe('optional peers are never loaded by core', () => {
  it('the scanner sees runtime imports and ignores type-only ones', () => {
    expect(runtimeImports("import { Redis } from 'ioredis'\nimport type { X } from 'prom-client'")).toEqual([
      'ioredis',
    ])
    expect(runtimeImports("const m = await import('@opentelemetry/api')")).toEqual(['@opentelemetry/api'])
  })

  it('no file under packages/core/src imports ioredis, prom-client or @opentelemetry/* at runtime', () => {
    const offenders: string[] = []
    const files = sourceFiles(SRC)
    expect(files.length).toBeGreaterThan(20)
    for (const file of files) {
      for (const spec of runtimeImports(readFileSync(file, 'utf8'))) {
        if (PEERS.test(spec)) offenders.push(`${file}: ${spec}`)
      }
    }
    expect(offenders).toEqual([])
  })
})
