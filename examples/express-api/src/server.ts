import { createApp } from './app.js'
import { readConfig } from '@hydrakit/example-api-config'

const config = readConfig(process.env, 3001)
const { app, close } = createApp(config.verifier)
const server = app.listen(config.port, '127.0.0.1', () => {
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : config.port
  console.log(`express-api listening on http://127.0.0.1:${port} (mode ${config.verifier.mode})`)
})
const stop = (): void => {
  server.close()
  void close()
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
