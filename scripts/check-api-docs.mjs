#!/usr/bin/env node
// Every export of every public entry point (the entryPoints of typedoc.json: each package's
// src/index.ts and the core subpaths) must have a TSDoc comment, so the API reference has no blank
// entry. Prints one line per undocumented export, naming the entry point, the export and where it
// is declared, and exits 1. TypeDoc (the `docs` step) checks the links; this checks the coverage
// with the TypeScript checker, which follows re-exports to the declaration that carries the comment.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

/** typedoc.json's entry points with `*` expanded one folder level (the only form it uses). */
function entryPoints() {
  const config = JSON.parse(readFileSync(join(root, 'typedoc.json'), 'utf8'))
  const files = new Set()
  for (const pattern of config.entryPoints) {
    const star = pattern.indexOf('*')
    if (star === -1) {
      files.add(join(root, pattern))
      continue
    }
    const base = pattern.slice(0, star)
    const rest = pattern.slice(star + 1)
    for (const dir of readdirSync(join(root, base)).sort()) {
      const file = join(root, base + dir + rest)
      if (existsSync(file)) files.add(file)
    }
  }
  return [...files]
}

/** `@hydrakit/core/hydra` for packages/core/src/hydra/index.ts. */
function entryName(file) {
  const rel = relative(join(root, 'packages'), file).split(/[\\/]/)
  const manifest = JSON.parse(readFileSync(join(root, 'packages', rel[0], 'package.json'), 'utf8'))
  const sub = rel.slice(2, -1).join('/')
  return sub === '' ? manifest.name : `${manifest.name}/${sub}`
}

function hasDoc(symbol, checker) {
  if (symbol.getDocumentationComment(checker).length > 0) return true
  // A comment that holds only tags (`@example`, `@deprecated`) counts too.
  return (symbol.declarations ?? []).some((d) => ts.getJSDocCommentsAndTags(d).length > 0)
}

export function undocumentedExports() {
  const configFile = join(root, 'tsconfig.check.json')
  const parsed = ts.getParsedCommandLineOfConfigFile(
    configFile,
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
  )
  if (parsed === undefined) throw new Error('cannot read tsconfig.check.json')
  const files = entryPoints()
  const program = ts.createProgram({ rootNames: files, options: { ...parsed.options, noEmit: true } })
  const checker = program.getTypeChecker()
  const problems = []
  for (const file of files) {
    const source = program.getSourceFile(file)
    const moduleSymbol = source === undefined ? undefined : checker.getSymbolAtLocation(source)
    if (moduleSymbol === undefined) {
      problems.push(`${relative(root, file)}: not a module`)
      continue
    }
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported
      if (hasDoc(target, checker) || hasDoc(exported, checker)) continue
      const decl = target.declarations?.[0]
      const where =
        decl === undefined
          ? relative(root, file)
          : `${relative(root, decl.getSourceFile().fileName)}:${decl.getSourceFile().getLineAndCharacterOfPosition(decl.getStart()).line + 1}`
      problems.push(
        `${entryName(file)}: export \`${exported.name}\` has no TSDoc comment (declared at ${where})`,
      )
    }
  }
  return problems
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const problems = undocumentedExports()
  if (problems.length > 0) {
    console.error(`${problems.length} exported API without documentation:\n  ${problems.join('\n  ')}`)
    process.exit(1)
  }
  console.log('every export of every entry point is documented')
}
