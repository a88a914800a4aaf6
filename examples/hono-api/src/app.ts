import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { hydra, type HydraOptions } from '@hydrakit/web'
import { honoAuth, type HydrakitEnv } from '@hydrakit/web/hono'

/** The protected API: GET /public, GET /me, GET /items (scope `read`), POST /items (scope `write`). */
export function createApp(options: HydraOptions): { app: Hono<HydrakitEnv>; close: () => Promise<void> } {
  const auth = hydra(options)
  const items: Array<{ id: number; name: string; by: string | undefined }> = [
    { id: 1, name: 'first', by: 'seed' },
  ]
  const app = new Hono<HydrakitEnv>()

  app.get('/public', (c) => c.json({ hello: 'world' }))
  app.get('/me', honoAuth(auth), (c) => {
    const a = c.var.auth!
    return c.json({ subject: a.subject, clientId: a.clientId, scopes: a.scopes, source: a.source })
  })
  app.get('/items', honoAuth(auth, { scope: 'read' }), (c) => c.json(items))
  app.post('/items', honoAuth(auth, { scope: 'write' }), bodyLimit({ maxSize: 16 * 1024 }), async (c) => {
    const name = await readName(c.req.raw)
    if (name === undefined) return c.json({ error: 'name must be a string of 1 to 100 characters' }, 400)
    const item = { id: items.length + 1, name, by: c.var.auth?.subject }
    items.push(item)
    return c.json(item, 201)
  })
  return { app, close: () => auth.close() }
}

/** The `name` of a JSON body, when it is a string of 1 to 100 characters. */
async function readName(request: Request): Promise<string | undefined> {
  if (!/^application\/json\b/i.test(request.headers.get('content-type') ?? '')) return undefined
  try {
    const name = ((await request.json()) as { name?: unknown } | null)?.name
    return typeof name === 'string' && name !== '' && name.length <= 100 ? name : undefined
  } catch {
    return undefined
  }
}
