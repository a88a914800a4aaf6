// Correctness gates run before any measurement (and by bench/test): a scenario that accepts an
// invalid token, or refuses a valid one, produces no result.
import { randomBytes } from 'node:crypto'
import { mintOpaque } from './tokens.mjs'

/**
 * @typedef {object} ScenarioInfo
 * @property {'bare' | 'layer' | 'floor' | 'peer' | 'hydrakit' | 'control'} kind (`floor`: a reference that
 *   checks less than a real verifier, to measure against; `layer`: the framework plus one middleware that
 *   only passes the request on, no auth)
 * @property {'node' | 'express4' | 'express5' | 'koa' | 'fastify' | 'hono'} framework
 * @property {'jwt' | 'introspection' | 'hybrid'} [mode] how the scenario verifies tokens
 * @property {string} label
 */

/** @type {Record<string, ScenarioInfo>} */
export const SCENARIO_INFO = {
  'bare-node': { kind: 'bare', framework: 'node', label: 'node:http (no auth)' },
  'bare-express4': { kind: 'bare', framework: 'express4', label: 'Express 4 (no auth)' },
  'bare-express5': { kind: 'bare', framework: 'express5', label: 'Express 5 (no auth)' },
  'bare-koa': { kind: 'bare', framework: 'koa', label: 'Koa 3 (no auth)' },
  'bare-fastify': { kind: 'bare', framework: 'fastify', label: 'Fastify 5 (no auth)' },
  'bare-hono': { kind: 'bare', framework: 'hono', label: 'Hono on @hono/node-server (no auth)' },
  'layer-express4': {
    kind: 'layer',
    framework: 'express4',
    label: 'Express 4 + one pass-through middleware (no auth)',
  },
  'layer-koa': {
    kind: 'layer',
    framework: 'koa',
    label: 'Koa 3 + one pass-through middleware (no auth)',
  },
  'layer-fastify': {
    kind: 'layer',
    framework: 'fastify',
    label: 'Fastify 5 + one pass-through middleware (no auth)',
  },
  'layer-hono': {
    kind: 'layer',
    framework: 'hono',
    label: 'Hono on @hono/node-server + one pass-through middleware (no auth)',
  },
  'floor-node-rs256': {
    kind: 'floor',
    framework: 'node',
    mode: 'jwt',
    label: 'node:http + one RS256 crypto.verify (raw floor)',
  },
  'naive-express-introspection': {
    kind: 'floor',
    framework: 'express4',
    mode: 'introspection',
    label: 'Express 4 + naive introspection (undici.request + JSON.parse, no cache)',
  },
  'control-accept-all': {
    kind: 'control',
    framework: 'express4',
    mode: 'jwt',
    label: 'Express 4 + a middleware that accepts every request (gate test only)',
  },
  'peer-oauth2-jwt-bearer': {
    kind: 'peer',
    framework: 'express4',
    mode: 'jwt',
    label: 'Express 4 + express-oauth2-jwt-bearer',
  },
  'peer-express-jwt': {
    kind: 'peer',
    framework: 'express4',
    mode: 'jwt',
    label: 'Express 4 + express-jwt + jwks-rsa',
  },
  'peer-koa-jwt': { kind: 'peer', framework: 'koa', mode: 'jwt', label: 'Koa 3 + koa-jwt + jwks-rsa' },
  'hydrakit-express-jwt': {
    kind: 'hydrakit',
    framework: 'express4',
    mode: 'jwt',
    label: 'Express 4 + hydrakit (jwt)',
  },
  'hydrakit-express5-jwt': {
    kind: 'hydrakit',
    framework: 'express5',
    mode: 'jwt',
    label: 'Express 5 + hydrakit (jwt)',
  },
  'hydrakit-koa-jwt': { kind: 'hydrakit', framework: 'koa', mode: 'jwt', label: 'Koa 3 + hydrakit (jwt)' },
  'hydrakit-express-introspection': {
    kind: 'hydrakit',
    framework: 'express4',
    mode: 'introspection',
    label: 'Express 4 + hydrakit (introspection)',
  },
  'hydrakit-koa-introspection': {
    kind: 'hydrakit',
    framework: 'koa',
    mode: 'introspection',
    label: 'Koa 3 + hydrakit (introspection)',
  },
  'hydrakit-express-hybrid': {
    kind: 'hydrakit',
    framework: 'express4',
    mode: 'hybrid',
    label: 'Express 4 + hydrakit (hybrid)',
  },
  'hydrakit-koa-hybrid': {
    kind: 'hydrakit',
    framework: 'koa',
    mode: 'hybrid',
    label: 'Koa 3 + hydrakit (hybrid)',
  },
  'hydrakit-fastify-jwt': {
    kind: 'hydrakit',
    framework: 'fastify',
    mode: 'jwt',
    label: 'Fastify 5 + @hydrakit/fastify (jwt)',
  },
  'hydrakit-hono-jwt': {
    kind: 'hydrakit',
    framework: 'hono',
    mode: 'jwt',
    label: 'Hono + @hydrakit/web (jwt)',
  },
}

/**
 * @param {string} url
 * @param {string | undefined} token
 * @returns {Promise<number>}
 */
async function statusOf(url, token) {
  const res = await fetch(url, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } })
  await res.arrayBuffer()
  return res.status
}

/**
 * @typedef {object} CheckResult
 * @property {string} scenario
 * @property {string} check
 * @property {boolean} ok
 * @property {string} detail
 */

/**
 * Runs every check that applies to `scenario`.
 * @param {import('./stack.mjs').Stack} stack
 * @param {string} scenario
 * @returns {Promise<CheckResult[]>}
 */
export async function checkScenario(stack, scenario) {
  const info = SCENARIO_INFO[scenario]
  const server = stack.servers.get(scenario)
  if (info === undefined || server === undefined) throw new Error(`unknown scenario ${scenario}`)
  const url = server.url
  const t = stack.tokens
  /** @type {CheckResult[]} */
  const results = []
  /** @param {string} check @param {string | undefined} token @param {number} expected */
  const expectStatus = async (check, token, expected) => {
    const status = await statusOf(url, token)
    results.push({ scenario, check, ok: status === expected, detail: `HTTP ${status}, expected ${expected}` })
  }

  if (info.kind === 'bare' || info.kind === 'layer') {
    await expectStatus('answers 200', t.rsHot, 200)
    return results
  }
  if (info.kind === 'floor') {
    // References check only what they measure: a signature, or `active`.
    if (info.mode === 'jwt') await expectStatus('accepts a valid RS256 JWT', t.rsHot, 200)
    else await expectStatus('accepts a valid opaque token', t.opaqueHot, 200)
    await expectStatus('refuses a request without token (401)', undefined, 401)
    await expectStatus('refuses a wrongly signed JWT (401)', t.rsWrongSignature, 401)
    await expectStatus('refuses a malformed JWT (401)', t.malformed, 401)
    if (info.mode === 'introspection') {
      await expectStatus('refuses an unknown opaque token (401)', t.opaqueUnknown, 401)
    }
    return results
  }
  const jwtCapable = info.mode === 'jwt' || info.mode === 'hybrid'
  const opaqueCapable = info.mode === 'introspection' || info.mode === 'hybrid'
  if (jwtCapable) {
    // The first valid request also loads the JWKS, so the invalid ones below cannot need a fetch.
    await expectStatus('accepts a valid RS256 JWT', t.rsHot, 200)
    await expectStatus('accepts a valid ES256 JWT', t.esHot, 200)
  }
  if (opaqueCapable) await expectStatus('accepts a valid opaque token', t.opaqueHot, 200)

  const before = await stack.upstreamStats()
  await expectStatus('refuses a request without token (401)', undefined, 401)
  await expectStatus('refuses a wrongly signed JWT (401)', t.rsWrongSignature, 401)
  await expectStatus('refuses a malformed JWT (401)', t.malformed, 401)
  if (jwtCapable) {
    await expectStatus('refuses an expired JWT (401)', t.rsExpired, 401)
    await expectStatus('refuses a JWT for another audience (401)', t.rsOtherAudience, 401)
  }
  if (info.kind === 'hydrakit' && info.mode !== 'introspection') {
    // T8: a malformed or wrongly signed JWT costs no JWKS refetch and no introspection call.
    const after = await stack.upstreamStats()
    const extra = after.jwks - before.jwks + (after.introspection - before.introspection)
    results.push({
      scenario,
      check: 'invalid JWTs cause no upstream call',
      ok: extra === 0,
      detail: `${extra} upstream calls`,
    })
  }
  if (opaqueCapable) {
    await expectStatus('refuses an unknown opaque token (401)', t.opaqueUnknown, 401)
    results.push(await checkCoalescing(stack, url, scenario))
  }
  return results
}

/**
 * T5: 50 concurrent requests carrying one token never seen before make exactly one upstream call.
 * The upstream answers after 50 ms so the requests overlap.
 * @param {import('./stack.mjs').Stack} stack
 * @param {string} url
 * @param {string} scenario
 * @returns {Promise<CheckResult>}
 */
export async function checkCoalescing(stack, url, scenario) {
  const token = mintOpaque(stack.secret, `once${randomBytes(8).toString('hex')}`)
  await stack.setDelay(50)
  try {
    const before = await stack.upstreamStats()
    const statuses = await Promise.all(Array.from({ length: 50 }, () => statusOf(url, token)))
    const after = await stack.upstreamStats()
    const calls = after.introspection - before.introspection
    const ok200 = statuses.filter((s) => s === 200).length
    return {
      scenario,
      check: '50 concurrent requests of one new token: 1 upstream call',
      ok: calls === 1 && ok200 === 50,
      detail: `${calls} upstream calls, ${ok200}/50 answered 200`,
    }
  } finally {
    await stack.setDelay(0)
  }
}
