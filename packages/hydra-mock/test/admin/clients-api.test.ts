import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMockHydra } from '../../src/index.js'
import type { MockHydra } from '../../src/index.js'
import { admin, basic, postForm } from '../helpers/browser.js'

const NOT_FOUND = {
  error: 'Not Found',
  error_description: 'Unable to locate the requested resource',
  status_code: 404,
}
let hydra: MockHydra

beforeAll(async () => {
  hydra = await createMockHydra()
})
afterAll(() => hydra.close())

const ccToken = (id: string, secret: string) =>
  postForm(`${hydra.publicUrl}/oauth2/token`, { grant_type: 'client_credentials' }, basic(id, secret))

describe('clients CRUD', () => {
  it('POST creates with Hydra’s defaults and returns the secret once', async () => {
    const res = await admin(hydra.adminUrl, 'POST', '/admin/clients', {
      client_name: 'shop',
      grant_types: ['client_credentials'],
      unknown_field: 'ignored',
    })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({
      client_name: 'shop',
      scope: 'offline_access offline openid',
      token_endpoint_auth_method: 'client_secret_basic',
      subject_type: 'public',
      redirect_uris: [],
      audience: [],
      skip_consent: false,
    })
    expect(res.body.client_id).toMatch(/^[0-9a-f-]{36}$/)
    expect(res.body.client_secret.length).toBeGreaterThanOrEqual(26)
    expect(res.body.unknown_field).toBeUndefined()
    expect(Date.parse(res.body.created_at)).not.toBeNaN()

    const get = await admin(hydra.adminUrl, 'GET', `/admin/clients/${res.body.client_id}`)
    expect(get.status).toBe(200)
    expect(get.body.client_secret).toBeUndefined()
    expect(get.body.client_name).toBe('shop')
    expect((await ccToken(res.body.client_id, res.body.client_secret)).status).toBe(200)
  })

  it('accepts a fixed client_id and secret; a taken id is 409', async () => {
    const body = { client_id: 'fixed-id', client_secret: 'fixed-secret', grant_types: ['client_credentials'] }
    const res = await admin(hydra.adminUrl, 'POST', '/admin/clients', body)
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({ client_id: 'fixed-id', client_secret: 'fixed-secret' })
    const dup = await admin(hydra.adminUrl, 'POST', '/admin/clients', body)
    expect(dup.status).toBe(409)
    expect(dup.body.error).toBe('Conflict')
  })

  it('refuses invalid metadata with 400 and names the field', async () => {
    const cases = [
      [{ redirect_uris: ['https://app.example/cb#frag'] }, 'invalid_redirect_uri', 'redirect_uris[0]'],
      [{ redirect_uris: ['not a uri'] }, 'invalid_redirect_uri', 'redirect_uris[0]'],
      [
        { token_endpoint_auth_method: 'private_key_jwt' },
        'invalid_client_metadata',
        'token_endpoint_auth_method',
      ],
      [{ client_secret: 'short' }, 'invalid_client_metadata', 'client_secret'],
      [
        { token_endpoint_auth_method: 'none', client_secret: 'long-enough' },
        'invalid_client_metadata',
        'client_secret',
      ],
      [{ subject_type: 'weird' }, 'invalid_client_metadata', 'subject_type'],
      [{ access_token_strategy: 'magic' }, 'invalid_client_metadata', 'access_token_strategy'],
      [{ redirect_uris: 'https://a/cb' }, 'invalid_request', 'redirect_uris'],
      [{ skip_consent: 'yes' }, 'invalid_request', 'skip_consent'],
      [
        {
          redirect_uris: ['https://app.example/cb'],
          post_logout_redirect_uris: ['https://other.example/bye'],
        },
        'invalid_client_metadata',
        'post_logout_redirect_uris[0]',
      ],
    ] as const
    for (const [body, error, field] of cases) {
      const res = await admin(hydra.adminUrl, 'POST', '/admin/clients', body)
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(res.body.error).toBe(error)
      expect(res.body.error_description).toContain(field)
    }
    for (const raw of ['{', '[1,2]', '"x"']) {
      const res = await admin(hydra.adminUrl, 'POST', '/admin/clients', raw)
      expect(res.status).toBe(400)
    }
  })

  it('GET lists without secrets, filters and paginates with a Link header', async () => {
    for (let i = 0; i < 3; i++) {
      await admin(hydra.adminUrl, 'POST', '/admin/clients', { client_name: 'paged', owner: 'team-a' })
    }
    const first = await admin(hydra.adminUrl, 'GET', '/admin/clients?client_name=paged&page_size=2')
    expect(first.status).toBe(200)
    expect(first.body).toHaveLength(2)
    expect(first.body.every((c: Record<string, unknown>) => c.client_secret === undefined)).toBe(true)
    // Hydra's token pagination: relative links, first/next/prev/last, next and prev only when they exist.
    const rels = (res: { headers: Headers }): Record<string, string> =>
      Object.fromEntries(
        [...res.headers.get('link')!.matchAll(/<([^>]+)>; rel="([a-z]+)"/g)].map((m) => [m[2]!, m[1]!]),
      )
    const links = rels(first)
    expect(Object.keys(links).sort()).toEqual(['first', 'last', 'next'])
    expect(links.next).toMatch(/^\/admin\/clients\?client_name=paged&page_size=2&page_token=/)
    const second = await admin(hydra.adminUrl, 'GET', links.next!)
    expect(second.body).toHaveLength(1)
    const secondLinks = rels(second)
    expect(Object.keys(secondLinks).sort()).toEqual(['first', 'last', 'prev'])
    expect(secondLinks.last).toBe(links.last)
    const back = await admin(hydra.adminUrl, 'GET', secondLinks.prev!)
    expect(back.body.map((c: { client_id: string }) => c.client_id)).toEqual(
      first.body.map((c: { client_id: string }) => c.client_id),
    )
    const owned = await admin(hydra.adminUrl, 'GET', '/admin/clients?owner=team-a')
    expect(owned.body).toHaveLength(3)
  })

  it('PUT replaces the client and keeps the secret unless a new one is given', async () => {
    const c = hydra.createClient({ client_name: 'before', grant_types: ['client_credentials'] })
    const put = await admin(hydra.adminUrl, 'PUT', `/admin/clients/${c.client_id}`, {
      client_name: 'after',
      grant_types: ['client_credentials'],
    })
    expect(put.status).toBe(200)
    expect(put.body).toMatchObject({ client_id: c.client_id, client_name: 'after', created_at: c.created_at })
    expect(put.body.client_secret).toBeUndefined()
    expect((await ccToken(c.client_id, c.client_secret!)).status).toBe(200)

    const rotated = await admin(hydra.adminUrl, 'PUT', `/admin/clients/${c.client_id}`, {
      client_secret: 'a-brand-new-secret',
      grant_types: ['client_credentials'],
    })
    expect(rotated.body.client_secret).toBe('a-brand-new-secret')
    expect((await ccToken(c.client_id, c.client_secret!)).status).toBe(401)
    expect((await ccToken(c.client_id, 'a-brand-new-secret')).status).toBe(200)
  })

  it('PATCH applies a JSON Patch (replace, add, remove) and refuses changing the id', async () => {
    const c = hydra.createClient({
      client_name: 'p',
      redirect_uris: ['https://a.example/cb'],
      audience: ['x'],
    })
    const res = await admin(hydra.adminUrl, 'PATCH', `/admin/clients/${c.client_id}`, [
      { op: 'replace', path: '/client_name', value: 'patched' },
      { op: 'add', path: '/redirect_uris/-', value: 'https://a.example/cb2' },
      { op: 'remove', path: '/audience/0' },
    ])
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      client_name: 'patched',
      redirect_uris: ['https://a.example/cb', 'https://a.example/cb2'],
      audience: [],
    })
    const id = await admin(hydra.adminUrl, 'PATCH', `/admin/clients/${c.client_id}`, [
      { op: 'replace', path: '/client_id', value: 'other' },
    ])
    expect(id.status).toBe(400)
    const bad = await admin(hydra.adminUrl, 'PATCH', `/admin/clients/${c.client_id}`, [
      { op: 'remove', path: '/nope' },
    ])
    expect(bad.status).toBe(400)
    const proto = await admin(hydra.adminUrl, 'PATCH', `/admin/clients/${c.client_id}`, [
      { op: 'add', path: '/__proto__/polluted', value: true },
    ])
    expect(proto.status).toBe(400)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    const invalid = await admin(hydra.adminUrl, 'PATCH', `/admin/clients/${c.client_id}`, [
      { op: 'add', path: '/redirect_uris/-', value: 'https://a.example/#x' },
    ])
    expect(invalid.status).toBe(400)
  })

  it('DELETE removes the client and revokes its tokens', async () => {
    const c = hydra.createClient({ grant_types: ['client_credentials'] })
    const token = (await ccToken(c.client_id, c.client_secret!)).body.access_token
    const del = await admin(hydra.adminUrl, 'DELETE', `/admin/clients/${c.client_id}`)
    expect(del.status).toBe(204)
    const introspection = await postForm(`${hydra.adminUrl}/admin/oauth2/introspect`, { token })
    expect(introspection.body).toEqual({ active: false })
    for (const method of ['GET', 'PUT', 'PATCH', 'DELETE']) {
      const res = await admin(
        hydra.adminUrl,
        method,
        `/admin/clients/${c.client_id}`,
        method === 'PATCH' ? [] : method === 'PUT' ? {} : undefined,
      )
      expect(res.status).toBe(404)
      // deleteOAuth2Client answers the spec's genericError, which requires `message`.
      expect(res.body).toEqual(
        method === 'DELETE'
          ? { ...NOT_FOUND, message: NOT_FOUND.error_description, code: 404, status: 'Not Found' }
          : NOT_FOUND,
      )
    }
  })

  it('JSON Patch replace of /client_secret sets the secret and returns it once', async () => {
    const created = await admin(hydra.adminUrl, 'POST', '/admin/clients', {
      grant_types: ['client_credentials'],
      scope: 'read',
    })
    const id = created.body.client_id as string
    const patched = await admin(hydra.adminUrl, 'PATCH', `/admin/clients/${id}`, [
      { op: 'replace', path: '/client_secret', value: 'a-brand-new-secret' },
    ])
    expect(patched.status).toBe(200)
    expect(patched.body.client_secret).toBe('a-brand-new-secret')
    expect((await admin(hydra.adminUrl, 'GET', `/admin/clients/${id}`)).body.client_secret).toBeUndefined()
    const token = `${hydra.publicUrl}/oauth2/token`
    const form = { grant_type: 'client_credentials', scope: 'read' }
    expect((await postForm(token, form, basic(id, 'a-brand-new-secret'))).status).toBe(200)
    expect((await postForm(token, form, basic(id, created.body.client_secret))).status).toBe(401)
    // A patch that does not touch the secret keeps it and does not return it.
    const renamed = await admin(hydra.adminUrl, 'PATCH', `/admin/clients/${id}`, [
      { op: 'replace', path: '/client_name', value: 'renamed' },
    ])
    expect(renamed.body.client_secret).toBeUndefined()
    expect((await postForm(token, form, basic(id, 'a-brand-new-secret'))).status).toBe(200)
    const short = await admin(hydra.adminUrl, 'PATCH', `/admin/clients/${id}`, [
      { op: 'replace', path: '/client_secret', value: 'abc' },
    ])
    expect(short.status).toBe(400)
  })

  it('page_size accepts 1 to 1000 (default 250) and refuses anything else', async () => {
    expect((await admin(hydra.adminUrl, 'GET', '/admin/clients?page_size=1000')).status).toBe(200)
    for (const size of ['0', '1001', '2.5', '-1']) {
      const res = await admin(hydra.adminUrl, 'GET', `/admin/clients?page_size=${size}`)
      expect(res.status, size).toBe(400)
      expect(res.body.error_description).toContain("'page_size' must be an integer from 1 to 1000")
    }
    const link = (await admin(hydra.adminUrl, 'GET', '/admin/clients')).headers.get('link')!
    expect(link).toContain('page_size=250')
  })

  it('answers the un-prefixed paths Hydra v26 accepts, with or without a trailing slash', async () => {
    const res = await admin(hydra.adminUrl, 'POST', '/clients', { client_name: 'bare' })
    expect(res.status).toBe(201)
    expect((await admin(hydra.adminUrl, 'GET', `/clients/${res.body.client_id}/`)).status).toBe(200)
    expect((await admin(hydra.adminUrl, 'GET', `/admin/clients/${res.body.client_id}/`)).status).toBe(200)
  })

  it('DELETE /admin/oauth2/tokens deletes the access tokens of a client', async () => {
    const c = hydra.createClient({ grant_types: ['client_credentials'] })
    const token = (await ccToken(c.client_id, c.client_secret!)).body.access_token
    expect((await admin(hydra.adminUrl, 'DELETE', '/admin/oauth2/tokens')).status).toBe(400)
    expect(
      (await admin(hydra.adminUrl, 'DELETE', `/admin/oauth2/tokens?client_id=${c.client_id}`)).status,
    ).toBe(204)
    const introspection = await postForm(`${hydra.adminUrl}/admin/oauth2/introspect`, { token })
    expect(introspection.body.active).toBe(false)
  })
})
