#!/usr/bin/env node
// The consumer test: what someone who installs hydrakit from npm gets, checked outside the workspace.
//   1. pack every published package (scripts/pack-all.mjs; the tarball checks run there);
//   2. publint and @arethetypeswrong/cli on each tarball;
//   3. a fresh project in the system temp folder installs the tarballs with plain npm, next to
//      express 5, koa 3, typescript and the @types packages from the npm registry;
//   4. tsc compiles, strict and NodeNext, an Express app (`app.use(auth.requireScope('read'))`,
//      typed `req.auth`), a Koa app, and every TypeScript block of the root README as written;
//   5. the compiled Express app runs against the installed mock Hydra: no token 401, a token with
//      `read` 200 with its subject, a token without it 403;
//   6. a CommonJS file require()s every package; `hydrakit-mock --help` runs from node_modules/.bin.
//
// Usage: node scripts/consumer-test.mjs [--no-build] [--keep]
// It needs the npm registry (or a warm npm cache). HYDRAKIT_SKIP_CONSUMER=1 skips it in `pnpm test`.
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { packAll, root } from './pack-all.mjs'

const keep = process.argv.includes('--keep')
const bin = (name) => join(root, 'node_modules', '.bin', name)

function step(title, cmd, args, opts = {}) {
  const started = Date.now()
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts })
  const secs = ((Date.now() - started) / 1000).toFixed(1)
  if (r.error || r.status !== 0) {
    process.stdout.write(r.stdout ?? '')
    process.stderr.write(r.stderr ?? '')
    throw new Error(`${title} failed (${r.error?.message ?? `exit ${r.status ?? r.signal}`}) after ${secs}s`)
  }
  console.log(`  ✔ ${title} (${secs}s)`)
  return r.stdout
}

// What the consumer writes. Kept here, not as files, so nothing in the workspace resolves them.
const EXPRESS_APP = `import express from 'express'
import type { Server } from 'node:http'
import { hydra } from '@hydrakit/express'
import '@hydrakit/express/global'
import type { AuthInfo } from '@hydrakit/core'

export function start(adminUrl: string): Promise<{ server: Server; close: () => Promise<void> }> {
  const auth = hydra({ mode: 'introspection', adminUrl, audience: 'orders-api' })
  const app = express()
  app.use(auth.requireScope('read'))
  app.get('/me', (req, res) => {
    const info: AuthInfo | undefined = req.auth
    const scopes: string[] = req.auth?.scopes ?? []
    res.json({ subject: info?.subject ?? null, scopes })
  })
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () =>
      resolve({
        server,
        close: async () => {
          await new Promise<void>((r) => server.close(() => r()))
          await auth.close()
        },
      }),
    )
  })
}
`

const KOA_APP = `import Koa from 'koa'
import { hydra, getAuth, type AuthState } from '@hydrakit/koa'

export function build(adminUrl: string): Koa<AuthState> {
  const auth = hydra({ mode: 'introspection', adminUrl, audience: 'orders-api' })
  const app = new Koa<AuthState>()
  app.use(auth.requireScope('read'))
  app.use((ctx) => {
    const subject: string | undefined = ctx.state.auth?.subject
    ctx.body = { subject, same: getAuth(ctx)?.subject === subject }
  })
  return app
}
`

const MAIN = `import { createMockHydra } from '@hydrakit/hydra-mock'
import type { AddressInfo } from 'node:net'
import { start } from './express-app.js'

const mock = await createMockHydra({ accessTokenStrategy: 'opaque' })
const { server, close } = await start(mock.adminUrl)
const url = \`http://127.0.0.1:\${(server.address() as AddressInfo).port}/me\`
const failures: string[] = []
const expectStatus = async (what: string, token: string | undefined, status: number): Promise<unknown> => {
  const res = await fetch(url, token === undefined ? {} : { headers: { authorization: \`Bearer \${token}\` } })
  if (res.status !== status) failures.push(\`\${what}: \${res.status}, expected \${status}\`)
  return res.json()
}
try {
  await expectStatus('no token', undefined, 401)
  const good = await mock.issueToken({ subject: 'alice', scopes: ['read'], audience: ['orders-api'] })
  const body = (await expectStatus('token with read', good.accessToken, 200)) as { subject?: string }
  if (body.subject !== 'alice') failures.push(\`subject: \${String(body.subject)}, expected alice\`)
  const weak = await mock.issueToken({ subject: 'alice', scopes: ['profile'], audience: ['orders-api'] })
  await expectStatus('token without read', weak.accessToken, 403)
  const other = await mock.issueToken({ subject: 'alice', scopes: ['read'], audience: ['billing'] })
  await expectStatus('token for another API', other.accessToken, 401)
} finally {
  await close()
  await mock.close()
}
if (failures.length > 0) {
  console.error(failures.join('\\n'))
  process.exit(1)
}
console.log('express app answered 401, 200, 403, 401')
`

const CJS = `'use strict'
const assert = require('node:assert')
const core = require('@hydrakit/core')
const express = require('@hydrakit/express')
const koa = require('@hydrakit/koa')
const mock = require('@hydrakit/hydra-mock')
const hydraSub = require('@hydrakit/core/hydra')
assert.strictEqual(typeof core.createJwtVerifier, 'function', 'core.createJwtVerifier')
assert.strictEqual(typeof express.hydra, 'function', 'express.hydra')
assert.strictEqual(typeof koa.hydra, 'function', 'koa.hydra')
assert.strictEqual(typeof mock.createMockHydra, 'function', 'mock.createMockHydra')
assert.strictEqual(typeof hydraSub.createHydraAdminClient, 'function', 'core/hydra.createHydraAdminClient')
console.log('require() of every package works')
`

function readmeBlocks() {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1])
  if (blocks.length === 0) throw new Error('the root README has no ```ts example')
  return blocks
}

export function consumerTest({ build = true } = {}) {
  const started = Date.now()
  console.log('packing')
  const packed = packAll({ build, log: (line) => console.log(`  ${line}`) })

  console.log('publint and arethetypeswrong')
  for (const { name, tarball } of packed) {
    step(`publint ${name}`, bin('publint'), ['run', tarball, '--strict', '--level', 'warning'])
    // ESM-only by design (DESIGN/STYLE): CommonJS callers use require(esm), so the node10 and
    // node16-from-CJS resolutions are out of scope; everything else must be green.
    step(`attw ${name}`, bin('attw'), [tarball, '--profile', 'esm-only', '--format', 'ascii', '--no-color'])
  }

  const dir = mkdtempSync(join(tmpdir(), 'hydrakit-consumer-'))
  try {
    console.log(`consumer project in ${dir}`)
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'hydrakit-consumer', version: '1.0.0', private: true, type: 'module' }, null, 2),
    )
    const npmEnv = {
      ...process.env,
      npm_config_fund: 'false',
      npm_config_audit: 'false',
      npm_config_update_notifier: 'false',
    }
    for (const k of Object.keys(npmEnv)) {
      // Settings pnpm passes to its children would leak into npm here.
      if (
        k.startsWith('npm_config_') &&
        ![
          'npm_config_fund',
          'npm_config_audit',
          'npm_config_update_notifier',
          'npm_config_cache',
          'npm_config_registry',
        ].includes(k)
      )
        delete npmEnv[k]
    }
    step(
      'npm install (tarballs, express 5, koa 3, typescript)',
      'npm',
      [
        'install',
        '--no-package-lock',
        '--prefer-offline',
        '--loglevel=error',
        ...packed.map((p) => p.tarball),
        'express@^5.1.0',
        'koa@^3.0.1',
        'typescript@~5.9.3',
        '@types/express@^5.0.3',
        '@types/koa@^3.0.0',
        '@types/node@^20.19.0',
      ],
      { cwd: dir, env: npmEnv },
    )

    mkdirSync(join(dir, 'src'))
    writeFileSync(join(dir, 'src', 'express-app.ts'), EXPRESS_APP)
    writeFileSync(join(dir, 'src', 'koa-app.ts'), KOA_APP)
    writeFileSync(join(dir, 'src', 'main.ts'), MAIN)
    readmeBlocks().forEach((code, i) => writeFileSync(join(dir, 'src', `readme-${i + 1}.ts`), code))
    writeFileSync(join(dir, 'check.cjs'), CJS)
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify(
        {
          compilerOptions: {
            target: 'ES2022',
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            strict: true,
            noUncheckedIndexedAccess: true,
            exactOptionalPropertyTypes: true,
            verbatimModuleSyntax: true,
            // @types/koa and content-disposition's own types disagree today; our .d.ts files are checked by attw.
            skipLibCheck: true,
            types: ['node'],
            rootDir: 'src',
            outDir: 'dist',
          },
          include: ['src'],
        },
        null,
        2,
      ),
    )
    step(
      'tsc: strict NodeNext apps and the root README example',
      join(dir, 'node_modules', '.bin', 'tsc'),
      ['-p', '.'],
      {
        cwd: dir,
      },
    )
    const ran = step(
      'run the compiled Express app against the installed mock',
      process.execPath,
      ['dist/main.js'],
      {
        cwd: dir,
        timeout: 60_000,
      },
    )
    console.log(`    ${ran.trim()}`)
    step('require() from CommonJS', process.execPath, ['check.cjs'], { cwd: dir })
    const help = step(
      'hydrakit-mock --help',
      join(dir, 'node_modules', '.bin', 'hydrakit-mock'),
      ['--help'],
      {
        cwd: dir,
      },
    )
    if (!/usage/i.test(help)) throw new Error(`hydrakit-mock --help printed no usage:\n${help}`)
  } finally {
    if (keep) console.log(`kept ${dir}`)
    else rmSync(dir, { recursive: true, force: true })
  }
  console.log(`consumer test passed in ${((Date.now() - started) / 1000).toFixed(1)}s`)
}

try {
  consumerTest({ build: !process.argv.includes('--no-build') })
} catch (e) {
  console.error(`✖ ${e instanceof Error ? e.message : String(e)}`)
  process.exit(1)
}
