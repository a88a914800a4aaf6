import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createMockHydra } from '../../src/index.js'
import type { MockHydra } from '../../src/index.js'
import { admin, pkcePair, TestBrowser } from '../helpers/browser.js'
import { authUrl, CONSENT, LOGIN, query, runFlow, webClient } from '../helpers/flow.js'

const NOT_FOUND = {
  error: 'Not Found',
  error_description: 'Unable to locate the requested resource',
  status_code: 404,
}

let hydra: MockHydra
let gone: MockHydra

beforeAll(async () => {
  hydra = await createMockHydra({ loginUrl: LOGIN, consentUrl: CONSENT })
  gone = await createMockHydra({ loginUrl: LOGIN, consentUrl: CONSENT, handledChallenges: 'gone' })
})
afterAll(async () => {
  await hydra.close()
  await gone.close()
})
afterEach(() => hydra.resetTime())

async function loginChallenge(h: MockHydra): Promise<{ challenge: string; browser: TestBrowser }> {
  const client = webClient(h)
  const browser = new TestBrowser()
  const toLogin = await browser.redirect(authUrl(h, client.client_id, { challenge: pkcePair().challenge }))
  return { challenge: query(toLogin).get('login_challenge')!, browser }
}

async function consentChallenge(h: MockHydra): Promise<string> {
  const { challenge, browser } = await loginChallenge(h)
  const accepted = await admin(
    h.adminUrl,
    'PUT',
    `/admin/oauth2/auth/requests/login/accept?login_challenge=${challenge}`,
    {
      subject: 'alice',
    },
  )
  return query(await browser.redirect(accepted.body.redirect_to)).get('consent_challenge')!
}

const endpoints = [
  ['GET', 'login', ''],
  ['PUT', 'login', '/accept'],
  ['PUT', 'login', '/reject'],
  ['GET', 'consent', ''],
  ['PUT', 'consent', '/accept'],
  ['PUT', 'consent', '/reject'],
  ['GET', 'logout', ''],
  ['PUT', 'logout', '/accept'],
  ['PUT', 'logout', '/reject'],
] as const

describe.each(endpoints)('%s /admin/oauth2/auth/requests/%s%s', (method, kind, suffix) => {
  const path = `/admin/oauth2/auth/requests/${kind}${suffix}`
  const body =
    suffix === '/accept' && kind === 'login'
      ? { subject: 'alice' }
      : suffix && kind !== 'logout'
        ? {}
        : undefined

  it('400 invalid_request without a challenge', async () => {
    const res = await admin(hydra.adminUrl, method, path, body)
    expect(res.status).toBe(400)
    expect(res.body).toEqual({
      error: 'invalid_request',
      error_description: expect.stringContaining(
        "Query parameter 'challenge' is not defined but should have been.",
      ),
      status_code: 400,
    })
  })

  it('404 Not Found for an unknown challenge (also via the un-prefixed path)', async () => {
    const res = await admin(hydra.adminUrl, method, `${path}?${kind}_challenge=unknown`, body)
    expect(res.status).toBe(404)
    expect(res.body).toEqual(NOT_FOUND)
    const bare = await admin(hydra.adminUrl, method, `${path.replace('/admin', '')}?challenge=unknown`, body)
    expect(bare.status).toBe(404)
    expect(bare.body).toEqual(NOT_FOUND)
  })
})

describe('401 for expired login and consent challenges', () => {
  it.each(['', '/accept', '/reject'])('login%s', async (suffix) => {
    const { challenge } = await loginChallenge(hydra)
    hydra.advanceTime(1801)
    const res = await admin(
      hydra.adminUrl,
      suffix ? 'PUT' : 'GET',
      `/admin/oauth2/auth/requests/login${suffix}?login_challenge=${challenge}`,
      suffix ? { subject: 'alice' } : undefined,
    )
    expect(res.status).toBe(401)
    expect(res.body).toEqual({
      error: 'request_unauthorized',
      error_description:
        'The request could not be authorized. The login request has expired, please try again.',
      status_code: 401,
    })
  })

  it.each(['', '/accept', '/reject'])('consent%s', async (suffix) => {
    const challenge = await consentChallenge(hydra)
    hydra.advanceTime(1801)
    const res = await admin(
      hydra.adminUrl,
      suffix ? 'PUT' : 'GET',
      `/admin/oauth2/auth/requests/consent${suffix}?consent_challenge=${challenge}`,
      suffix ? {} : undefined,
    )
    expect(res.status).toBe(401)
    expect(res.body.error).toBe('request_unauthorized')
    expect(res.body.error_description).toContain('The consent request has expired')
  })
})

describe('handled challenges', () => {
  it("'reuse' (default, v26): GET after the flow finished still answers 200", async () => {
    const client = webClient(hydra)
    const flow = await runFlow(hydra, new TestBrowser(), client.client_id)
    const login = await admin(
      hydra.adminUrl,
      'GET',
      `/admin/oauth2/auth/requests/login?login_challenge=${flow.loginChallenge}`,
    )
    expect(login.status).toBe(200)
    const consent = await admin(
      hydra.adminUrl,
      'GET',
      `/admin/oauth2/auth/requests/consent?consent_challenge=${flow.consentChallenge}`,
    )
    expect(consent.status).toBe(200)
  })

  it("'gone': GET/accept/reject answer 410 {redirect_to} once the verifier was used", async () => {
    const client = webClient(gone)
    const flow = await runFlow(gone, new TestBrowser(), client.client_id)
    expect(flow.code).not.toBeNull()
    const requestUrl = flow.loginRequest.request_url
    for (const [method, path, body] of [
      ['GET', `login?login_challenge=${flow.loginChallenge}`, undefined],
      ['PUT', `login/accept?login_challenge=${flow.loginChallenge}`, { subject: 'alice' }],
      ['PUT', `login/reject?login_challenge=${flow.loginChallenge}`, {}],
      ['GET', `consent?consent_challenge=${flow.consentChallenge}`, undefined],
      ['PUT', `consent/accept?consent_challenge=${flow.consentChallenge}`, {}],
      ['PUT', `consent/reject?consent_challenge=${flow.consentChallenge}`, {}],
    ] as const) {
      const res = await admin(gone.adminUrl, method, `/admin/oauth2/auth/requests/${path}`, body)
      expect(res.status).toBe(410)
      expect(res.body).toEqual({ redirect_to: requestUrl })
    }
  })
})

describe('request bodies', () => {
  it('accepting a login with an empty subject is 400', async () => {
    const { challenge } = await loginChallenge(hydra)
    for (const body of [{}, { subject: '' }]) {
      const res = await admin(
        hydra.adminUrl,
        'PUT',
        `/admin/oauth2/auth/requests/login/accept?login_challenge=${challenge}`,
        body,
      )
      expect(res.status).toBe(400)
      expect(res.body).toEqual({
        error: 'invalid_request',
        error_description: expect.stringContaining("Field 'subject' must not be empty."),
        status_code: 400,
      })
    }
  })

  it('malformed JSON, wrong field types and empty bodies are 400, unknown fields are ignored', async () => {
    const { challenge } = await loginChallenge(hydra)
    const path = `/admin/oauth2/auth/requests/login/accept?login_challenge=${challenge}`
    for (const body of [
      '{"subject":',
      '',
      '[]',
      { subject: 'a', remember: 'yes' },
      { subject: 'a', remember_for: -1 },
    ]) {
      const res = await admin(hydra.adminUrl, 'PUT', path, body)
      expect(res.status).toBe(400)
      expect(res.body.error).toBe('invalid_request')
    }
    const ok = await admin(hydra.adminUrl, 'PUT', path, { subject: 'alice', rememberFor: 5, unknown: true })
    expect(ok.status).toBe(200)
  })

  it('passes oidc_context from the authorization request', async () => {
    const client = webClient(hydra)
    const location = await new TestBrowser().redirect(
      authUrl(hydra, client.client_id, {
        challenge: pkcePair().challenge,
        extra: { login_hint: 'alice@example.com', ui_locales: 'de en', acr_values: 'loa2', display: 'page' },
      }),
    )
    const res = await admin(
      hydra.adminUrl,
      'GET',
      `/admin/oauth2/auth/requests/login?challenge=${query(location).get('login_challenge')}`,
    )
    expect(res.body.oidc_context).toEqual({
      login_hint: 'alice@example.com',
      ui_locales: ['de', 'en'],
      acr_values: ['loa2'],
      display: 'page',
    })
  })
})
