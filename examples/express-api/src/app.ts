import express from 'express'
import { getAuth, hydra, type HydraOptions } from '@hydrakit/express'

/** The protected API: GET /public, GET /me, GET /items (scope `read`), POST /items (scope `write`). */
export function createApp(options: HydraOptions): { app: express.Express; close: () => Promise<void> } {
  const auth = hydra(options)
  const items: Array<{ id: number; name: string; by: string | undefined }> = [
    { id: 1, name: 'first', by: 'seed' },
  ]
  const app = express()
  app.disable('x-powered-by')
  app.use(express.json({ limit: '16kb' }))

  app.get('/public', (_req, res) => {
    res.json({ hello: 'world' })
  })
  app.get('/me', auth.authenticate(), (req, res) => {
    const a = getAuth(req)!
    res.json({ subject: a.subject, clientId: a.clientId, scopes: a.scopes, source: a.source })
  })
  app.get('/items', auth.requireScope('read'), (_req, res) => {
    res.json(items)
  })
  app.post('/items', auth.requireScope('write'), (req, res) => {
    const name = (req.body as { name?: unknown } | undefined)?.name
    if (typeof name !== 'string' || name === '' || name.length > 100) {
      res.status(400).json({ error: 'name must be a string of 1 to 100 characters' })
      return
    }
    const item = { id: items.length + 1, name, by: getAuth(req)?.subject }
    items.push(item)
    res.status(201).json(item)
  })
  return { app, close: () => auth.close() }
}
