// A lone surrogate cannot be percent-encoded (encodeURIComponent throws a URIError). Every path
// argument of the admin client, and the public client's credentials, must be refused with a
// TypeError that names the argument instead, before anything is sent.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHydraAdminClient, type HydraAdminClient } from '../../src/hydra/admin-client.js'
import { createHydraPublicClient } from '../../src/hydra/public-client.js'
import { createAdminAuthProvider } from '../../src/upstream/admin-auth.js'
import { createUpstreamClient } from '../../src/upstream/client.js'

const LONE = 'id-\ud800'
const LONE_LOW = '\udc00-id'

let server: Server
let requests = 0
let admin: HydraAdminClient

beforeAll(async () => {
  server = createServer((_req, res) => {
    requests++
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end('{}')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  admin = createHydraAdminClient({ adminUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })
})

afterAll(async () => {
  await admin.close()
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

describe('admin client path arguments', () => {
  it.each([
    ['getOAuth2Client', 'id', (c: HydraAdminClient, v: string) => c.getOAuth2Client(v)],
    ['setOAuth2Client', 'id', (c: HydraAdminClient, v: string) => c.setOAuth2Client(v, {})],
    ['patchOAuth2Client', 'id', (c: HydraAdminClient, v: string) => c.patchOAuth2Client(v, [])],
    ['deleteOAuth2Client', 'id', (c: HydraAdminClient, v: string) => c.deleteOAuth2Client(v)],
    ['setOAuth2ClientLifespans', 'id', (c: HydraAdminClient, v: string) => c.setOAuth2ClientLifespans(v, {})],
    [
      'createJsonWebKeySet',
      'set',
      (c: HydraAdminClient, v: string) => c.createJsonWebKeySet(v, { alg: 'RS256', use: 'sig', kid: 'k' }),
    ],
    ['getJsonWebKeySet', 'set', (c: HydraAdminClient, v: string) => c.getJsonWebKeySet(v)],
    ['getJsonWebKey set', 'set', (c: HydraAdminClient, v: string) => c.getJsonWebKey(v, 'kid')],
    ['getJsonWebKey kid', 'kid', (c: HydraAdminClient, v: string) => c.getJsonWebKey('set', v)],
    ['setJsonWebKeySet', 'set', (c: HydraAdminClient, v: string) => c.setJsonWebKeySet(v, { keys: [] })],
    [
      'setJsonWebKey kid',
      'kid',
      (c: HydraAdminClient, v: string) =>
        c.setJsonWebKey('set', v, { kty: 'RSA', kid: 'k', alg: 'RS256', use: 'sig' }),
    ],
    ['deleteJsonWebKeySet', 'set', (c: HydraAdminClient, v: string) => c.deleteJsonWebKeySet(v)],
    ['deleteJsonWebKey kid', 'kid', (c: HydraAdminClient, v: string) => c.deleteJsonWebKey('set', v)],
    [
      'getTrustedOAuth2JwtGrantIssuer',
      'id',
      (c: HydraAdminClient, v: string) => c.getTrustedOAuth2JwtGrantIssuer(v),
    ],
    [
      'deleteTrustedOAuth2JwtGrantIssuer',
      'id',
      (c: HydraAdminClient, v: string) => c.deleteTrustedOAuth2JwtGrantIssuer(v),
    ],
  ] as const)('%s refuses a lone surrogate in %s with a TypeError', async (_name, arg, call) => {
    const before = requests
    for (const value of [LONE, LONE_LOW]) {
      const err = await call(admin, value).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(TypeError)
      expect((err as Error).message).toBe(`${arg} must not contain a lone surrogate`)
    }
    expect(requests).toBe(before)
  })

  it('a well-formed surrogate pair is fine and percent-encoded', async () => {
    const before = requests
    await admin.deleteOAuth2Client('emoji-\ud83d\ude00')
    expect(requests).toBe(before + 1)
  })
})

describe('credentials that are form-urlencoded on every request', () => {
  it('the public client refuses them at construction', () => {
    expect(() => createHydraPublicClient({ publicUrl: 'http://h', clientId: LONE })).toThrow(
      new TypeError('clientId must not contain a lone surrogate'),
    )
    expect(() =>
      createHydraPublicClient({ publicUrl: 'http://h', clientId: 'app', clientSecret: LONE_LOW }),
    ).toThrow(new TypeError('clientSecret must not contain a lone surrogate'))
  })

  it('client-credentials admin auth refuses them at construction', () => {
    const context = { timeoutMs: 1000, upstream: createUpstreamClient() }
    const auth = { type: 'client_credentials', tokenUrl: 'http://h/oauth2/token', clientSecret: 's' } as const
    expect(() => createAdminAuthProvider({ ...auth, clientId: LONE }, context)).toThrow(
      new TypeError('auth.clientId must not contain a lone surrogate'),
    )
    expect(() =>
      createAdminAuthProvider({ ...auth, clientId: 'api', clientSecret: LONE_LOW }, context),
    ).toThrow(new TypeError('auth.clientSecret must not contain a lone surrogate'))
  })
})
