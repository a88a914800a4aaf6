// In-process micro benchmark of the verify step (no HTTP on the measured path): raw node:crypto
// signature checks, the libraries the peers build on, and hydrakit's verifiers on hot, distinct,
// invalid and opaque tokens. Prints one JSON document: { iterations, repeats, rows: [{ name, us }] }.
//   node micro.mjs [--quick]
import { createPublicKey, verify as cryptoVerify } from 'node:crypto'
import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import { createIntrospectionVerifier, createJwtVerifier } from '@hydrakit/core'
import { importJWK, jwtVerify } from 'jose'
import { AUDIENCE, hydraClaims, makeKey, mintOpaque, signJwt, tamperSignature } from './tokens.mjs'

const quick = process.argv.includes('--quick')
const iterations = quick ? 1000 : 3000
const repeats = quick ? 5 : 9
// The micro verifier keeps 1 000 results; cycling through 1 500 tokens makes every call a miss
// (a miss costs the same whatever the cache size: hash, verify, insert, evict).
const CACHE = 1000
const POOL = 1500

const require = createRequire(import.meta.url)
const jsonwebtoken = createRequire(require.resolve('express-jwt'))('jsonwebtoken')

const rs = makeKey('RS256', 'micro-rs')
const es = makeKey('ES256', 'micro-es')
const jwksBody = JSON.stringify({ keys: [rs.publicJwk, es.publicJwk] })
const secret = Buffer.from('micro-benchmark-secret')

let issuer = ''
const server = createServer((req, res) => {
  if (req.url === '/.well-known/jwks.json') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(jwksBody)
    return
  }
  if (req.method !== 'POST') {
    // No discovery documents: the verifiers fall back to {issuer}/.well-known/jwks.json.
    res.writeHead(404).end()
    return
  }
  let body = ''
  req.on('data', (c) => (body += c))
  req.on('end', () => {
    const now = Math.floor(Date.now() / 1000)
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        active: true,
        aud: [AUDIENCE],
        client_id: 'bench-client',
        exp: now + 3600,
        iat: now,
        iss: issuer,
        scope: 'read write',
        sub: 'user',
        token_type: 'Bearer',
        token_use: 'access_token',
      }),
    )
  })
})
await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)))
issuer = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}`

const day = 24 * 3600
const rsHot = signJwt(rs, hydraClaims(issuer, 0, day))
const esHot = signJwt(es, hydraClaims(issuer, 0, day))
const wrong = tamperSignature(signJwt(rs, hydraClaims(issuer, 1, day)))
const rsPool = Array.from({ length: POOL }, (_, i) => signJwt(rs, hydraClaims(issuer, 10 + i, day)))
const esPool = Array.from({ length: POOL }, (_, i) => signJwt(es, hydraClaims(issuer, 10 + i, day)))
const opaque = mintOpaque(secret, 'micro')

const [rsInput, , rsSig] = splitJws(rsHot)
const [esInput, , esSig] = splitJws(esHot)
const rsKey = createPublicKey({ key: /** @type {any} */ (rs.publicJwk), format: 'jwk' })
const esKey = createPublicKey({ key: /** @type {any} */ (es.publicJwk), format: 'jwk' })
const rsPem = rsKey.export({ type: 'spki', format: 'pem' })
const joseKey = await importJWK(/** @type {any} */ (rs.publicJwk), 'RS256')

const options = { issuer, audience: AUDIENCE, resultCache: { maxEntries: CACHE } }
const jwt = createJwtVerifier(options)
const jwtNoCache = createJwtVerifier({ ...options, resultCache: false })
const introspection = createIntrospectionVerifier({ adminUrl: issuer, issuer, audience: AUDIENCE })
// Misses on purpose: no cache, so every call is one request to the local endpoint.
const introspectionNoCache = createIntrospectionVerifier({
  adminUrl: issuer,
  issuer,
  audience: AUDIENCE,
  cache: false,
})
const { request: undiciRequest } = createRequire(require.resolve('@hydrakit/core'))('undici')
const introspectUrl = `${issuer}/admin/oauth2/introspect`
/** The naive reference: one undici.request and JSON.parse per token, no checks. */
async function naiveIntrospect(/** @type {string} */ token) {
  const r = await undiciRequest(introspectUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: `token=${encodeURIComponent(token)}`,
  })
  const data = await r.body.json()
  if (/** @type {any} */ (data).active !== true) throw new Error('inactive')
  return data
}
await jwt.verify(rsHot)
await jwtNoCache.verify(rsHot)
await introspection.verify(opaque)
await introspectionNoCache.verify(opaque)

/** @param {string} token @returns {[Buffer, string, Buffer]} */
function splitJws(token) {
  const last = token.lastIndexOf('.')
  return [
    Buffer.from(token.slice(0, last)),
    token.slice(0, last),
    Buffer.from(token.slice(last + 1), 'base64url'),
  ]
}

/**
 * Times `count` calls of `op` (awaited one after the other), in µs per call.
 * @param {(i: number) => unknown} op may return a promise
 * @param {number} count
 */
async function timeOp(op, count) {
  const t0 = performance.now()
  for (let i = 0; i < count; i++) await settle(op(i))
  return ((performance.now() - t0) * 1000) / count
}

/** Awaits a result, swallowing rejections (the invalid-token rows reject by design). */
async function settle(/** @type {unknown} */ value) {
  try {
    await value
  } catch {
    // expected for invalid tokens
  }
}

let n = 0
/** @type {[string, (i: number) => unknown][]} */
const ops = [
  [
    'node:crypto verify, RS256, cached KeyObject (raw signature check)',
    () => cryptoVerify('sha256', rsInput, rsKey, rsSig),
  ],
  [
    'node:crypto verify, ES256, cached KeyObject (raw signature check)',
    () => cryptoVerify('sha256', esInput, { key: esKey, dsaEncoding: 'ieee-p1363' }, esSig),
  ],
  [
    'jose 6 jwtVerify, RS256, imported key (WebCrypto)',
    () => jwtVerify(rsHot, joseKey, { issuer, audience: AUDIENCE }),
  ],
  [
    'jsonwebtoken verify, RS256, PEM key (express-jwt / koa-jwt core)',
    () => jsonwebtoken.verify(rsHot, rsPem, { issuer, audience: AUDIENCE, algorithms: ['RS256'] }),
  ],
  ['hydrakit JWT verifier, one hot token (result cache hit)', () => jwt.verify(rsHot)],
  ['hydrakit JWT verifier, verifyNow, one hot token (what the adapters call)', () => jwt.verifyNow(rsHot)],
  [
    'hydrakit JWT verifier, verifyNow, distinct RS256 tokens (what the adapters call)',
    () => jwt.verifyNow(/** @type {string} */ (rsPool[n++ % POOL])),
  ],
  [
    'hydrakit JWT verifier, distinct RS256 tokens (cache miss: full verification)',
    () => jwt.verify(/** @type {string} */ (rsPool[n++ % POOL])),
  ],
  [
    'hydrakit JWT verifier, distinct ES256 tokens (cache miss: full verification)',
    () => jwt.verify(/** @type {string} */ (esPool[n++ % POOL])),
  ],
  ['hydrakit JWT verifier, result cache off, one RS256 token', () => jwtNoCache.verify(rsHot)],
  ['hydrakit JWT verifier, wrongly signed RS256 token (rejected)', () => jwt.verify(wrong)],
  ['hydrakit JWT verifier, malformed token (rejected)', () => jwt.verify('eyJhbGciOiJSUzI1NiJ9.e30.c2ln')],
  ['hydrakit introspection verifier, one hot opaque token (cache hit)', () => introspection.verify(opaque)],
  ['hydrakit introspection verifier, verifyNow, one hot opaque token', () => introspection.verifyNow(opaque)],
  [
    'naive introspection (undici.request + JSON.parse), one call to a local endpoint',
    () => naiveIntrospect(opaque),
  ],
  [
    'hydrakit introspection verifier, no cache: one call to a local endpoint',
    () => introspectionNoCache.verify(opaque),
  ],
]
// Warm-up (which also sizes each sample to ~`sampleMs` of work, at least `iterations` calls), then
// interleaved repeats (every operation once per repeat) so that a burst of load from elsewhere on
// the machine hits all operations alike; the median per operation is reported.
const sampleMs = quick ? 10 : 25
const counts = []
for (const [, op] of ops) {
  const us = await timeOp(op, iterations)
  counts.push(Math.max(iterations, Math.min(200_000, Math.round((sampleMs * 1000) / us))))
}
/** @type {number[][]} */
const samples = ops.map(() => [])
for (let r = 0; r < repeats; r++) {
  for (let i = 0; i < ops.length; i++) {
    samples[i]?.push(await timeOp(/** @type {any} */ (ops[i])[1], /** @type {number} */ (counts[i])))
  }
}
const rows = ops.map(([name], i) => {
  const sorted = (samples[i] ?? []).sort((a, b) => a - b)
  return { name, us: sorted[Math.floor(sorted.length / 2)], min: sorted[0], max: sorted[sorted.length - 1] }
})

await Promise.all([jwt.close(), jwtNoCache.close(), introspection.close(), introspectionNoCache.close()])
server.close()
process.stdout.write(JSON.stringify({ iterations, repeats, rows }) + '\n')
