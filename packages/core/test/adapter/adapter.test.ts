import { describe, expect, it } from 'vitest'
import { toAuthInfo, type AuthInfo } from '../../src/auth-info.js'
import {
  checkErrorMode,
  checkPrefix,
  createGuardRunner,
  createHydraAuth,
  createStandaloneGuards,
  metadataResponse,
  pathBelow,
  pathOf,
  refusalResponse,
  type Guard,
} from '../../src/adapter/index.js'
import { InvalidTokenError, MissingTokenError, UpstreamUnavailableError } from '../../src/errors/errors.js'
import type { RequestLike } from '../../src/token/extract.js'
import type { TokenVerifier } from '../../src/verifier.js'

const info = toAuthInfo('good', { sub: 'alice', scope: 'read' }, 'jwt')

/** A verifier that answers `now` synchronously, `later` after a promise, counts both. */
function verifier(): TokenVerifier & { now: number; later: number } {
  const v = {
    realm: 'api',
    now: 0,
    later: 0,
    verifyNow(token: string): AuthInfo | undefined {
      v.now++
      if (token === 'bad') throw new InvalidTokenError({ description: 'bad', reason: 'signature' })
      return token === 'now' ? info : undefined
    },
    verify(token: string): Promise<AuthInfo> {
      v.later++
      return token === 'down'
        ? Promise.reject(new UpstreamUnavailableError({ description: 'down', reason: 'jwks_unavailable' }))
        : Promise.resolve(info)
    },
  }
  return v
}

/** A request object of a pretend framework, with a slot for the remembered result. */
interface FakeRequest {
  method: string
  headers: Record<string, string>
  auth?: AuthInfo | null
  described: number
}
const fake = (headers: Record<string, string> = {}, method = 'GET'): FakeRequest => ({
  method,
  headers,
  described: 0,
})
const run = createGuardRunner<FakeRequest>({
  describe: (r): RequestLike => {
    r.described++
    return { method: r.method, headers: r.headers }
  },
  read: (r) => r.auth,
  write: (r, auth) => {
    r.auth = auth
  },
})

describe('createGuardRunner', () => {
  it('settles synchronously through verifyNow and remembers the result', () => {
    const v = verifier()
    const auth = createHydraAuth({ verifier: v }, (g: Guard) => g)
    const req = fake({ authorization: 'Bearer now' })
    expect(run(auth.requireScope('read'), req)).toBeUndefined()
    expect(req.auth).toBe(info)
    // A second guard only checks: no verification at all.
    expect(run(auth.requireAnyScope(['read', 'write']), req)).toBeUndefined()
    expect([v.now, v.later]).toEqual([1, 0])
    expect(() => run(auth.requireScope('write'), req)).toThrow(/scope/)
  })

  it('returns a promise when the verifier must wait, and remembers once it settled', async () => {
    const v = verifier()
    const guard = createHydraAuth({ verifier: v }, (g: Guard) => g).authenticate()
    const req = fake({ authorization: 'Bearer later' })
    const waiting = run(guard, req)
    expect(waiting).toBeInstanceOf(Promise)
    expect(req.auth).toBeUndefined()
    await waiting
    expect(req.auth).toBe(info)
    expect([v.now, v.later]).toEqual([1, 1])
  })

  it('throws or rejects refusals and remembers nothing', async () => {
    const guard = createHydraAuth({ verifier: verifier() }, (g: Guard) => g).authenticate()
    const missing = fake()
    expect(() => run(guard, missing)).toThrow(MissingTokenError)
    expect(() => run(guard, fake({ authorization: 'Bearer bad' }))).toThrow(InvalidTokenError)
    const down = fake({ authorization: 'Bearer down' })
    await expect(run(guard, down)).rejects.toBeInstanceOf(UpstreamUnavailableError)
    expect(missing.auth).toBeUndefined()
    expect(down.auth).toBeUndefined()
  })

  it('lets a CORS preflight through untouched; a plain OPTIONS still needs a token', () => {
    const guard = createHydraAuth({ verifier: verifier() }, (g: Guard) => g).requireScope('read')
    const preflight = fake({ 'access-control-request-method': 'GET' }, 'OPTIONS')
    expect(run(guard, preflight)).toBeUndefined()
    expect(preflight.auth).toBeUndefined()
    expect(() => run(guard, fake({}, 'OPTIONS'))).toThrow(MissingTokenError)
  })

  it('an optional guard remembers null; a later scope guard refuses the anonymous request', () => {
    const auth = createHydraAuth({ verifier: verifier() }, (g: Guard) => g)
    const req = fake()
    expect(run(auth.authenticate({ optional: true }), req)).toBeUndefined()
    expect(req.auth).toBeNull()
    expect(() => run(auth.requireScope('read'), req)).toThrow(MissingTokenError)
  })
})

describe('createHydraAuth and createStandaloneGuards', () => {
  it('refuses bad options with a TypeError naming them, and closes the verifier', async () => {
    expect(() => createHydraAuth(null as never, (g) => g)).toThrow(/options must be an object/)
    expect(() => createHydraAuth({ verifier: {} as never }, (g) => g)).toThrow(/verifier must be/)
    let closed = 0
    const auth = createHydraAuth(
      { verifier: { ...verifier(), close: () => Promise.resolve(void closed++) } },
      (g) => g,
    )
    await auth.close()
    expect(closed).toBe(1)
  })

  it('standalone guards pass their options to wrap; without a verifier they fail closed', async () => {
    const seen: unknown[] = []
    const guards = createStandaloneGuards<Guard, { verifier?: TokenVerifier; errors?: string }>((g, o) => {
      seen.push(o?.errors)
      return g
    })
    const lonely = guards.requireScope('read', { errors: 'forward' })
    expect(seen).toEqual(['forward'])
    await expect(run(lonely, fake({ authorization: 'Bearer later' }))).rejects.toBeInstanceOf(
      MissingTokenError,
    )
    const req = fake({ authorization: 'Bearer now' })
    expect(run(guards.authenticate(verifier()), req)).toBeUndefined()
    expect(req.auth).toBe(info)
  })
})

describe('responses and shared options', () => {
  it('refusalResponse: status, challenge, no-store, JSON; undefined for other errors', () => {
    const out = refusalResponse(new MissingTokenError({ realm: 'api' }))!
    expect(out.status).toBe(401)
    expect(out.headers['www-authenticate']).toBe('Bearer realm="api"')
    expect(out.headers['cache-control']).toBe('no-store')
    expect(JSON.parse(out.body)).toEqual({ error: 'unauthorized', error_description: 'no bearer token' })
    expect(refusalResponse(new Error('bug'))).toBeUndefined()
  })

  it('metadataResponse answers GET and HEAD on the path only', () => {
    const meta = {
      url: 'https://api.example/.well-known/oauth-protected-resource',
      path: '/.well-known/oauth-protected-resource',
      body: '{}',
    }
    expect(metadataResponse(meta, 'GET', meta.path)).toMatchObject({ status: 200, body: '{}' })
    expect(metadataResponse(meta, 'HEAD', meta.path)?.body).toBe('')
    expect(metadataResponse(meta, 'POST', meta.path)).toBeUndefined()
    expect(metadataResponse(meta, 'GET', '/other')).toBeUndefined()
  })

  it('paths, prefixes and the error mode', () => {
    expect(pathOf('/a/b?x=1')).toBe('/a/b')
    expect(pathBelow('/auth', '/auth/login')).toBe('/login')
    expect(pathBelow('/auth', '/authx/login')).toBeUndefined()
    expect(pathBelow('', '/login')).toBe('/login')
    expect(checkPrefix(undefined)).toBe('')
    expect(() => checkPrefix('auth/')).toThrow(/prefix must be/)
    expect(checkErrorMode(undefined)).toBe('respond')
    expect(() => checkErrorMode('loud')).toThrow(/errors must be/)
  })
})
