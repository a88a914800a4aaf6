import { createApp } from './app.js'
import { readConfig } from '@hydrakit/example-api-config'

const config = readConfig(process.env, 3001)
const { app, close } = await createApp(config.verifier)
const url = await app.listen({ port: config.port, host: '127.0.0.1' })
console.log(`fastify-api listening on ${url} (mode ${config.verifier.mode})`)
const stop = (): void => {
  void close()
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
