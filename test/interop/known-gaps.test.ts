// Behaviour issue 18 asks for and today's verifiers do not have yet. Each test states the wanted
// outcome and is marked `it.fails`: it passes while the gap exists and turns red once the gap is
// closed, which is the signal to drop the marker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMockHydra, type MockHydra } from '@hydrakit/hydra-mock'
import { startApp, type RunningApp } from '../support/apps.js'

const get = async (app: RunningApp, token: string): Promise<number> =>
  (await fetch(`${app.url}/read`, { headers: { authorization: `Bearer ${token}` } })).status

describe('key rotation at the mock Hydra', () => {
  let mock: MockHydra
  let app: RunningApp
  beforeAll(async () => {
    mock = await createMockHydra({ accessTokenStrategy: 'jwt' })
    app = await startApp('express5', { mode: 'jwt', issuer: mock.issuer })
  })
  afterAll(async () => {
    await app.close()
    await mock.close()
  })

  it.fails('accepts a token signed with a key published right after the last JWKS fetch', async () => {
    const before = await mock.issueToken({ scopes: ['read'] })
    expect(await get(app, before.accessToken)).toBe(200)
    await mock.rotateKeys()
    const after = await mock.issueToken({ scopes: ['read'] })
    expect(await get(app, after.accessToken)).toBe(200)
  })
})
