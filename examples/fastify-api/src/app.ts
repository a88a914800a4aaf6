import Fastify, { type FastifyInstance } from 'fastify'
import { getAuth, hydrakit, type HydraOptions } from '@hydrakit/fastify'

/** The protected API: GET /public, GET /me, GET /items (scope `read`), POST /items (scope `write`). */
export async function createApp(
  options: HydraOptions,
): Promise<{ app: FastifyInstance; close: () => Promise<void> }> {
  const app = Fastify({ bodyLimit: 16 * 1024 })
  // The plugin closes the verifier on Fastify's onClose, so app.close() stops everything.
  await app.register(hydrakit, options)
  const auth = app.hydrakit
  const items: Array<{ id: number; name: string; by: string | undefined }> = [
    { id: 1, name: 'first', by: 'seed' },
  ]

  app.get('/public', () => ({ hello: 'world' }))
  app.get('/me', { preHandler: auth.authenticate() }, (request) => {
    const a = getAuth(request)!
    return { subject: a.subject, clientId: a.clientId, scopes: a.scopes, source: a.source }
  })
  app.get('/items', { preHandler: auth.requireScope('read') }, () => items)
  // onRequest: the token is checked before the body is even read.
  app.post('/items', { onRequest: auth.requireScope('write') }, async (request, reply) => {
    const name = (request.body as { name?: unknown } | undefined)?.name
    if (typeof name !== 'string' || name === '' || name.length > 100) {
      return reply.code(400).send({ error: 'name must be a string of 1 to 100 characters' })
    }
    const item = { id: items.length + 1, name, by: getAuth(request)?.subject }
    items.push(item)
    return reply.code(201).send(item)
  })
  await app.ready()
  return { app, close: () => app.close() }
}
