// A JWT whose claims nest thousands of levels deep is a client's (or a login app's) mistake, not
// our outage: 401 invalid_token in every framework, never a 500 from a RangeError further down.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FRAMEWORKS, startApp, type RunningApp } from '../support/apps.js'
import { startTestIssuer, type TestIssuer } from '../support/issuer.js'

/** A value nested `levels` deep: arrays of arrays around one string. */
function nested(levels: number): unknown {
  let value: unknown = 'x'
  for (let i = 0; i < levels; i++) value = [value]
  return value
}

let issuer: TestIssuer
const apps = new Map<string, RunningApp>()

beforeAll(async () => {
  issuer = await startTestIssuer()
  for (const fw of FRAMEWORKS) {
    apps.set(fw, await startApp(fw, { mode: 'jwt', issuer: issuer.issuer, audience: 'api' }))
  }
})

afterAll(async () => {
  await Promise.all([...apps.values()].map((a) => a.close()))
  await issuer.close()
})

describe.each(FRAMEWORKS)('%s: nesting depth of JWT claims', (fw) => {
  const call = async (token: string): Promise<Response> =>
    fetch(`${apps.get(fw)?.url}/me`, { headers: { authorization: `Bearer ${token}` } })

  it('claims nested 2,000 levels deep: 401 invalid_token, not 500', async () => {
    const res = await call(await issuer.jwt({ ext: { deep: nested(2000) } }))
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toMatch(/error="invalid_token"/)
  })

  it('the limit is 32 levels, the claims object included', async () => {
    // claims (1) → ext (2) → deep: 30 more levels = 32.
    expect((await call(await issuer.jwt({ ext: { deep: nested(30) } }))).status).toBe(200)
    expect((await call(await issuer.jwt({ ext: { deep: nested(31) } }))).status).toBe(401)
    // Brackets inside strings do not count.
    expect((await call(await issuer.jwt({ note: '['.repeat(5000) }))).status).toBe(200)
  })
})
