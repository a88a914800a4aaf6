import { randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { InvalidTokenError, UpstreamUnavailableError } from '../../src/errors/errors.js'
import type { TokenVerifier } from '../../src/verifier.js'
import { createHybridVerifier, type HybridVerifier } from '../../src/verify/hybrid.js'
import { createIntrospectionVerifier } from '../../src/verify/introspection.js'
import { createJwtVerifier } from '../../src/verify/jwt.js'

// One local server plays Hydra: the public JWKS and the admin introspection endpoint.
interface FakeHydra {
  base: string
  issuer: string
  jwksCalls: number
  introspectCalls: number
  /** Introspection answers by token; anything else is `{active:false}`. */
  answers: Map<string, Record<string, unknown>>
  failIntrospection: boolean
  close(): Promise<void>
}

let hydra: FakeHydra
let signingKey: CryptoKey
let foreignKey: CryptoKey
let publicJwk: JWK
const kid = `k-${randomBytes(4).toString('hex')}`

async function startFakeHydra(): Promise<FakeHydra> {
  const state = {
    base: '',
    issuer: '',
    jwksCalls: 0,
    introspectCalls: 0,
    answers: new Map<string, Record<string, unknown>>(),
    failIntrospection: false,
    close: () => Promise.resolve(),
  }
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      res.setHeader('content-type', 'application/json')
      if (req.url === '/.well-known/jwks.json') {
        state.jwksCalls++
        res.end(JSON.stringify({ keys: [publicJwk] }))
        return
      }
      if (req.method === 'POST' && req.url === '/admin/oauth2/introspect') {
        state.introspectCalls++
        if (state.failIntrospection) {
          res.statusCode = 500
          res.end('{"error":"server_error"}')
          return
        }
        const token = new URLSearchParams(Buffer.concat(chunks).toString('utf8')).get('token') ?? ''
        res.end(JSON.stringify(state.answers.get(token) ?? { active: false }))
        return
      }
      res.statusCode = 404
      res.end('{"error":"Not Found"}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  state.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  state.issuer = `${state.base}/`
  state.close = async () => {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
  return state
}

const now = (): number => Math.floor(Date.now() / 1000)

async function mintJwt(key: CryptoKey = signingKey, claims: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT({ client_id: 'client-1', scp: ['read'], ...claims })
    .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
    .setIssuer(hydra.issuer)
    .setSubject('user-1')
    .setAudience(['https://api.example'])
    .setIssuedAt()
    .setExpirationTime('10m')
    .setJti(randomBytes(8).toString('hex'))
    .sign(key)
}

/** Hydra's introspection answer for an active token (it introspects its JWTs too). */
function activeAnswer(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    active: true,
    sub: 'user-1',
    client_id: 'client-1',
    scope: 'read',
    aud: ['https://api.example'],
    iss: hydra.issuer,
    exp: now() + 600,
    iat: now(),
    token_type: 'Bearer',
    token_use: 'access_token',
    ...extra,
  }
}

const opened: HybridVerifier[] = []

function makeHybrid(introspectJwts = false): HybridVerifier {
  const jwt = createJwtVerifier({
    issuer: hydra.issuer,
    jwksUri: `${hydra.base}/.well-known/jwks.json`,
    audience: 'https://api.example',
    algorithms: ['ES256'],
    realm: 'orders',
  })
  const introspection = createIntrospectionVerifier({
    adminUrl: hydra.base,
    audience: false,
    realm: 'orders',
  })
  const hybrid = createHybridVerifier({ jwt, introspection, introspectJwts })
  opened.push(hybrid)
  return hybrid
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p
  } catch (err) {
    return err as Error
  }
  throw new Error('expected a rejection')
}

beforeAll(async () => {
  const pair = await generateKeyPair('ES256')
  signingKey = pair.privateKey
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid, alg: 'ES256', use: 'sig' }
  foreignKey = (await generateKeyPair('ES256')).privateKey
  hydra = await startFakeHydra()
})
afterAll(async () => {
  await hydra.close()
})
beforeEach(() => {
  hydra.jwksCalls = 0
  hydra.introspectCalls = 0
  hydra.answers.clear()
  hydra.failIntrospection = false
})
afterEach(async () => {
  await Promise.all(opened.splice(0).map((v) => v.close()))
})

describe('createHybridVerifier: routing', () => {
  it('opaque ory_at_ token → introspection only (introspection 1, JWKS 0)', async () => {
    const token = `ory_at_${randomBytes(32).toString('base64url')}.${randomBytes(32).toString('base64url')}`
    hydra.answers.set(token, activeAnswer())
    const info = await makeHybrid().verify(token)
    expect(info.source).toBe('introspection')
    expect(info.subject).toBe('user-1')
    expect([hydra.introspectCalls, hydra.jwksCalls]).toEqual([1, 0])
  })

  it('JWT → verified locally (introspection 0)', async () => {
    const token = await mintJwt()
    const info = await makeHybrid().verify(token)
    expect(info.source).toBe('jwt')
    expect(info.scopes).toEqual(['read'])
    expect(hydra.introspectCalls).toBe(0)
    expect(hydra.jwksCalls).toBe(1)
  })

  it('a forged JWT is refused locally and never reaches introspection', async () => {
    const forged = await mintJwt(foreignKey)
    hydra.answers.set(forged, activeAnswer()) // even if introspection would say yes
    const err = await rejection(makeHybrid(true).verify(forged))
    expect(err).toBeInstanceOf(InvalidTokenError)
    expect((err as InvalidTokenError).reason).toBe('signature')
    expect(hydra.introspectCalls).toBe(0)
  })

  it('an unsigned alg:none JWT is routed to the JWT verifier and refused there', async () => {
    const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url')
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss: hydra.issuer, sub: 'admin', exp: now() + 600 })}.`
    hydra.answers.set(none, activeAnswer())
    const err = await rejection(makeHybrid(true).verify(none))
    expect(err).toBeInstanceOf(InvalidTokenError)
    expect((err as InvalidTokenError).reason).toBe('algorithm')
    expect(hydra.introspectCalls).toBe(0)
  })

  it('a JWT-looking but badly encoded token is refused locally as malformed: no introspection call', async () => {
    const good = await mintJwt()
    const [h, p, sig] = good.split('.') as [string, string, string]
    const badUtf8 = Buffer.concat([
      Buffer.from(`{"alg":"ES256","kid":"${kid}","x":"`),
      Buffer.from([0xff]),
      Buffer.from('"}'),
    ]).toString('base64url')
    const lastFlipped = (segment: string): string => {
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
      const v = alphabet.indexOf(segment.slice(-1))
      return segment.slice(0, -1) + alphabet.charAt(v ^ 1)
    }
    const variants = [
      `${h}A.${p}.${sig}`, // header of length 4n + 1
      `${badUtf8}.${p}.${sig}`, // header not UTF-8
      `${h}=.${p}.${sig}`, // padding
      `${h}.${p}.${lastFlipped(sig)}`, // non-canonical signature (86 characters: 4 unused bits)
    ]
    const hybrid = makeHybrid(true)
    for (const token of variants) {
      hydra.answers.set(token, activeAnswer()) // even if introspection would say yes
      const err = await rejection(hybrid.verify(token))
      expect(err).toBeInstanceOf(InvalidTokenError)
      expect((err as InvalidTokenError).reason).toBe('malformed')
    }
    expect(hydra.introspectCalls).toBe(0)
  })

  it('an inactive opaque token is refused by introspection (401 inactive)', async () => {
    const err = await rejection(makeHybrid().verify(`ory_at_${randomBytes(16).toString('hex')}.x`))
    expect(err).toBeInstanceOf(InvalidTokenError)
    expect([(err as InvalidTokenError).reason, (err as InvalidTokenError).realm]).toEqual([
      'inactive',
      'orders',
    ])
  })
})

describe('createHybridVerifier: verifyNow', () => {
  it('settles a JWT synchronously once keys are loaded; never an opaque token or one that needs introspection', async () => {
    const hybrid = makeHybrid(false)
    const token = await mintJwt()
    expect(hybrid.verifyNow(token)).toBeUndefined() // keys not loaded yet: only verify() can tell
    await hybrid.verify(await mintJwt())
    expect(hybrid.verifyNow(token)).toMatchObject({ source: 'jwt' })
    expect(hybrid.verifyNow('ory_at_' + 'x'.repeat(40))).toBeUndefined()
    const checked = makeHybrid(true)
    await checked.verify(token).catch(() => undefined)
    expect(checked.verifyNow(token)).toBeUndefined()
    expect(hydra.introspectCalls).toBe(1)
  })
})

describe('createHybridVerifier: introspectJwts (revocation check)', () => {
  it('a valid, active JWT is introspected once (then cached) and its JWT profile returned', async () => {
    const token = await mintJwt()
    hydra.answers.set(token, activeAnswer())
    const hybrid = makeHybrid(true)
    const first = await hybrid.verify(token)
    const second = await hybrid.verify(token)
    expect(first.source).toBe('jwt')
    expect(second.claims.jti).toBe(first.claims.jti)
    expect(hydra.introspectCalls).toBe(1)
  })

  it('a revoked JWT (valid signature, inactive at Hydra) is refused', async () => {
    const token = await mintJwt() // not in answers: Hydra says active:false
    const hybrid = makeHybrid(true)
    const err = await rejection(hybrid.verify(token))
    expect(err).toBeInstanceOf(InvalidTokenError)
    expect((err as InvalidTokenError).reason).toBe('inactive')
    expect(hydra.introspectCalls).toBe(1)
    // Without the revocation check the same token passes.
    await expect(makeHybrid(false).verify(token)).resolves.toMatchObject({ source: 'jwt' })
  })

  it('revoke(token) passes on to the introspection cache: a cached active JWT is refused next time', async () => {
    const token = await mintJwt()
    hydra.answers.set(token, activeAnswer())
    const hybrid = makeHybrid(true)
    await expect(hybrid.verify(token)).resolves.toMatchObject({ source: 'jwt' })
    expect(hydra.introspectCalls).toBe(1)
    await expect(hybrid.revoke(token)).resolves.toEqual({ shared: 'none', broadcast: 'none' })
    const err = await rejection(hybrid.verify(token))
    expect(err).toBeInstanceOf(InvalidTokenError)
    // The revoked mark answered: Hydra (still saying active) was not asked again.
    expect(hydra.introspectCalls).toBe(1)
    await expect(hybrid.invalidate()).resolves.toMatchObject({ shared: 'none' })
  })

  it('fails closed (503) when introspection is down', async () => {
    hydra.failIntrospection = true
    const err = await rejection(makeHybrid(true).verify(await mintJwt()))
    expect(err).toBeInstanceOf(UpstreamUnavailableError)
    expect((err as UpstreamUnavailableError).status).toBe(503)
  })
})

describe('createHybridVerifier: options and lifecycle', () => {
  const stub = (realm: string): TokenVerifier => ({
    realm,
    verify: () => Promise.reject(new Error('not used')),
  })

  it('realm comes from the options, else from the jwt verifier', () => {
    expect(createHybridVerifier({ jwt: stub('a'), introspection: stub('b') }).realm).toBe('a')
    expect(createHybridVerifier({ jwt: stub('a'), introspection: stub('b'), realm: 'c' }).realm).toBe('c')
  })

  it.each<[string, () => unknown, RegExp]>([
    ['no options', () => createHybridVerifier(undefined as never), /^options must be an object/],
    [
      'jwt missing',
      () => createHybridVerifier({ introspection: stub('a') } as never),
      /^jwt must be a TokenVerifier/,
    ],
    [
      'introspection not a verifier',
      () => createHybridVerifier({ jwt: stub('a'), introspection: {} as never }),
      /^introspection must be a TokenVerifier/,
    ],
    [
      'the same verifier twice',
      () => {
        const v = stub('a')
        return createHybridVerifier({ jwt: v, introspection: v })
      },
      /^jwt and introspection must be different verifiers/,
    ],
    [
      'introspectJwts not a boolean',
      () => createHybridVerifier({ jwt: stub('a'), introspection: stub('b'), introspectJwts: 1 as never }),
      /^introspectJwts must be a boolean/,
    ],
    [
      'empty realm',
      () => createHybridVerifier({ jwt: stub('a'), introspection: stub('b'), realm: '' }),
      /^realm must be a non-empty string/,
    ],
  ])('%s → TypeError', (_name, build, message) => {
    expect(build).toThrow(TypeError)
    expect(build).toThrow(message)
  })

  it('close() closes both inner verifiers, once', async () => {
    let closes = 0
    const closable = (realm: string): TokenVerifier => ({
      ...stub(realm),
      close: () => {
        closes++
        return Promise.resolve()
      },
    })
    const hybrid = createHybridVerifier({ jwt: closable('a'), introspection: closable('b') })
    await Promise.all([hybrid.close(), hybrid.close()])
    await hybrid.close()
    expect(closes).toBe(2)
  })
})
