// Runs the example: `npx tsx examples/observability/src/main.ts` (Node 20) after `npx tsc -b`.
// Environment: PORT (default 3000), AUDIENCE (default orders-api), HYDRA_ADMIN_URL (default: starts the mock Hydra from
// @hydrakit/hydra-mock and prints a token), REDIS_URL (optional shared cache) with CACHE_SECRET (at
// least 32 bytes, the same on every instance: it signs what is stored in Redis), HYDRAKIT_DEBUG=1.
import { createMockHydra } from '@hydrakit/hydra-mock'
import { Redis } from 'ioredis'
import { createObservabilityApp } from './app.js'

const port = Number(process.env.PORT ?? 3000)
const audience = process.env.AUDIENCE ?? 'orders-api'
let adminUrl = process.env.HYDRA_ADMIN_URL
let stopMock: (() => Promise<void>) | undefined
if (adminUrl === undefined) {
  const mock = await createMockHydra()
  adminUrl = mock.adminUrl
  stopMock = () => mock.close()
  const { accessToken } = await mock.issueToken({
    subject: 'alice',
    scopes: ['orders:read'],
    audience: [audience],
  })
  console.log(`mock Hydra (development only) at ${mock.adminUrl}`)
  console.log(`try: curl -H 'authorization: Bearer ${accessToken}' http://127.0.0.1:${port}/orders`)
}
const redis =
  process.env.REDIS_URL === undefined
    ? undefined
    : new Redis(process.env.REDIS_URL, { maxRetriesPerRequest: 1 })
redis?.on('error', (err: Error) => console.warn('redis:', err.message))

const { app, close } = createObservabilityApp({
  adminUrl,
  audience,
  redis,
  cacheSecret: process.env.CACHE_SECRET,
  debug: process.env.HYDRAKIT_DEBUG === '1',
})
const server = app.listen(port, '127.0.0.1', () => {
  console.log(`orders API on http://127.0.0.1:${port} (metrics: /metrics)`)
})

const shutdown = (): void => {
  server.close()
  void close()
    .then(() => stopMock?.())
    .finally(() => redis?.disconnect())
}
process.once('SIGINT', shutdown)
process.once('SIGTERM', shutdown)
