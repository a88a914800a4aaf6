// Browser end-to-end test of the login/consent/logout routers: headless Debian Chromium driven by
// playwright-core runs the authorization code + PKCE flow of a small client app through the mock
// Hydra and our login and consent pages, then calls the example API with the token.

import { existsSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startStack, type LoginFramework, type Stack } from './support/stack.js'

const CHROMIUM = '/usr/bin/chromium'
const available = existsSync(CHROMIUM)
if (!available) {
  if (process.env.CI === 'true') throw new Error(`${CHROMIUM} is required for the browser tests in CI`)
  console.warn(`[e2e] skipping the browser tests: ${CHROMIUM} not found (install Debian's chromium package)`)
}

let browser: Browser
let stack: Stack
const contexts: BrowserContext[] = []
/** Console messages and page errors of every page (CSP violations show up here). */
const problems: string[] = []

beforeAll(async () => {
  if (!available) return
  stack = await startStack()
  browser = await chromium.launch({
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
})

afterAll(async () => {
  await browser?.close()
  await stack?.close()
})

afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close()
  stack?.use('express')
})

/** A fresh browser profile (no cookies) with one page that records console problems. */
async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext()
  contexts.push(context)
  const page = await context.newPage()
  page.setDefaultTimeout(5000)
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text())
  })
  page.on('pageerror', (e) => problems.push(e.message))
  return { context, page }
}

async function signIn(page: Page, scope?: string): Promise<void> {
  await page.goto(`${stack.client.url}/`)
  if (scope === undefined) await page.click('#signin')
  else await page.goto(`${stack.client.url}/signin?scope=${encodeURIComponent(scope)}`)
}

async function submitLogin(page: Page, remember = false): Promise<void> {
  await page.waitForURL(/\/auth\/login\?login_challenge=/)
  await page.getByLabel('Username or email').fill('foo@bar.com')
  await page.getByLabel('Password').fill('foobar')
  if (remember) await page.getByLabel('Keep me signed in').check()
  await page.getByRole('button', { name: 'Sign in' }).click()
}

async function onConsent(page: Page): Promise<void> {
  await page.waitForURL(/\/auth\/consent\?consent_challenge=/)
}

async function callbackResult(page: Page): Promise<{ granted: string; read: string; write: string }> {
  await page.waitForURL(/\/callback\?/)
  return {
    granted: (await page.textContent('#granted')) ?? '',
    read: (await page.textContent('#read')) ?? '',
    write: (await page.textContent('#write')) ?? '',
  }
}

describe.skipIf(!available).each<[LoginFramework]>([['express'], ['koa'], ['fastify'], ['hono']])(
  'browser flow with the %s router',
  (framework) => {
    it('authorization code + PKCE: login, untick a scope, token works for read (200), not write (403)', async () => {
      stack.use(framework)
      problems.length = 0
      const { page } = await newPage()
      await signIn(page)
      await submitLogin(page)
      await onConsent(page)
      // The nonce'd stylesheet applies under the CSP (no inline style blocked).
      const background = await page.evaluate<string>('getComputedStyle(document.body).backgroundColor')
      expect(background).toBe('rgb(244, 245, 247)')
      expect(await page.getByRole('heading', { name: 'Allow access?' }).isVisible()).toBe(true)
      await page.getByLabel('write', { exact: true }).uncheck()
      await page.getByRole('button', { name: 'Allow' }).click()
      const result = await callbackResult(page)
      expect(result.granted.split(' ').sort()).toEqual(['offline_access', 'openid', 'read'])
      expect(result.read).toBe('200')
      expect(result.write).toBe('403')
      expect(problems.filter((p) => /Content Security Policy|Refused/i.test(p))).toEqual([])
    })
  },
)

describe.skipIf(!available)('browser flow details (Express router)', () => {
  it('a remembered login skips the form on the second run', async () => {
    const { page } = await newPage()
    await signIn(page)
    await submitLogin(page, true)
    await onConsent(page)
    await page.getByRole('button', { name: 'Allow' }).click()
    expect((await callbackResult(page)).read).toBe('200')
    const before = stack.authentications
    await signIn(page)
    await onConsent(page) // straight to consent: the login form was skipped
    expect(stack.authentications).toBe(before)
    await page.getByRole('button', { name: 'Allow' }).click()
    expect((await callbackResult(page)).write).toBe('201')
  })

  it('deny on the login page ends at the client with access_denied', async () => {
    const { page } = await newPage()
    await signIn(page)
    await page.waitForURL(/\/auth\/login/)
    await page.getByRole('button', { name: 'Cancel' }).click()
    await page.waitForURL(/\/callback\?/)
    expect(await page.textContent('#error')).toBe('access_denied')
  })

  it('deny on the consent page ends at the client with access_denied', async () => {
    const { page } = await newPage()
    await signIn(page)
    await submitLogin(page)
    await onConsent(page)
    await page.getByRole('button', { name: 'Deny' }).click()
    await page.waitForURL(/\/callback\?/)
    expect(await page.textContent('#error')).toBe('access_denied')
  })

  it('a forged consent form with extra scopes grants nothing extra', async () => {
    const { page } = await newPage()
    await signIn(page, 'openid read')
    await submitLogin(page)
    await onConsent(page)
    // Add what a forged POST would carry: scopes that were never requested.
    await page.evaluate(`
      for (const scope of ['write', 'admin']) {
        const input = document.createElement('input')
        input.type = 'hidden'
        input.name = 'grant_scope'
        input.value = scope
        document.querySelector('form').appendChild(input)
      }
    `)
    await page.getByRole('button', { name: 'Allow' }).click()
    const result = await callbackResult(page)
    expect(result.granted.split(' ').sort()).toEqual(['openid', 'read'])
    expect(result.write).toBe('403')
  })

  it('a login form without its CSRF token is refused (403) and nobody is signed in', async () => {
    const { page } = await newPage()
    await signIn(page)
    await page.waitForURL(/\/auth\/login/)
    await page.evaluate(`document.querySelector('input[name="csrf_token"]').remove()`)
    await page.getByLabel('Username or email').fill('foo@bar.com')
    await page.getByLabel('Password').fill('foobar')
    const before = stack.authentications
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/auth/login')),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ])
    expect(response.status()).toBe(403)
    expect(await page.getByRole('heading', { name: 'Form expired' }).isVisible()).toBe(true)
    expect(stack.authentications).toBe(before)
  })

  it('logout ends the session: the next sign-in shows the login form again', async () => {
    const { page } = await newPage()
    await signIn(page)
    await submitLogin(page, true)
    await onConsent(page)
    await page.getByRole('button', { name: 'Allow' }).click()
    await callbackResult(page)
    await page.click('#signout')
    await page.waitForURL(/\/auth\/logout\?logout_challenge=/)
    await page.getByRole('button', { name: 'Yes, sign out' }).click()
    await page.waitForURL(/\/bye\?state=bye-state-123/)
    expect(await page.textContent('#bye')).toBe('signed out')
    await page.click('#signin')
    await page.waitForURL(/\/auth\/login\?login_challenge=/)
    expect(await page.getByLabel('Password').isVisible()).toBe(true)
  })
})

describe.skipIf(!available).each<[LoginFramework]>([['express'], ['koa'], ['fastify'], ['hono']])(
  'login CSRF with planted cookies (%s router)',
  (framework) => {
    let attacker: Server | undefined
    afterEach(async () => {
      attacker?.closeAllConnections()
      await new Promise<void>((resolve) => (attacker ? attacker.close(() => resolve()) : resolve()))
      attacker = undefined
    })

    it('a page on another port plants the cookies and posts its own login: refused, the victim is not signed in', async () => {
      stack.use(framework)
      // The attacker runs a login of their own and keeps its challenge, CSRF token and cookies
      // (hydrakit's CSRF cookie and Hydra's login CSRF cookie).
      const { context: theirs, page: their } = await newPage()
      await signIn(their)
      await their.waitForURL(/\/auth\/login\?login_challenge=/)
      const field = async (name: string): Promise<string> =>
        (await their.locator(`input[name="${name}"]`).getAttribute('value')) ?? ''
      const challenge = await field('challenge')
      const csrfToken = await field('csrf_token')
      const cookies = await theirs.cookies()
      expect(cookies.map((c) => c.name)).toContain('hydrakit_csrf')

      // Their page on another port of the same host name: cookies are not separated by port, so it
      // can set them for the login app. It then posts the login form, with their account.
      const posted: string[] = []
      attacker = createServer((req, res) => {
        res.writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          'set-cookie': cookies.map((c) => `${c.name}=${c.value}; Path=/; SameSite=Lax`),
        })
        res.end(
          `<!doctype html><form method="post" action="${stack.loginAppUrl}/auth/login">` +
            `<input name="challenge" value="${challenge}"><input name="csrf_token" value="${csrfToken}">` +
            `<input name="username" value="foo@bar.com"><input name="password" value="foobar">` +
            `<button name="action" value="accept">go</button></form>` +
            `<script>document.forms[0].requestSubmit(document.querySelector('button'))</script>`,
        )
        posted.push(req.url ?? '')
      })
      await new Promise<void>((resolve) => attacker!.listen(0, '127.0.0.1', resolve))
      const attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`
      expect(attackerUrl).not.toContain(new URL(stack.loginAppUrl).port)

      const { page: victim } = await newPage()
      const before = stack.authentications
      const [response] = await Promise.all([
        victim.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/auth/login')),
        victim.goto(attackerUrl),
      ])
      expect(posted).toHaveLength(1)
      expect(await response.request().headerValue('sec-fetch-site')).toBe('same-site')
      expect(response.status()).toBe(403)
      await victim.waitForLoadState()
      expect(await victim.getByRole('heading', { name: 'Form expired' }).isVisible()).toBe(true)
      expect(stack.authentications).toBe(before)
      expect(victim.url()).not.toMatch(/\/auth\/consent/)

      // The attacker's own login, posted from the login page itself, still works.
      await submitLogin(their)
      await onConsent(their)
      expect(stack.authentications).toBe(before + 1)
    })
  },
)
