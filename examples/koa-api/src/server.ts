import { createServer } from 'node:http'
import { createApp } from './app.js'
import { readConfig } from '@hydrakit/example-api-config'

const config = readConfig(process.env, 3002)
const { app, close } = createApp(config.verifier)
const handle = app.callback()
const server = createServer((req, res) => {
  void handle(req, res)
})
server.listen(config.port, '127.0.0.1', () => {
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : config.port
  console.log(`koa-api listening on http://127.0.0.1:${port} (mode ${config.verifier.mode})`)
})
const stop = (): void => {
  server.close()
  void close()
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
