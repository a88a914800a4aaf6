// Absurd but well-formed introspection answers through real Express 4/5 and Koa 2/3 servers, in
// introspection and hybrid mode: claims nested thousands of levels deep (fresh or read back from the
// cache), time claims that would never expire, and nbf/iat in the future. An absurd upstream reply
// is our outage (503), never a crash (500); a token that is not valid yet is the client's (401).
import { createMemoryCacheStore, tokenCacheKey, type JsonValue } from '@hydrakit/core/cache'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { FRAMEWORKS, startApp, type Framework, type SharedOptions } from '../support/apps.js'
import { startIntrospectionServer, type IntrospectionServer } from '../support/introspection-server.js'

const PREFIX = 'test:introspection:'
const DEPTH = 2000

let srv: IntrospectionServer
beforeAll(async () => {
  srv = await startIntrospectionServer()
})
afterAll(() => srv.close())
beforeEach(() => srv.reset())

const now = (): number => Math.floor(Date.now() / 1000)

/** An active answer for `token`'s subject, with `extra` spliced in as raw JSON text. */
function active(extra = ''): string {
  const base = `"active":true,"token_use":"access_token","sub":"alice","client_id":"app","scope":"read","aud":["api"],"iss":"${srv.url}","iat":${now() - 10},"exp":${now() + 600}`
  return `{${base}${extra === '' ? '' : `,${extra}`}}`
}
const nested = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)

// Tokens name the answer the server gives for them.
const REPLIES: Record<string, () => string> = {
  ory_at_ok: () => active(),
  ory_at_deep_ext: () => active(`"ext":${nested(DEPTH)}`),
  ory_at_deep_array: () => active(`"extra":${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`),
  ory_at_wide: () => active(`"extra":[${new Array(25_000).fill('0').join(',')}]`),
  ory_at_exp_infinite: () => active().replace(/"exp":\d+/, '"exp":1e309'),
  ory_at_exp_absurd: () => active().replace(/"exp":\d+/, '"exp":1e300'),
  ory_at_iat_negative: () => active().replace(/"iat":\d+/, '"iat":-1'),
  ory_at_nbf_future: () => active(`"nbf":${now() + 3600}`),
  ory_at_iat_future: () => active().replace(/"iat":\d+/, `"iat":${now() + 3600}`),
  ory_at_nbf_within_tolerance: () => active(`"nbf":${now() + 2}`),
  ory_at_cached_deep: () => active(),
}

type Mode = 'introspection' | 'hybrid'

function options(mode: Mode, store: ReturnType<typeof createMemoryCacheStore>): SharedOptions {
  const introspection = { cache: { store, keyPrefix: PREFIX } }
  return mode === 'introspection'
    ? { mode, adminUrl: srv.url, issuer: srv.url, audience: 'api', introspection }
    : {
        mode,
        adminUrl: srv.url,
        issuer: srv.url,
        audience: 'api',
        jwt: { jwksUri: `${srv.url}/.well-known/jwks.json` },
        introspection,
      }
}

const cases: Array<[token: string, status: number, error: string | undefined]> = [
  ['ory_at_ok', 200, undefined],
  ['ory_at_deep_ext', 503, 'temporarily_unavailable'],
  ['ory_at_deep_array', 503, 'temporarily_unavailable'],
  ['ory_at_wide', 503, 'temporarily_unavailable'],
  ['ory_at_exp_infinite', 503, 'temporarily_unavailable'],
  ['ory_at_exp_absurd', 503, 'temporarily_unavailable'],
  ['ory_at_iat_negative', 503, 'temporarily_unavailable'],
  ['ory_at_nbf_future', 401, 'invalid_token'],
  ['ory_at_iat_future', 401, 'invalid_token'],
  ['ory_at_nbf_within_tolerance', 200, undefined],
]

describe.each(FRAMEWORKS.flatMap((f) => (['introspection', 'hybrid'] as const).map((m) => [f, m])))(
  'absurd introspection answers through %s in %s mode',
  (framework, mode) => {
    let app: Awaited<ReturnType<typeof startApp>>
    const store = createMemoryCacheStore()
    beforeAll(async () => {
      srv.reply = (token) => {
        const r = REPLIES[token]
        return { text: r === undefined ? '{"active":false}' : r() }
      }
      app = await startApp(framework as Framework, options(mode as Mode, store))
    })
    afterAll(() => app.close())

    const get = async (token: string) => {
      const res = await fetch(`${app.url}/me`, { headers: { authorization: `Bearer ${token}` } })
      const body = (await res.json()) as { error?: string; subject?: string }
      return { status: res.status, body, challenge: res.headers.get('www-authenticate') }
    }

    it.each(cases)('%s → %i', async (token, status, error) => {
      const res = await get(token)
      expect(res.status).toBe(status)
      expect(res.body.error).toBe(error)
      if (status === 401) expect(res.challenge).toContain('error="invalid_token"')
      if (status === 200) expect(res.body.subject).toBe('alice')
    })

    it('a cached entry nested 2,000 levels deep is a miss: the token is introspected again', async () => {
      const token = 'ory_at_cached_deep'
      let deep: JsonValue = 1
      for (let i = 0; i < DEPTH; i++) deep = { a: deep }
      const claims = JSON.parse(active()) as Record<string, JsonValue>
      await store.set(
        tokenCacheKey(token, PREFIX),
        { active: true, claims: { ...claims, ext: deep } },
        60_000,
      )
      const res = await get(token)
      expect(res.status).toBe(200)
      expect(res.body.subject).toBe('alice')
      expect(srv.calls).toBe(1)
    })
  },
)
