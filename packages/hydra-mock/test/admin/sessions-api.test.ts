import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMockHydra } from '../../src/index.js'
import type { MockHydra } from '../../src/index.js'
import { admin, pkcePair, postForm, TestBrowser } from '../helpers/browser.js'
import { authUrl, CONSENT, exchange, LOGIN, query, runFlow, webClient } from '../helpers/flow.js'

let hydra: MockHydra
let client: ReturnType<typeof webClient>

beforeAll(async () => {
  hydra = await createMockHydra({ loginUrl: LOGIN, consentUrl: CONSENT })
  client = webClient(hydra)
})
afterAll(() => hydra.close())

async function remembered(subject: string) {
  const browser = new TestBrowser()
  const flow = await runFlow(hydra, browser, client.client_id, {
    scope: 'openid read',
    login: { subject, remember: true },
    consent: (r) => ({
      grant_scope: r.requested_scope,
      remember: true,
      session: { access_token: { a: 1 } },
      context: { c: true },
    }),
  })
  const tokens = (await exchange(hydra, client, flow.code!, flow.verifier)).body
  return { browser, flow, tokens }
}

async function skipFlags(browser: TestBrowser, subject: string) {
  const flow = await runFlow(hydra, browser, client.client_id, { scope: 'openid read', login: { subject } })
  return { login: flow.loginRequest.skip as boolean, consent: flow.consentRequest.skip as boolean }
}

describe('consent sessions', () => {
  it('lists the granted consents of a subject', async () => {
    const { flow } = await remembered('list-user')
    const res = await admin(hydra.adminUrl, 'GET', '/admin/oauth2/auth/sessions/consent?subject=list-user')
    expect(res.status).toBe(200)
    expect(res.body).toHaveLength(1)
    expect(res.body[0]).toMatchObject({
      consent_request_id: flow.consentRequest.consent_request_id,
      grant_scope: ['openid', 'read'],
      grant_access_token_audience: [],
      remember: true,
      remember_for: 0,
      session: { access_token: { a: 1 }, id_token: {} },
      context: { c: true },
      consent_request: {
        challenge: flow.consentChallenge,
        subject: 'list-user',
        client: { client_id: client.client_id },
      },
    })
    expect(Date.parse(res.body[0].handled_at)).not.toBeNaN()
    expect((await admin(hydra.adminUrl, 'GET', '/admin/oauth2/auth/sessions/consent')).status).toBe(400)
    expect(
      (await admin(hydra.adminUrl, 'GET', '/admin/oauth2/auth/sessions/consent?subject=nobody')).body,
    ).toEqual([])
  })

  it('pages with page_size and page_token, newest first, and refuses page_size above 500', async () => {
    for (let i = 0; i < 3; i++) {
      const other = webClient(hydra)
      await runFlow(hydra, new TestBrowser(), other.client_id, {
        scope: 'openid read',
        login: { subject: 'paula' },
        consent: (r) => ({ grant_scope: r.requested_scope, remember: true }),
      })
    }
    const all = await admin(hydra.adminUrl, 'GET', '/admin/oauth2/auth/sessions/consent?subject=paula')
    expect(all.body).toHaveLength(3)
    const first = await admin(
      hydra.adminUrl,
      'GET',
      '/admin/oauth2/auth/sessions/consent?subject=paula&page_size=2',
    )
    expect(first.body).toEqual(all.body.slice(0, 2))
    const next = /<([^>]+)>; rel="next"/.exec(first.headers.get('link')!)![1]!
    expect(next.startsWith('/admin/oauth2/auth/sessions/consent?subject=paula&page_size=2&page_token=')).toBe(
      true,
    )
    const second = await admin(hydra.adminUrl, 'GET', next)
    expect(second.body).toEqual(all.body.slice(2))
    expect(second.headers.get('link')).not.toMatch(/rel="next"/)
    for (const size of ['0', '501', 'x']) {
      const bad = await admin(
        hydra.adminUrl,
        'GET',
        `/admin/oauth2/auth/sessions/consent?subject=paula&page_size=${size}`,
      )
      expect(bad.status, size).toBe(400)
      expect(bad.body.error_description).toContain('page_size')
    }
    const forged = await admin(
      hydra.adminUrl,
      'GET',
      '/admin/oauth2/auth/sessions/consent?subject=paula&page_token=bm9wZQ',
    )
    expect(forged.status).toBe(400)
  })

  it('revoking a subject’s consent for a client revokes its tokens and the skip', async () => {
    const { browser, tokens } = await remembered('revoke-user')
    expect(await skipFlags(browser, 'revoke-user')).toEqual({ login: true, consent: true })
    const res = await admin(
      hydra.adminUrl,
      'DELETE',
      `/admin/oauth2/auth/sessions/consent?subject=revoke-user&client=${client.client_id}`,
    )
    expect(res.status).toBe(204)
    const info = await postForm(`${hydra.adminUrl}/admin/oauth2/introspect`, { token: tokens.access_token })
    expect(info.body).toEqual({ active: false })
    expect(await skipFlags(browser, 'revoke-user')).toEqual({ login: true, consent: false })
  })

  it('revokes by consent_request_id and by all=true', async () => {
    const a = await remembered('by-id')
    await admin(
      hydra.adminUrl,
      'DELETE',
      `/admin/oauth2/auth/sessions/consent?consent_request_id=${a.flow.consentRequest.consent_request_id}`,
    )
    expect(
      (await admin(hydra.adminUrl, 'GET', '/admin/oauth2/auth/sessions/consent?subject=by-id')).body,
    ).toEqual([])
    await remembered('all-user')
    expect(
      (await admin(hydra.adminUrl, 'DELETE', '/admin/oauth2/auth/sessions/consent?subject=all-user&all=true'))
        .status,
    ).toBe(204)
    expect(
      (await admin(hydra.adminUrl, 'GET', '/admin/oauth2/auth/sessions/consent?subject=all-user')).body,
    ).toEqual([])
  })

  it('needs subject (or consent_request_id) and client or all', async () => {
    expect((await admin(hydra.adminUrl, 'DELETE', '/admin/oauth2/auth/sessions/consent')).status).toBe(400)
    const res = await admin(hydra.adminUrl, 'DELETE', '/admin/oauth2/auth/sessions/consent?subject=x')
    expect(res.status).toBe(400)
    expect(res.body.error).toBe('invalid_request')
  })
})

describe('login sessions', () => {
  it('revoking by subject ends the remembered login', async () => {
    const { browser } = await remembered('login-user')
    expect(
      (await admin(hydra.adminUrl, 'DELETE', '/admin/oauth2/auth/sessions/login?subject=login-user')).status,
    ).toBe(204)
    const toLogin = await browser.redirect(
      authUrl(hydra, client.client_id, { challenge: pkcePair().challenge }),
    )
    const login = await admin(
      hydra.adminUrl,
      'GET',
      `/admin/oauth2/auth/requests/login?challenge=${query(toLogin).get('login_challenge')}`,
    )
    expect(login.body.skip).toBe(false)
  })

  it('revoking by sid ends that session only; no parameter is 400', async () => {
    const one = await remembered('sid-user')
    const two = await remembered('sid-user')
    const sid = one.flow.loginRequest.session_id
    expect(
      (await admin(hydra.adminUrl, 'DELETE', `/admin/oauth2/auth/sessions/login?sid=${sid}`)).status,
    ).toBe(204)
    expect((await skipFlags(one.browser, 'sid-user')).login).toBe(false)
    expect((await skipFlags(two.browser, 'sid-user')).login).toBe(true)
    expect((await admin(hydra.adminUrl, 'DELETE', '/admin/oauth2/auth/sessions/login')).status).toBe(400)
  })
})
