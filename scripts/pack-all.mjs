#!/usr/bin/env node
// Builds the workspace and writes one installable tarball per published package into
// dist-packages/. Every non-private package under packages/ is packed (found by reading the folder,
// so a new package needs no change here). `pnpm pack` replaces `workspace:*` with real versions;
// each tarball is then opened and checked: LICENSE, README, metadata, no build leftovers, no
// `workspace:` ranges, and every link in its README resolves.
//
// Usage: node scripts/pack-all.mjs [--no-build]   (pnpm pack:all)
// Exit code 0 when every tarball passes; otherwise each problem is printed with its package name.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, normalize, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = join(dirname(fileURLToPath(import.meta.url)), '..')
export const outDir = join(root, 'dist-packages')

/** The repository that absolute links in package READMEs point at (see package.json `repository`). */
const REPO_URL = 'https://github.com/hydrakit/hydrakit'

/** The published packages: every non-private packages/<dir>/package.json, in folder order. */
export function publishedPackages() {
  const dirs = readdirSync(join(root, 'packages')).sort()
  const found = []
  for (const d of dirs) {
    const file = join(root, 'packages', d, 'package.json')
    if (!existsSync(file)) continue
    const manifest = JSON.parse(readFileSync(file, 'utf8'))
    if (manifest.private === true) continue
    found.push({ dir: join(root, 'packages', d), name: manifest.name, version: manifest.version })
  }
  return found
}

/** How to run the pinned pnpm: the one running us when there is one, else through npx. */
export function pnpmCommand() {
  const execPath = process.env.npm_execpath
  if (execPath && /pnpm/.test(execPath)) return [process.execPath, [execPath]]
  const pinned = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager
  return ['npx', ['--yes', pinned]]
}

function run(cmd, args, opts) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts })
  if (r.error) throw r.error
  if (r.status !== 0) {
    throw new Error(
      `${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`,
    )
  }
  return r.stdout
}

/** Markdown link targets in a text: `[x](target)` and `[x](target "title")`, images included. */
function markdownLinks(text) {
  const links = []
  // Code spans and fenced blocks are not links.
  const prose = text.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '')
  for (const m of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) links.push(m[1])
  return links
}

/** Problems of one README: relative links must exist in the tarball, repository links in the repository. */
function readmeProblems(pkgRoot, readme) {
  const problems = []
  const text = readFileSync(join(pkgRoot, readme), 'utf8')
  for (const link of markdownLinks(text)) {
    if (link.startsWith('#') || /^mailto:/.test(link)) continue
    if (link.startsWith(REPO_URL)) {
      const m = /^https:\/\/github\.com\/hydrakit\/hydrakit\/(?:blob|tree)\/main\/([^#?]*)/.exec(link)
      if (m && !existsSync(join(root, decodeURIComponent(m[1])))) {
        problems.push(`${readme}: ${link} points at ${m[1]}, which is not in the repository`)
      }
      continue
    }
    if (/^[a-z][a-z0-9+.-]*:/i.test(link)) continue
    const path = decodeURIComponent(link.split('#')[0])
    const target = normalize(join(pkgRoot, dirname(readme), path))
    if (relative(pkgRoot, target).startsWith('..')) {
      problems.push(`${readme}: ${link} leaves the package; ship the file or link ${REPO_URL}/blob/main/…`)
    } else if (!existsSync(target)) {
      problems.push(`${readme}: ${link} is not in the tarball (add it to "files" or link absolutely)`)
    }
  }
  return problems
}

function walk(dir, base = dir) {
  const out = []
  for (const e of readdirSync(dir)) {
    const p = join(dir, e)
    if (statSync(p).isDirectory()) out.push(...walk(p, base))
    else out.push(relative(base, p))
  }
  return out
}

/** Unpacks a tarball into a temporary folder and lists what is wrong with it. */
export function tarballProblems(tarball) {
  const tmp = mkdtempSync(join(tmpdir(), 'hydrakit-tarball-'))
  try {
    run('tar', ['-xzf', tarball, '-C', tmp])
    const pkgRoot = join(tmp, 'package')
    const files = walk(pkgRoot)
    const manifest = JSON.parse(readFileSync(join(pkgRoot, 'package.json'), 'utf8'))
    const problems = []
    for (const required of ['LICENSE', 'README.md', 'CHANGELOG.md']) {
      if (!files.includes(required)) problems.push(`${required} is missing`)
    }
    if (files.includes('LICENSE') && manifest.license === 'Apache-2.0') {
      const license = readFileSync(join(pkgRoot, 'LICENSE'), 'utf8')
      if (!license.includes('Apache License') || !license.includes('Version 2.0')) {
        problems.push('LICENSE is not the Apache License 2.0 that package.json names')
      }
    }
    for (const f of files) {
      if (f.endsWith('.tsbuildinfo')) problems.push(`${f} is a build leftover`)
    }
    for (const field of ['license', 'repository', 'homepage', 'bugs', 'keywords', 'description', 'engines']) {
      if (manifest[field] === undefined) problems.push(`package.json has no "${field}"`)
    }
    for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
      for (const [dep, range] of Object.entries(manifest[field] ?? {})) {
        if (String(range).startsWith('workspace:')) problems.push(`${field}.${dep} is still "${range}"`)
      }
    }
    for (const [name, target] of Object.entries(
      typeof manifest.bin === 'string' ? { [manifest.name]: manifest.bin } : (manifest.bin ?? {}),
    )) {
      if (!existsSync(join(pkgRoot, target)))
        problems.push(`bin ${name} points at ${target}, which is not in the tarball`)
    }
    for (const readme of files.filter((f) => f.endsWith('.md') && !f.startsWith('src/'))) {
      problems.push(...readmeProblems(pkgRoot, readme))
    }
    return { manifest, files, problems }
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
}

/** Packs every published package; returns [{ name, tarball }]. Throws listing every problem. */
export function packAll({ build = true, log = console.log } = {}) {
  if (build) run(join(root, 'node_modules', '.bin', 'tsc'), ['-b'], { cwd: root, stdio: 'inherit' })
  rmSync(outDir, { recursive: true, force: true })
  mkdirSync(outDir, { recursive: true })
  const [pnpm, pnpmArgs] = pnpmCommand()
  const packed = []
  const problems = []
  for (const pkg of publishedPackages()) {
    const out = run(pnpm, [...pnpmArgs, 'pack', '--pack-destination', outDir, '--json'], { cwd: pkg.dir })
    const tarball = join(
      outDir,
      JSON.parse(out.slice(out.indexOf('{')))
        .filename.split(/[\\/]/)
        .pop(),
    )
    const { problems: found } = tarballProblems(tarball)
    for (const p of found) problems.push(`${pkg.name}: ${p}`)
    packed.push({ name: pkg.name, version: pkg.version, tarball })
    log(`packed ${relative(root, tarball)}`)
  }
  if (problems.length > 0)
    throw new Error(`the tarballs are not ready to publish:\n  ${problems.join('\n  ')}`)
  return packed
}

if (process.argv[1] && fileURLToPath(import.meta.url) === normalize(process.argv[1])) {
  try {
    packAll({ build: !process.argv.includes('--no-build') })
  } catch (e) {
    console.error(e instanceof Error ? e.message : e)
    process.exit(1)
  }
}
