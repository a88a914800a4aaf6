import { describe, expect, it } from 'vitest'
import { createCsrfProtection, type FlowRequest } from '../../src/flows/index.js'

const SECRET = 'k'.repeat(32)

function req(cookie?: string, secure = false): FlowRequest {
  return {
    method: 'POST',
    query: new URLSearchParams(),
    headers: cookie === undefined ? {} : { cookie },
    secure,
  }
}

function cookieOf(setCookie: string): string {
  return setCookie.split(';')[0]!
}

describe('createCsrfProtection', () => {
  it('issues a cookie once and a token that verifies only for that cookie, flow and challenge', () => {
    const csrf = createCsrfProtection(SECRET)
    const first = csrf.issue(req(), 'login', 'ch1')
    expect(first.cookies).toHaveLength(1)
    const cookie = cookieOf(first.cookies[0]!)
    const browser = req(cookie)
    expect(csrf.verify(browser, 'login', 'ch1', first.token)).toBe(true)
    expect(csrf.verify(browser, 'login', 'ch2', first.token)).toBe(false)
    expect(csrf.verify(browser, 'consent', 'ch1', first.token)).toBe(false)
    expect(csrf.verify(req(), 'login', 'ch1', first.token)).toBe(false)
    expect(csrf.verify(req('hydrakit_csrf=' + 'b'.repeat(43)), 'login', 'ch1', first.token)).toBe(false)
    // The same browser gets tokens bound to the same cookie, without a new Set-Cookie.
    const second = csrf.issue(browser, 'consent', 'ch9')
    expect(second.cookies).toEqual([])
    expect(csrf.verify(browser, 'consent', 'ch9', second.token)).toBe(true)
  })

  it('refuses malformed, empty and tampered tokens', () => {
    const csrf = createCsrfProtection(SECRET)
    const { token, cookies } = csrf.issue(req(), 'logout', 'c')
    const browser = req(cookieOf(cookies[0]!))
    for (const bad of [
      undefined,
      null,
      '',
      'x',
      token.slice(1),
      `${token}=`,
      token.toUpperCase(),
      `${token.slice(0, -1)}!`,
    ]) {
      if (bad === token) continue
      expect(csrf.verify(browser, 'logout', 'c', bad)).toBe(false)
    }
  })

  it('refuses a valid token on a request whose fetch metadata shows another origin', () => {
    const csrf = createCsrfProtection(SECRET)
    const { token, cookies } = csrf.issue(req(), 'login', 'c')
    const cookie = cookieOf(cookies[0]!)
    const withSite = (site: string | string[] | undefined): FlowRequest => ({
      ...req(cookie),
      headers: { cookie, 'sec-fetch-site': site },
    })
    expect(csrf.verify(withSite(undefined), 'login', 'c', token)).toBe(true)
    expect(csrf.verify(withSite('same-origin'), 'login', 'c', token)).toBe(true)
    expect(csrf.verify(withSite('none'), 'login', 'c', token)).toBe(true)
    for (const site of ['same-site', 'cross-site', '', 'bogus', ['same-origin', 'same-origin']]) {
      expect(csrf.verify(withSite(site), 'login', 'c', token)).toBe(false)
    }
  })

  it('tokens of another secret do not verify', () => {
    const a = createCsrfProtection(SECRET)
    const b = createCsrfProtection('z'.repeat(32))
    const { token, cookies } = a.issue(req(), 'login', 'c')
    expect(b.verify(req(cookieOf(cookies[0]!)), 'login', 'c', token)).toBe(false)
  })

  it('replaces a malformed cookie value with a fresh one', () => {
    const csrf = createCsrfProtection(SECRET)
    const issued = csrf.issue(req('hydrakit_csrf=short'), 'login', 'c')
    expect(issued.cookies).toHaveLength(1)
  })

  it('cookie attributes follow the options', () => {
    const auto = createCsrfProtection(SECRET)
    expect(auto.issue(req(), 'login', 'c').cookies[0]).toMatch(
      /^hydrakit_csrf=[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax$/,
    )
    expect(auto.issue(req(undefined, true), 'login', 'c').cookies[0]).toMatch(
      /^__Host-hydrakit_csrf=[\w-]{43}; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
    )
    const custom = createCsrfProtection(SECRET, {
      name: 'my_csrf',
      secure: true,
      sameSite: 'strict',
      path: '/auth',
      domain: 'example.com',
      maxAge: 600,
    })
    expect(custom.issue(req(), 'login', 'c').cookies[0]).toMatch(
      /^my_csrf=[\w-]{43}; Path=\/auth; Domain=example.com; Max-Age=600; HttpOnly; Secure; SameSite=Strict$/,
    )
    const insecure = createCsrfProtection(SECRET, { secure: false })
    expect(insecure.issue(req(undefined, true), 'login', 'c').cookies[0]).toMatch(
      /^hydrakit_csrf=[^;]+; Path=\/; HttpOnly; SameSite=Lax$/,
    )
  })

  it('reads its cookie among others and with a quoted value', () => {
    const csrf = createCsrfProtection(SECRET)
    const { token, cookies } = csrf.issue(req(), 'login', 'c')
    const value = cookieOf(cookies[0]!).split('=')[1]!
    expect(csrf.verify(req(`a=1; hydrakit_csrf="${value}"; b=2`), 'login', 'c', token)).toBe(true)
    expect(csrf.verify(req(`xhydrakit_csrf=${value}`), 'login', 'c', token)).toBe(false)
  })
})
