import { serve } from '@hono/node-server'
import { createApp } from './app.js'
import { readConfig } from '@hydrakit/example-api-config'

const config = readConfig(process.env, 3001)
const { app, close } = createApp(config.verifier)
const server = serve({ fetch: app.fetch, port: config.port, hostname: '127.0.0.1' }, (info) => {
  console.log(`hono-api listening on http://127.0.0.1:${info.port} (mode ${config.verifier.mode})`)
})
const stop = (): void => {
  server.close()
  void close()
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
