// Several issuers through hydra() in every adapter, against two mock Hydras running at once (and a
// third that is not trusted): each issuer's tokens pass with its own keys and audience, a token
// naming an unlisted issuer is refused before any network call, and keys never cross issuers.
import { createServer } from 'node:net'
import { VerifierNotReadyError } from '@hydrakit/core'
import { hydra } from '@hydrakit/express'
import { createMockHydra, type MockHydra } from '@hydrakit/hydra-mock'
import { importJWK, SignJWT, type JWK } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FRAMEWORKS, startApp, type RunningApp, type SharedOptions } from '../support/apps.js'

let a: MockHydra
let b: MockHydra
let c: MockHydra

beforeAll(async () => {
  ;[a, b, c] = await Promise.all([
    createMockHydra({ accessTokenStrategy: 'jwt' }),
    createMockHydra({ accessTokenStrategy: 'jwt' }),
    createMockHydra({ accessTokenStrategy: 'jwt' }),
  ])
})
afterAll(async () => {
  await Promise.all([a.close(), b.close(), c.close()])
})

const jwtFrom = async (mock: MockHydra, subject: string, audience: string[]): Promise<string> =>
  (await mock.issueToken({ subject, scopes: ['read'], audience, strategy: 'jwt' })).accessToken
const opaqueFrom = async (mock: MockHydra, subject: string, audience: string[]): Promise<string> =>
  (await mock.issueToken({ subject, scopes: ['read'], audience, strategy: 'opaque' })).accessToken

/** Signs `claims` with the mock's current access-token signing key (read from its admin API). */
async function signWithKeyOf(mock: MockHydra, claims: Record<string, unknown>): Promise<string> {
  await mock.issueToken({ strategy: 'jwt' }) // makes sure the signing key exists
  const res = await fetch(`${mock.adminUrl}/admin/keys/hydra.jwt.access-token`)
  const { keys } = (await res.json()) as { keys: (JWK & { kid: string; alg: string })[] }
  const jwk = keys.find((k) => k.d !== undefined || k.alg.startsWith('ES'))
  if (jwk === undefined) throw new Error('no private signing key in the set')
  const key = await importJWK(jwk, jwk.alg)
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT({ scp: ['read'], iat: now, exp: now + 300, ...claims })
    .setProtectedHeader({ alg: jwk.alg, kid: jwk.kid, typ: 'JWT' })
    .sign(key)
}

const jwksFetches = (mock: MockHydra): number => mock.calls.discoverJsonWebKeys
const introspections = (mock: MockHydra): number => mock.calls.introspectOAuth2Token

async function get(
  app: RunningApp,
  token: string,
): Promise<{ status: number; body: Record<string, unknown>; challenge: string | null }> {
  const res = await fetch(`${app.url}/me`, { headers: { authorization: `Bearer ${token}` } })
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown>,
    challenge: res.headers.get('www-authenticate'),
  }
}

describe.each(FRAMEWORKS)('%s: several issuers', (framework) => {
  let jwtApp: RunningApp
  let hybridApp: RunningApp

  beforeAll(async () => {
    const jwtOptions: SharedOptions = {
      mode: 'jwt',
      issuers: [
        { issuer: a.issuer, audience: 'api-a' },
        { issuer: b.issuer, audience: 'api-b' },
      ],
    }
    const hybridOptions: SharedOptions = {
      mode: 'hybrid',
      audience: 'api',
      issuers: [
        { issuer: a.issuer, adminUrl: a.adminUrl },
        { issuer: b.issuer, adminUrl: b.adminUrl },
      ],
    }
    ;[jwtApp, hybridApp] = await Promise.all([
      startApp(framework, jwtOptions),
      startApp(framework, hybridOptions),
    ])
  })
  afterAll(async () => {
    await Promise.all([jwtApp.close(), hybridApp.close()])
  })

  it('a token claiming an issuer that is not listed is refused with no fetch anywhere', async () => {
    for (const m of [a, b, c]) m.resetCalls()
    const token = await jwtFrom(c, 'mallory', ['api-a', 'api-b', 'api'])
    for (const app of [jwtApp, hybridApp]) {
      const res = await get(app, token)
      expect(res.status).toBe(401)
      expect(res.challenge).toMatch(/^Bearer realm="api", error="invalid_token"/)
      expect(res.body.error).toBe('invalid_token')
    }
    for (const m of [a, b, c]) {
      expect(jwksFetches(m)).toBe(0)
      expect(introspections(m)).toBe(0)
    }
  })

  it('a JWT from A and one from B both pass, each with its own audience', async () => {
    const fromA = await get(jwtApp, await jwtFrom(a, 'alice', ['api-a']))
    expect(fromA).toMatchObject({ status: 200, body: { subject: 'alice', source: 'jwt' } })
    const fromB = await get(jwtApp, await jwtFrom(b, 'bob', ['api-b']))
    expect(fromB).toMatchObject({ status: 200, body: { subject: 'bob', source: 'jwt' } })
    // A's token for B's audience: A's entry only accepts api-a.
    expect((await get(jwtApp, await jwtFrom(a, 'alice', ['api-b']))).status).toBe(401)
    expect((await get(jwtApp, await jwtFrom(b, 'bob', ['api-a']))).status).toBe(401)
  })

  it("a token claiming B but signed with A's key (A's kid) is refused without consulting A's keys", async () => {
    const forged = await signWithKeyOf(a, { iss: b.issuer, sub: 'mallory', aud: ['api-b'] })
    // The same key does sign valid A tokens, so the refusal is about the issuer, not the key.
    const genuine = await signWithKeyOf(a, { iss: a.issuer, sub: 'alice', aud: ['api-a'] })
    expect((await get(jwtApp, genuine)).status).toBe(200)
    a.resetCalls()
    const res = await get(jwtApp, forged)
    expect(res.status).toBe(401)
    expect(res.body.error).toBe('invalid_token')
    expect(jwksFetches(a)).toBe(0)
  })

  it('an iss differing by a trailing slash is another issuer', async () => {
    const token = await signWithKeyOf(a, { iss: a.issuer.replace(/\/$/, ''), sub: 'alice', aud: ['api-a'] })
    expect((await get(jwtApp, token)).status).toBe(401)
  })

  it('hybrid: opaque tokens of A and of B pass (endpoints asked in list order), unknown ones are refused', async () => {
    for (const m of [a, b]) m.resetCalls()
    const fromA = await get(hybridApp, await opaqueFrom(a, 'alice', ['api']))
    expect(fromA).toMatchObject({ status: 200, body: { subject: 'alice', source: 'introspection' } })
    expect([introspections(a), introspections(b)]).toEqual([1, 0])
    const fromB = await get(hybridApp, await opaqueFrom(b, 'bob', ['api']))
    expect(fromB).toMatchObject({ status: 200, body: { subject: 'bob', source: 'introspection' } })
    expect([introspections(a), introspections(b)]).toEqual([2, 1])
    const unknown = await get(hybridApp, 'ory_at_' + 'x'.repeat(43))
    expect(unknown.status).toBe(401)
    expect(unknown.body.error).toBe('invalid_token')
    // JWTs are still routed by iss.
    expect(await get(hybridApp, await jwtFrom(b, 'bob', ['api']))).toMatchObject({
      status: 200,
      body: { subject: 'bob', source: 'jwt' },
    })
  })
})

describe('several issuers: configuration errors name the option', () => {
  it('refuses issuers with mode introspection, duplicates, and issuer + issuers', async () => {
    const { createVerifier } = await import('@hydrakit/core')
    const make = (config: unknown): unknown => createVerifier(config as Parameters<typeof createVerifier>[0])
    expect(() =>
      make({ mode: 'introspection', adminUrl: a.adminUrl, issuers: [{ issuer: a.issuer }] }),
    ).toThrow(/issuers is only allowed with mode 'jwt' or 'hybrid'/)
    expect(() =>
      make({ mode: 'jwt', audience: 'api', issuers: [{ issuer: a.issuer }, { issuer: a.issuer }] }),
    ).toThrow(/issuers\[1\]\.issuer: .* configured twice/)
    expect(() =>
      make({ mode: 'jwt', audience: 'api', issuer: a.issuer, issuers: [{ issuer: b.issuer }] }),
    ).toThrow(/issuer and issuers cannot both be set/)
    expect(() => make({ mode: 'jwt', audience: 'api', issuers: [] })).toThrow(
      /issuers must be a non-empty array/,
    )
    expect(() => make({ mode: 'jwt', audience: 'api', issuers: [{ issuer: 'not a url' }] })).toThrow(
      /^issuers\[0\]\./,
    )
    expect(() => make({ mode: 'hybrid', audience: 'api', issuers: [{ issuer: a.issuer }] })).toThrow(
      /needs an adminUrl/,
    )
  })

  it('a trailing-slash tolerant entry routes both forms to its issuer', async () => {
    const { createVerifier } = await import('@hydrakit/core')
    const verifier = createVerifier({
      mode: 'jwt',
      audience: 'api-a',
      issuers: [{ issuer: a.issuer, jwt: { tolerateIssuerTrailingSlash: true } }, { issuer: b.issuer }],
    })
    try {
      const token = await signWithKeyOf(a, { iss: a.issuer.replace(/\/$/, ''), sub: 'alice', aud: ['api-a'] })
      await expect(verifier.verify(token)).resolves.toMatchObject({ subject: 'alice' })
    } finally {
      await verifier.close?.()
    }
  })
})

/** The URL of a port that was free a moment ago and has nothing listening on it now. */
async function closedPortUrl(): Promise<string> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return `http://127.0.0.1:${port}/`
}

/** What `auth.ready()` rejects with; `undefined` when it resolves. */
function readyError(auth: { ready(): Promise<void> }): Promise<unknown> {
  return auth.ready().then(
    () => undefined,
    (e: unknown) => e,
  )
}

describe('several issuers: auth.ready() probes every issuer', () => {
  it('resolves when every issuer answers, after one JWKS fetch at each', async () => {
    for (const m of [a, b, c]) m.resetCalls()
    const auth = hydra({
      mode: 'jwt',
      audience: 'api',
      issuers: [{ issuer: a.issuer }, { issuer: b.issuer }],
    })
    try {
      await expect(auth.ready()).resolves.toBeUndefined()
      expect([jwksFetches(a), jwksFetches(b), jwksFetches(c)]).toEqual([1, 1, 0])
    } finally {
      await auth.close()
    }
  })

  it('rejects naming the issuer that is down, and still probes the others', async () => {
    const down = await closedPortUrl()
    for (const m of [a, b]) m.resetCalls()
    const auth = hydra({
      mode: 'jwt',
      audience: 'api',
      warnings: false,
      issuers: [{ issuer: a.issuer }, { issuer: down }, { issuer: b.issuer }],
    })
    try {
      const error = await readyError(auth)
      expect(error).toBeInstanceOf(VerifierNotReadyError)
      // Discovery is the first call to that issuer: it is what names the failure.
      expect(error).toMatchObject({
        code: 'ERR_HYDRAKIT_NOT_READY',
        upstream: 'discovery',
        url: `${down}.well-known/openid-configuration`,
      })
      const message = (error as Error).message
      expect(message.startsWith(`issuer "${down}": `)).toBe(true)
      expect(message).toContain('ECONNREFUSED')
      expect(message).not.toContain(a.issuer)
      expect(message).not.toContain(b.issuer)
      expect((error as Error).cause).toBeInstanceOf(VerifierNotReadyError)
      // The issuers that work were probed all the same (concurrently, not stopped by the failure).
      expect([jwksFetches(a), jwksFetches(b)]).toEqual([1, 1])
    } finally {
      await auth.close()
    }
  })

  it('names every failing issuer when several are down', async () => {
    const [down1, down2] = [await closedPortUrl(), await closedPortUrl()]
    const auth = hydra({
      mode: 'jwt',
      audience: 'api',
      warnings: false,
      issuers: [{ issuer: down1 }, { issuer: a.issuer }, { issuer: down2 }],
    })
    try {
      const error = (await readyError(auth)) as VerifierNotReadyError
      expect(error).toBeInstanceOf(VerifierNotReadyError)
      expect(error.message).toMatch(/^2 of 3 issuers are not ready: /)
      expect(error.message).toContain(`issuer "${down1}": `)
      expect(error.message).toContain(`issuer "${down2}": `)
      expect(error.message).not.toContain(a.issuer)
      const cause = error.cause as AggregateError
      expect(cause).toBeInstanceOf(AggregateError)
      const named = cause.errors.map((e: Error) => e.message.slice(0, e.message.indexOf('": ') + 1))
      expect(named).toEqual([`issuer "${down1}"`, `issuer "${down2}"`])
    } finally {
      await auth.close()
    }
  })

  it('hybrid: an issuer whose introspection endpoint is down is named once, with the endpoint', async () => {
    const downAdmin = await closedPortUrl()
    for (const m of [a, b]) m.resetCalls()
    const auth = hydra({
      mode: 'hybrid',
      audience: 'api',
      warnings: false,
      issuers: [
        { issuer: a.issuer, adminUrl: a.adminUrl },
        { issuer: b.issuer, adminUrl: downAdmin },
      ],
    })
    try {
      const error = (await readyError(auth)) as VerifierNotReadyError
      expect(error).toBeInstanceOf(VerifierNotReadyError)
      expect(error.upstream).toBe('introspection')
      expect(error.message.startsWith(`issuer "${b.issuer}": `)).toBe(true)
      expect(error.message.split(`issuer "${b.issuer}"`)).toHaveLength(2)
      expect(error.message).toContain(downAdmin.slice(0, -1))
      expect(error.message).not.toContain(`issuer "${a.issuer}"`)
      // Both issuers' key sets and A's introspection endpoint were probed, each once.
      expect([jwksFetches(a), jwksFetches(b)]).toEqual([1, 1])
      expect(introspections(a)).toBe(1)
    } finally {
      await auth.close()
    }
  })
})
