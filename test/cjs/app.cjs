// A CommonJS app using hydrakit through require(esm) (Node 20.19+ / 22.12+). Started by
// cjs.test.ts: HYDRA_ADMIN_URL points at the (mock) Hydra admin API; it prints
// `listening <port>` once it accepts connections, and exits on SIGTERM.
'use strict'

const express = require('express')
const core = require('@hydrakit/core')
const observability = require('@hydrakit/core/observability')
const { hydra, getAuth } = require('@hydrakit/express')

const rejections = []
const verifier = core.createIntrospectionVerifier({
  adminUrl: process.env.HYDRA_ADMIN_URL,
  audience: 'orders-api',
  hooks: observability.combineHooks({
    onVerify(event) {
      if (event.outcome === 'failure') rejections.push(event.reason)
    },
  }),
})
const auth = hydra({ verifier })

const app = express()
app.get('/orders', auth.requireScope('orders:read'), (req, res) => {
  res.json({ subject: getAuth(req).subject, module: typeof module.exports })
})
app.get('/info', (_req, res) => {
  let errorClass = false
  try {
    throw new core.InvalidTokenError({ reason: 'malformed', description: 'x' })
  } catch (err) {
    errorClass = err instanceof core.HydrakitError && core.isHydrakitError(err)
  }
  res.json({
    node: process.versions.node,
    requireModule: process.features.require_module === true,
    coreExports: ['createIntrospectionVerifier', 'createJwtVerifier', 'createPrometheusHooks'].filter(
      (name) => typeof (core[name] ?? observability[name]) === 'function',
    ),
    errorClass,
    rejections,
  })
})

const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`)
})
process.once('SIGTERM', () => {
  server.close()
  verifier.close().finally(() => process.exit(0))
})
