import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMockHydra } from '../../src/index.js'
import type { MockHydra } from '../../src/index.js'
import { admin, postForm } from '../helpers/browser.js'

let hydra: MockHydra

beforeAll(async () => {
  hydra = await createMockHydra()
})
afterAll(() => hydra.close())

describe('metrics and token flush', () => {
  it('GET /admin/metrics/prometheus counts requests per operation in Prometheus text format', async () => {
    hydra.resetCalls()
    await admin(hydra.adminUrl, 'GET', '/admin/health/alive')
    const res = await fetch(`${hydra.adminUrl}/admin/metrics/prometheus`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    const text = await res.text()
    expect(text).toContain('# TYPE hydrakit_mock_requests_total counter')
    expect(text).toContain('hydrakit_mock_requests_total{operation="isAlive"} 1')
    // Hydra v1's path works too (the admin prefix is optional).
    expect((await fetch(`${hydra.adminUrl}/metrics/prometheus`)).status).toBe(200)
  })

  it('POST /oauth2/flush (Hydra v1) deletes tokens that expired before notAfter', async () => {
    const old = await hydra.issueToken({ expiresIn: 60 })
    const fresh = await hydra.issueToken({ expiresIn: 3600 })
    hydra.advanceTime(120)
    try {
      const res = await admin(hydra.adminUrl, 'POST', '/oauth2/flush', {
        notAfter: hydra.now().toISOString(),
      })
      expect(res.status).toBe(204)
      expect(hydra.revoke(old.accessToken)).toBe(false) // gone, not merely inactive
      const info = await postForm(`${hydra.adminUrl}/admin/oauth2/introspect`, { token: fresh.accessToken })
      expect(info.body.active).toBe(true)
      const bad = await admin(hydra.adminUrl, 'POST', '/oauth2/flush', { notAfter: 'yesterday' })
      expect(bad.status).toBe(400)
      expect((await admin(hydra.adminUrl, 'POST', '/oauth2/flush')).status).toBe(204)
    } finally {
      hydra.resetTime()
    }
  })
})
