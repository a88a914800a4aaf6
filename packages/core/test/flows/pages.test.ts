import { describe, expect, it } from 'vitest'
import {
  escapeHtml,
  renderBuiltInPage,
  type ConsentPageData,
  type ErrorPageData,
  type LoginPageData,
  type LogoutPageData,
} from '../../src/flows/index.js'

const ctx = { nonce: 'bm9uY2U=' }
const client = {
  id: 'c1',
  name: '<b>Evil & Co</b>',
  logoUri: 'https://cdn.example/logo.png',
  policyUri: 'https://example.com/privacy',
}

/** Every input (except hidden ones) has a label pointing at it. */
function expectLabelled(html: string): void {
  const ids = [...html.matchAll(/<input type="(?!hidden)[^"]+" id="([^"]+)"/g)].map((m) => m[1]!)
  expect(ids.length).toBeGreaterThan(0)
  for (const id of ids) expect(html).toContain(`<label for="${id}">`)
}

describe('built-in pages', () => {
  it('escapeHtml escapes the five HTML specials', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    )
  })

  it('login: lang, labels, escaped values, nonce on the style, no script', () => {
    const data = {
      page: 'login',
      challenge: 'ch"1',
      csrfToken: 'tok',
      client,
      username: '</p><script>x</script>',
      offerRemember: true,
      remember: true,
      error: '<i>bad</i>',
      loginRequest: {},
    } as unknown as LoginPageData
    const html = renderBuiltInPage('login', data, ctx)
    expect(html).toContain('<html lang="en">')
    expect(html).toContain('<style nonce="bm9uY2U=">')
    expect(html).toContain('value="ch&quot;1"')
    expect(html).toContain('&lt;/p&gt;&lt;script&gt;x&lt;/script&gt;')
    expect(html).toContain('&lt;b&gt;Evil &amp; Co&lt;/b&gt;')
    expect(html).toContain('&lt;i&gt;bad&lt;/i&gt;')
    expect(html).toContain('role="alert"')
    expect(html).toContain('name="remember" value="1" checked')
    expect(html).toContain('<img src="https://cdn.example/logo.png" alt=""')
    expect(html).not.toMatch(/<script|<link|<iframe/i)
    expectLabelled(html)
  })

  it('consent: one labelled checkbox per scope and audience, ticked', () => {
    const data = {
      page: 'consent',
      challenge: 'c',
      csrfToken: 't',
      client,
      subject: 'user<1>',
      scopes: [
        { value: 'openid', label: 'openid', checked: true },
        { value: 'x"><script>', label: 'x"><script>', checked: true },
        { value: 'write<b>', label: 'Create <items>', checked: true },
      ],
      audiences: [{ value: 'https://api', label: 'https://api', checked: true }],
      offerRemember: true,
      consentRequest: {},
    } as unknown as ConsentPageData
    const html = renderBuiltInPage('consent', data, ctx)
    expect(html.match(/name="grant_scope"/g)).toHaveLength(3)
    expect(html).toContain('<label for="scope-2">Create &lt;items&gt; <code>write&lt;b&gt;</code></label>')
    expect(html.match(/name="grant_audience"/g)).toHaveLength(1)
    expect(html).toContain('value="x&quot;&gt;&lt;script&gt;" checked')
    expect(html).toContain('user&lt;1&gt;')
    expect(html).not.toContain('<script>')
    expectLabelled(html)
  })

  it('logout and error pages', () => {
    const logout = {
      page: 'logout',
      challenge: 'c',
      csrfToken: 't',
      subject: 'alice',
      allowReject: true,
      logoutRequest: {},
    } as unknown as LogoutPageData
    const html = renderBuiltInPage('logout', logout, ctx)
    expect(html).toContain('value="accept">Yes, sign out')
    expect(html).toContain('value="deny" class="secondary">No, stay signed in')
    const error: ErrorPageData = {
      page: 'error',
      status: 401,
      error: 'expired_challenge',
      title: 'Request expired',
      message: 'Start <again>',
      restartUrl: 'https://client.example/?a=1&b=2',
      restartLabel: 'Client <X>',
    }
    const e = renderBuiltInPage('error', error, ctx)
    expect(e).toContain('<title>Request expired</title>')
    expect(e).toContain('Start &lt;again&gt;')
    expect(e).toContain('href="https://client.example/?a=1&amp;b=2"')
    expect(e).toContain('Return to Client &lt;X&gt;')
    // Without a known client the page still says how to get back.
    const plain = renderBuiltInPage(
      'error',
      { ...error, restartUrl: undefined, restartLabel: undefined },
      ctx,
    )
    expect(plain).toContain('Go back to the application you came from and start again.')
    expect(plain).not.toContain('<a href')
  })
})
