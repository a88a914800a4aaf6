import Koa from 'koa'
import { getAuth, hydra, type HydraOptions } from '@hydrakit/koa'

/** The protected API: GET /public, GET /me, GET /items (scope `read`), POST /items (scope `write`). */
export function createApp(options: HydraOptions): { app: Koa; close: () => Promise<void> } {
  const auth = hydra(options)
  const items: Array<{ id: number; name: string; by: string | undefined }> = [
    { id: 1, name: 'first', by: 'seed' },
  ]
  const app = new Koa()
  const read = auth.requireScope('read')
  const write = auth.requireScope('write')
  const me = auth.authenticate()

  app.use(async (ctx, next) => {
    if (ctx.method === 'GET' && ctx.path === '/public') {
      ctx.body = { hello: 'world' }
      return
    }
    if (ctx.method === 'GET' && ctx.path === '/me') {
      return me(ctx, () => {
        const a = getAuth(ctx)!
        ctx.body = { subject: a.subject, clientId: a.clientId, scopes: a.scopes, source: a.source }
        return Promise.resolve()
      })
    }
    if (ctx.method === 'GET' && ctx.path === '/items') {
      return read(ctx, () => {
        ctx.body = items
        return Promise.resolve()
      })
    }
    if (ctx.method === 'POST' && ctx.path === '/items') {
      return write(ctx, async () => {
        const name = await readName(ctx)
        if (name === undefined) {
          ctx.status = 400
          ctx.body = { error: 'name must be a string of 1 to 100 characters' }
          return
        }
        const item = { id: items.length + 1, name, by: getAuth(ctx)?.subject }
        items.push(item)
        ctx.status = 201
        ctx.body = item
      })
    }
    await next()
  })
  return { app, close: () => auth.close() }
}

async function readName(ctx: Koa.Context): Promise<string | undefined> {
  if (!ctx.is('application/json')) return undefined
  let raw = ''
  for await (const chunk of ctx.req) {
    raw += String(chunk)
    if (raw.length > 16 * 1024) return undefined
  }
  try {
    const name = (JSON.parse(raw) as { name?: unknown }).name
    return typeof name === 'string' && name !== '' && name.length <= 100 ? name : undefined
  } catch {
    return undefined
  }
}
