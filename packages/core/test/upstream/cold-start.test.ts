// Cold start: importing `@hydrakit/core` must not load undici (it is loaded by the first outbound
// call) nor anything behind the `/hydra`, `/flows`, `/cache` and `/observability` subpaths. This
// walks the static runtime imports of the main entry's source; dynamic `import()` is lazy and is
// not followed. A resource server with cached keys should pay for little beyond node:crypto.
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const SRC = fileURLToPath(new URL('../../src/', import.meta.url))

/** Static runtime import specifiers of a module (type-only imports and `import()` left out). */
function staticImports(code: string): string[] {
  const out: string[] = []
  const statement = /(?:^|\n)\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]/g
  for (const m of code.matchAll(statement)) if (m[2] === undefined) out.push(m[3]!)
  for (const m of code.matchAll(/(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g)) out.push(m[1]!)
  return out
}

/** Every module reachable from `entry` through static imports: source files and packages. */
function graph(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>()
  const packages = new Set<string>()
  const todo = [entry]
  while (todo.length > 0) {
    const file = todo.pop() as string
    if (files.has(file)) continue
    files.add(file)
    for (const spec of staticImports(readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.')) {
        packages.add(spec)
        continue
      }
      const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'))
      todo.push(existsSync(target) ? target : join(target, 'index.ts'))
    }
  }
  return { files: [...files].map((f) => relative(SRC, f)).sort(), packages: [...packages].sort() }
}

describe('the main entry stays light', () => {
  const { files, packages } = graph(join(SRC, 'index.ts'))

  it('the walk sees the verifiers (it follows imports at all)', () => {
    expect(files).toContain('verify/jwt.ts')
    expect(files).toContain('upstream/client.ts')
  })

  it('does not import undici statically: it is loaded at the first upstream call', () => {
    expect(packages).not.toContain('undici')
    expect(packages.filter((p) => !p.startsWith('node:'))).toEqual(['lru-cache'])
  })

  it('loads nothing of the /hydra, /flows and /observability subpaths, nor the /cache entry', () => {
    const offenders = files.filter(
      (f) => /^(hydra|flows|observability)\//.test(f) || f === 'cache/index.ts' || f === 'adapter/index.ts',
    )
    expect(offenders).toEqual([])
  })
})
