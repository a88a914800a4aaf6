// The measured matrix: which server gets which tokens at which concurrency.
//
// Token modes:
//   hot              one valid RS256 JWT on every request (a result cache answers it)
//   distinct         a pool of distinct valid RS256 JWTs, larger than any default result cache,
//                    sent round-robin: every request needs a full verification
//   invalid          one JWT with a wrong signature (known kid), on every request: 401 expected
//   opaque-hot       one valid opaque token (introspection cached after the first call)
//   opaque-distinct  a never-seen opaque token on every request: one introspection call each

/**
 * @typedef {object} BenchCase
 * @property {string} id
 * @property {string} scenario
 * @property {'hot' | 'distinct' | 'invalid' | 'opaque-hot' | 'opaque-distinct'} token
 * @property {number} connections
 * @property {number} expect status every response must have
 */

/** @returns {BenchCase[]} */
export function benchCases() {
  /** @type {BenchCase[]} */
  const cases = []
  /**
   * @param {string} scenario
   * @param {BenchCase['token']} token
   * @param {number} [connections]
   */
  const add = (scenario, token, connections = 10) => {
    cases.push({
      id: `${scenario}:${token}:c${connections}`,
      scenario,
      token,
      connections,
      expect: token === 'invalid' ? 401 : 200,
    })
  }
  for (const s of ['bare-node', 'bare-express4', 'bare-express5', 'bare-koa', 'bare-fastify', 'bare-hono']) {
    add(s, 'hot')
  }
  // The references: one pass-through middleware per framework (what any middleware costs there), the
  // raw signature check, and introspection without a cache.
  for (const s of ['layer-express4', 'layer-koa', 'layer-fastify', 'layer-hono']) add(s, 'hot')
  add('floor-node-rs256', 'distinct')
  add('naive-express-introspection', 'opaque-distinct')
  for (const s of ['peer-oauth2-jwt-bearer', 'peer-express-jwt', 'peer-koa-jwt']) {
    add(s, 'hot')
    add(s, 'distinct')
  }
  for (const s of ['hydrakit-express-jwt', 'hydrakit-koa-jwt']) {
    add(s, 'hot')
    add(s, 'distinct')
    add(s, 'invalid')
  }
  add('hydrakit-express5-jwt', 'hot')
  // The newer adapters, next to their own framework's ceiling.
  for (const s of ['hydrakit-fastify-jwt', 'hydrakit-hono-jwt']) {
    add(s, 'hot')
    add(s, 'distinct')
    add(s, 'invalid')
  }
  for (const s of ['hydrakit-express-introspection', 'hydrakit-koa-introspection']) {
    add(s, 'opaque-hot')
    add(s, 'opaque-distinct')
  }
  for (const s of ['hydrakit-express-hybrid', 'hydrakit-koa-hybrid']) {
    add(s, 'hot')
    add(s, 'opaque-distinct')
  }
  // The same hot-token comparison at 50 connections.
  for (const s of [
    'bare-express4',
    'bare-koa',
    'peer-oauth2-jwt-bearer',
    'peer-express-jwt',
    'peer-koa-jwt',
    'hydrakit-express-jwt',
    'hydrakit-koa-jwt',
  ]) {
    add(s, 'hot', 50)
  }
  return cases
}
