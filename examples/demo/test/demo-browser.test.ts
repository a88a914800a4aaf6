// A person's walk through the demo: open the client page, sign in as the demo user, untick "write"
// on the consent page, see the API answer 200 for reads and 403 for the write, then sign out (No,
// then Yes).
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const CHROMIUM = '/usr/bin/chromium'
const available = existsSync(CHROMIUM)
if (!available) {
  if (process.env.CI === 'true') throw new Error(`${CHROMIUM} is required for the browser tests in CI`)
  console.warn(
    `[demo] skipping the browser walk-through: ${CHROMIUM} not found (install Debian's chromium package)`,
  )
}

const demo = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'demo.js')

async function freePort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as { port: number }).port
  await new Promise<void>((r) => s.close(() => r()))
  return port
}

let child: ChildProcess | undefined
let clientUrl = ''

beforeAll(async () => {
  if (!available) return
  const env: Record<string, string> = { ...(process.env as Record<string, string>) }
  for (const name of [
    'DEMO_HYDRA_PUBLIC_PORT',
    'DEMO_HYDRA_ADMIN_PORT',
    'DEMO_LOGIN_PORT',
    'DEMO_API_PORT',
    'DEMO_CLIENT_PORT',
  ]) {
    env[name] = String(await freePort())
  }
  clientUrl = `http://127.0.0.1:${env.DEMO_CLIENT_PORT}`
  child = spawn(process.execPath, [demo], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo did not start: ${out}`)), 20_000)
    child!.stdout!.on('data', (c: Buffer) => {
      out += c.toString()
      if (out.includes('Ctrl-C stops everything')) {
        clearTimeout(timer)
        resolve()
      }
    })
    child!.stderr!.on('data', (c: Buffer) => (out += c.toString()))
    child!.on('exit', () => reject(new Error(`demo exited: ${out}`)))
  })
})

afterAll(() => {
  child?.kill('SIGTERM')
})

describe.skipIf(!available)('demo in a browser', () => {
  it('sign in, consent without "write", then the API answers 200 for reads and 403 for the write', async () => {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    })
    try {
      const page = await browser.newPage()
      // A stuck step fails with its own message, well within the test's timeout.
      page.setDefaultTimeout(20_000)
      await page.goto(clientUrl)
      await page.click('text=Sign in with Hydra')
      await page.fill('input[name=username]', 'foo@bar.com')
      await page.fill('input[name=password]', 'foobar')
      // Remembered, so Hydra has a session to end (without one, signing out has nothing to ask).
      await page.check('#remember')
      await page.click('button[type=submit] >> nth=0')
      await page.waitForSelector('input[type=checkbox][value=write]')
      // The scope's name (what the README says to untick) is next to its description.
      const writeLabel = await page.textContent(
        'label[for=' + (await page.getAttribute('input[value=write]', 'id'))! + ']',
      )
      expect(writeLabel).toBe('Create items write')
      await page.uncheck('input[type=checkbox][value=write]')
      await page.click('button[type=submit] >> nth=0')
      // The one-time code does not stay in the address bar.
      await page.waitForURL(/\/result$/)
      expect(page.url()).not.toContain('code=')
      const text = (await page.textContent('body')) ?? ''
      expect(text).toContain('GET /me → 200')
      expect(text).toContain('GET /items → 200')
      expect(text).toContain('POST /items → 403')
      expect(text).toMatch(/Granted scopes: [^\n]*read/)
      expect(text).not.toMatch(/Granted scopes: [^\n]*write/)
      // Long JSON wraps instead of scrolling sideways.
      expect(await page.evaluate('getComputedStyle(document.querySelector("pre")).whiteSpace')).toBe(
        'pre-wrap',
      )

      // Sign out asks first, and "No" keeps the session and comes back.
      await page.click('text=Sign out')
      await page.waitForSelector('button[value=deny]').catch(async (err: unknown) => {
        throw new Error(`no logout question at ${page.url()}: ${await page.textContent('body')}`, {
          cause: err,
        })
      })
      expect(await page.textContent('button[value=accept]')).toBe('Yes, sign out')
      expect(await page.textContent('button[value=deny]')).toBe('No, stay signed in')
      await page.click('button[value=deny]')
      await page.waitForURL(/\/result$/)
      await page.click('text=Sign out')
      await page.click('button[value=accept]')
      await page.waitForURL((u) => u.pathname === '/' && u.port === new URL(clientUrl).port)
      expect(await page.textContent('body')).toContain('Sign in with Hydra')
    } finally {
      await browser.close()
    }
  }, 90_000)
})
