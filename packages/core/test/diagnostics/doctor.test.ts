// hydrakit doctor against the mock Hydra, set up right and deliberately wrong (real servers).
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMockHydra, type MockHydra } from '../../../hydra-mock/src/index.js'
import { formatDoctorReport, runDoctor, type DoctorReport } from '../../src/diagnostics/doctor.js'

let jwtHydra: MockHydra
let opaqueHydra: MockHydra
beforeAll(async () => {
  jwtHydra = await createMockHydra({ accessTokenStrategy: 'jwt' })
  opaqueHydra = await createMockHydra()
})
afterAll(async () => {
  await jwtHydra.close()
  await opaqueHydra.close()
})

const status = (r: DoctorReport, name: string): string | undefined =>
  r.checks.find((c) => c.name === name)?.status
const detail = (r: DoctorReport, name: string): string => r.checks.find((c) => c.name === name)?.detail ?? ''

describe('runDoctor', () => {
  it('a correct setup and a good JWT access token: no problems', async () => {
    const { accessToken } = await jwtHydra.issueToken({ scopes: ['read'], audience: ['orders'] })
    const r = await runDoctor({
      issuer: jwtHydra.issuer,
      adminUrl: jwtHydra.adminUrl,
      token: accessToken,
      audience: ['orders'],
      scopes: ['read'],
    })
    expect(r.checks.filter((c) => c.status !== 'ok')).toEqual([])
    expect(r.failed).toBe(false)
    expect(r.checks.map((c) => c.name)).toEqual([
      'discovery',
      'issuer',
      'jwks',
      'clock',
      'admin',
      'token format',
      'token signature',
      'token audience',
      'token scopes',
      'token expiry',
    ])
    expect(formatDoctorReport(r)).toContain('No problems found.')
  })

  it('an issuer typo: discovery and the JWKS fail with 404 and the URL', async () => {
    const issuer = `${jwtHydra.issuer.replace(/\/$/, '')}/typo`
    const r = await runDoctor({ issuer })
    expect(r.failed).toBe(true)
    expect(status(r, 'discovery')).toBe('fail')
    expect(detail(r, 'jwks')).toContain(`${issuer}/.well-known/jwks.json: HTTP 404 (is the issuer right?`)
  })

  it('a missing or extra trailing slash is named as such', async () => {
    const other = jwtHydra.issuer.endsWith('/') ? jwtHydra.issuer.slice(0, -1) : `${jwtHydra.issuer}/`
    const r = await runDoctor({ issuer: other })
    expect(status(r, 'issuer')).toBe('fail')
    expect(detail(r, 'issuer')).toMatch(/^trailing slash: /)
  })

  it('an unreachable issuer', async () => {
    const r = await runDoctor({ issuer: 'http://127.0.0.1:1', timeoutMs: 2000 })
    expect(status(r, 'discovery')).toBe('fail')
    expect(detail(r, 'discovery')).toContain('is the issuer reachable from this host?')
  })

  it("the admin URL on the public port: 404 and Hydra's admin port", async () => {
    const r = await runDoctor({ issuer: jwtHydra.issuer, adminUrl: jwtHydra.publicUrl })
    expect(status(r, 'admin')).toBe('fail')
    expect(detail(r, 'admin')).toContain("HTTP 404 (Hydra's admin API listens on another port")
  })

  it('an ID token sent as an access token', async () => {
    const { idToken } = await jwtHydra.issueToken({ scopes: ['openid'], clientId: 'web' })
    expect(idToken).toBeDefined()
    const r = await runDoctor({ issuer: jwtHydra.issuer, token: idToken })
    expect(status(r, 'token kind')).toBe('fail')
    expect(detail(r, 'token kind')).toContain('an ID token, not an access token')
  })

  it('a token for another audience, without a required scope, expired', async () => {
    jwtHydra.setTime(Date.now() - 3_600_000)
    const { accessToken } = await jwtHydra.issueToken({
      scopes: ['profile'],
      audience: ['billing'],
      expiresIn: 60,
    })
    jwtHydra.resetTime()
    const r = await runDoctor({
      issuer: jwtHydra.issuer,
      token: accessToken,
      audience: ['orders'],
      scopes: ['read'],
    })
    expect(detail(r, 'token audience')).toContain('has none of')
    expect(detail(r, 'token scopes')).toContain('missing ["read"]')
    expect(detail(r, 'token expiry')).toMatch(/^expired \d+ s ago$/)
    expect(status(r, 'token signature')).toBe('fail')
  })

  it('an opaque token: says which mode it needs, and introspects it with the admin URL', async () => {
    const { accessToken } = await opaqueHydra.issueToken({ scopes: ['read'], audience: ['orders'] })
    const r = await runDoctor({
      issuer: opaqueHydra.issuer,
      adminUrl: opaqueHydra.adminUrl,
      token: accessToken,
      audience: ['orders'],
    })
    expect(status(r, 'token format')).toBe('warn')
    expect(detail(r, 'token format')).toContain("use mode 'introspection' or 'hybrid'")
    expect(status(r, 'token audience')).toBe('ok')
    expect(r.failed).toBe(false)
  })
})

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'cli', 'hydrakit.js')
function run(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, NODE_OPTIONS: '' } })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    child.on('close', (code) => resolve({ code, out, err }))
  })
}

describe.skipIf(!existsSync(cli))('the hydrakit doctor command (built)', () => {
  it('exits 0 with a readable report for a correct setup', async () => {
    const r = await run(['doctor', '--issuer', jwtHydra.issuer, '--admin-url', jwtHydra.adminUrl])
    expect(r.out).toContain('No problems found.')
    expect(r.out).toMatch(/^ok +admin +http/m)
    expect(r.code).toBe(0)
  })

  it('exits 1 and names the problem for the admin URL on the public port', async () => {
    const r = await run(['doctor', '--issuer', jwtHydra.issuer, '--admin-url', jwtHydra.publicUrl])
    expect(r.out).toMatch(/^FAIL +admin +http/m)
    expect(r.out).toContain('1 problem(s) found.')
    expect(r.code).toBe(1)
  })

  it('exits 2 with the usage on bad arguments', async () => {
    const r = await run(['doctor'])
    expect(r.err).toContain('usage: hydrakit doctor --issuer <url>')
    expect(r.code).toBe(2)
  })
})
