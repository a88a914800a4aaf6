// The demo's protected API is the same API on every framework: examples/express-api, koa-api,
// fastify-api and hono-api, each started the way the demo starts it, answer one table of requests
// with the same status, the same challenge and the same JSON.
import type { AddressInfo } from 'node:net'
import { createMockHydra, type MockHydra } from '@hydrakit/hydra-mock'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chooseFramework, createApi, FRAMEWORKS, type Api, type Framework } from '../src/api.js'

let hydra: MockHydra
let tokens: { read: string; write: string; otherAudience: string }

beforeAll(async () => {
  hydra = await createMockHydra()
  const issue = async (scopes: string[], audience = ['demo-api']): Promise<string> =>
    (await hydra.issueToken({ subject: 'alice', clientId: 'demo-web', scopes, audience, strategy: 'opaque' }))
      .accessToken
  tokens = {
    read: await issue(['read']),
    write: await issue(['read', 'write']),
    otherAudience: await issue(['read'], ['billing']),
  }
})
afterAll(() => hydra.close())

interface Row {
  name: string
  method?: 'GET' | 'POST'
  path: string
  token?: keyof typeof tokens | 'garbage'
  body?: string
  status: number
  challenge?: RegExp | null
  json?: unknown
}

const ROWS: Row[] = [
  { name: 'public route', path: '/public', status: 200, challenge: null, json: { hello: 'world' } },
  { name: 'no token', path: '/me', status: 401, challenge: /^Bearer realm="api"$/ },
  {
    name: 'profile',
    path: '/me',
    token: 'read',
    status: 200,
    json: { subject: 'alice', clientId: 'demo-web', scopes: ['read'], source: 'introspection' },
  },
  { name: 'read', path: '/items', token: 'read', status: 200, json: [{ id: 1, name: 'first', by: 'seed' }] },
  {
    name: 'garbage token',
    path: '/items',
    token: 'garbage',
    status: 401,
    challenge: /^Bearer realm="api", error="invalid_token"/,
  },
  {
    name: 'token for another audience',
    path: '/items',
    token: 'otherAudience',
    status: 401,
    challenge: /error="invalid_token"/,
  },
  {
    name: 'write without the write scope',
    method: 'POST',
    path: '/items',
    token: 'read',
    body: '{"name":"x"}',
    status: 403,
    challenge: /^Bearer realm="api", error="insufficient_scope", .*scope="write"/,
  },
  { name: 'write without a token', method: 'POST', path: '/items', body: '{"name":"x"}', status: 401 },
  {
    name: 'write with a bad name',
    method: 'POST',
    path: '/items',
    token: 'write',
    body: '{"name":""}',
    status: 400,
    json: { error: 'name must be a string of 1 to 100 characters' },
  },
  {
    name: 'write',
    method: 'POST',
    path: '/items',
    token: 'write',
    body: '{"name":"second"}',
    status: 201,
    json: { id: 2, name: 'second', by: 'alice' },
  },
]

/** What each framework answers, by itself, for a route nobody defined. */
const NOT_FOUND: Record<Framework, RegExp> = {
  express: /Cannot GET \/nowhere/,
  koa: /^Not Found$/,
  fastify: /"message":"Route GET:\/nowhere not found"/,
  hono: /^404 Not Found$/,
}

describe.each(FRAMEWORKS)('the demo API on %s', (framework) => {
  let api: Api
  let url: string
  beforeAll(async () => {
    api = await createApi(framework, {
      mode: 'introspection',
      adminUrl: hydra.adminUrl,
      issuer: hydra.issuer,
      audience: 'demo-api',
    })
    await new Promise<void>((resolve) => api.server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    api.server.closeAllConnections()
    await new Promise<void>((resolve) => api.server.close(() => resolve()))
    await api.close()
  })

  it('is served by that framework (its own 404 page)', async () => {
    expect(api.example).toBe(`examples/${framework}-api`)
    const res = await fetch(`${url}/nowhere`)
    expect(res.status).toBe(404)
    expect(await res.text()).toMatch(NOT_FOUND[framework])
  })

  // In order: the write row's id depends on the rows before it.
  it.each(ROWS)('$name', async (row) => {
    const headers: Record<string, string> = {}
    if (row.token !== undefined) {
      headers.authorization = `Bearer ${row.token === 'garbage' ? 'nope' : tokens[row.token]}`
    }
    if (row.body !== undefined) headers['content-type'] = 'application/json'
    const res = await fetch(url + row.path, { method: row.method ?? 'GET', headers, body: row.body })
    expect(res.status).toBe(row.status)
    if (row.challenge === null) expect(res.headers.get('www-authenticate')).toBeNull()
    else if (row.challenge !== undefined) expect(res.headers.get('www-authenticate')).toMatch(row.challenge)
    if (row.json !== undefined) expect(await res.json()).toEqual(row.json)
    else if (row.status >= 400) expect(await res.json()).toMatchObject({ error: expect.any(String) })
  })
})

describe('choosing the framework', () => {
  it('takes --framework= over DEMO_FRAMEWORK, and Express when neither is set', () => {
    expect(chooseFramework([], {})).toBe('express')
    expect(chooseFramework([], { DEMO_FRAMEWORK: '' })).toBe('express')
    expect(chooseFramework([], { DEMO_FRAMEWORK: 'hono' })).toBe('hono')
    expect(chooseFramework(['--check', '--framework=koa'], { DEMO_FRAMEWORK: 'hono' })).toBe('koa')
  })

  it('refuses any other name, listing the valid ones', () => {
    expect(() => chooseFramework([], { DEMO_FRAMEWORK: 'Fastify' })).toThrow(
      'DEMO_FRAMEWORK must be one of express, koa, fastify, hono, got "Fastify"',
    )
    expect(() => chooseFramework(['--framework='], {})).toThrow(
      '--framework must be one of express, koa, fastify, hono, got ""',
    )
  })
})
