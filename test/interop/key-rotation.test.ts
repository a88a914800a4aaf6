// Key rotation at the mock Hydra: a token signed with a key published right after the resource
// server's last JWKS fetch is accepted at once (the unknown kid triggers a refetch, rate-limited but
// never refused), in every framework.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMockHydra, type MockHydra } from '@hydrakit/hydra-mock'
import { FRAMEWORKS, startApp, type RunningApp } from '../support/apps.js'

const get = async (app: RunningApp, token: string): Promise<number> =>
  (await fetch(`${app.url}/read`, { headers: { authorization: `Bearer ${token}` } })).status

describe.each(FRAMEWORKS)('key rotation at the mock Hydra (%s)', (framework) => {
  let mock: MockHydra
  let app: RunningApp
  beforeAll(async () => {
    mock = await createMockHydra({ accessTokenStrategy: 'jwt' })
    app = await startApp(framework, { mode: 'jwt', issuer: mock.issuer, audience: false })
  })
  afterAll(async () => {
    await app.close()
    await mock.close()
  })

  it('accepts a token signed with a key published right after the last JWKS fetch', async () => {
    const before = await mock.issueToken({ scopes: ['read'] })
    expect(await get(app, before.accessToken)).toBe(200)
    await mock.rotateKeys()
    const after = await mock.issueToken({ scopes: ['read'] })
    expect(await get(app, after.accessToken)).toBe(200)
  })
})
