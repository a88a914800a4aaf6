// hydrakit's Express and Koa adapters against real authorization servers: panva's oidc-provider (a
// standards server issuing RFC 9068 JWTs and opaque tokens with RFC 7662 introspection) and the mock
// Hydra. Every mode, every token format the mode accepts, one table, real HTTP all the way.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { startApp, type Framework, type RunningApp, type SharedOptions } from '../support/apps.js'
import {
  mockHydraUnderTest,
  oidcProviderUnderTest,
  type AuthorizationServerUnderTest,
  type Mode,
  type TokenFormat,
} from './authorization-servers.js'

const SERVERS: [string, () => Promise<AuthorizationServerUnderTest>][] = [
  ['oidc-provider', oidcProviderUnderTest],
  ['mock Hydra', mockHydraUnderTest],
]
const FRAMEWORKS: Framework[] = ['express5', 'koa3']
const MODES: [Mode, TokenFormat[]][] = [
  ['jwt', ['jwt']],
  ['introspection', ['opaque']],
  ['hybrid', ['jwt', 'opaque']],
]
const INVALID = /^Bearer realm="api", error="invalid_token", error_description="[^"]+"$/

interface Answer {
  status: number
  challenge: string | null
  body: Record<string, unknown>
}

async function get(app: RunningApp, path: string, token: string): Promise<Answer> {
  const res = await fetch(app.url + path, { headers: { authorization: `Bearer ${token}` } })
  return {
    status: res.status,
    challenge: res.headers.get('www-authenticate'),
    body: (await res.json()) as Record<string, unknown>,
  }
}

describe.each(SERVERS)('against %s', (_name, start) => {
  let server: AuthorizationServerUnderTest
  beforeAll(async () => {
    server = await start()
  })
  afterAll(() => server.close())
  afterEach(() => {
    vi.useRealTimers()
  })

  describe.each(FRAMEWORKS)('%s, introspection without an audience check', (framework) => {
    let app: RunningApp
    beforeAll(async () => {
      // The audience is what refused refresh tokens before the answers' own markers were read:
      // without it, only token_use / token_type can tell them apart.
      const options: Record<string, unknown> = { ...server.options('introspection') }
      expect(options.audience).toBeDefined()
      options.audience = false
      app = await startApp(framework, options as unknown as SharedOptions)
    })
    afterAll(() => app.close())

    it('accepts the access token and refuses the refresh token of the same grant (401)', async () => {
      const { access, refresh } = await server.userTokens('opaque', 'read', 'user-6')
      expect((await get(app, '/read', access)).status).toBe(200)
      expect(refresh).toEqual(expect.any(String))
      const r = await get(app, '/read', refresh ?? '')
      expect(r.status).toBe(401)
      expect(r.challenge).toMatch(INVALID)
    })
  })

  describe.each(FRAMEWORKS)('%s', (framework) => {
    describe.each(MODES)('mode %s', (mode, formats) => {
      let app: RunningApp
      beforeAll(async () => {
        app = await startApp(framework, server.options(mode))
      })
      afterAll(() => app.close())

      it('refuses a garbage token with 401 invalid_token', async () => {
        for (const token of ['garbage', 'a.b.c', 'eyJhbGciOiJub25lIn0.e30.']) {
          const r = await get(app, '/read', token)
          expect(r.status, token).toBe(401)
          expect(r.challenge, token).toMatch(INVALID)
          expect(r.body.error, token).toBe('invalid_token')
        }
      })

      describe.each(formats)('%s access token', (format) => {
        const source = format === 'jwt' ? 'jwt' : 'introspection'

        it('accepts a token with the scope (200) and reports who it is', async () => {
          const { access } = await server.userTokens(format, 'read write', 'user-1')
          const r = await get(app, '/write', access)
          expect(r.status).toBe(200)
          expect(r.body).toMatchObject({ subject: 'user-1', source, anonymous: false })
          expect(r.body.scopes).toEqual(expect.arrayContaining(['read', 'write']))
        })

        it('answers 403 insufficient_scope when a scope is missing', async () => {
          const { access } = await server.userTokens(format, 'read', 'user-2')
          expect((await get(app, '/read', access)).status).toBe(200)
          const r = await get(app, '/write', access)
          expect(r.status).toBe(403)
          expect(r.challenge).toMatch(
            /^Bearer realm="api", error="insufficient_scope", .*scope="read write"$/,
          )
          expect(r.body.error).toBe('insufficient_scope')
        })

        it('refuses a token issued for another audience with 401', async () => {
          const r = await get(app, '/read', await server.wrongAudience(format))
          expect(r.status).toBe(401)
          expect(r.challenge).toMatch(INVALID)
        })

        it('refuses an expired token with 401', async () => {
          const { access } = await server.userTokens(format, 'read', 'user-3')
          // Both the server and hydrakit run in this process: two hours later for both of them.
          vi.useFakeTimers({ toFake: ['Date'] })
          vi.setSystemTime(Date.now() + 2 * 3600 * 1000)
          const r = await get(app, '/read', access)
          expect(r.status).toBe(401)
          expect(r.challenge).toMatch(INVALID)
        })

        if (format === 'opaque') {
          it('refuses a revoked token with 401', async () => {
            const { access } = await server.userTokens(format, 'read', 'user-4')
            await server.revoke(access)
            const r = await get(app, '/read', access)
            expect(r.status).toBe(401)
            expect(r.challenge).toMatch(INVALID)
          })

          it('refuses a refresh token sent as an access token with 401', async () => {
            const { refresh } = await server.userTokens(format, 'read', 'user-5')
            expect(refresh).toEqual(expect.any(String))
            const r = await get(app, '/read', refresh ?? '')
            expect(r.status).toBe(401)
            expect(r.challenge).toMatch(INVALID)
          })
        }
      })
    })
  })
})
