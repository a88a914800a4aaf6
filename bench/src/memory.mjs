// T7: pushes many distinct tokens through one bounded cache and records memory. Run with --expose-gc:
//   node --expose-gc memory.mjs jwt|introspection <tokens>
// Entries are shaped like the real ones (a frozen Hydra JWT profile that holds the raw token; an
// introspection answer) and keyed the way the verifiers key them (the JWT cache by the token's end,
// the introspection store by its SHA-256). The JWT cache admits every token here ('always'): the
// worst case for memory.
//
// Two numbers per cache:
// - live heap: heap used after a full GC, every 100 000 tokens. It must stay under the baseline
//   plus entry cap × bytes per entry (+20 %): the cache is bounded and leaks nothing.
// - peak RSS, sampled every 10 000 tokens without forcing GC. Evicted entries have lived long
//   enough to reach V8's old generation, where they stay until the next major GC, so RSS runs
//   ahead of the live size by a headroom V8 chooses (default flags: ~100–160 MB here). The
//   documented bound is baseline RSS + entry cap × bytes per entry + 192 MB.
import { randomBytes } from 'node:crypto'
import { createMemoryCacheStore, tokenCacheKey } from '@hydrakit/core/cache'
import { toAuthInfo } from '@hydrakit/core'
import { JwtResultCache } from '../../packages/core/dist/cache/jwt-result-cache.js'
import { AUDIENCE } from './tokens.mjs'

const which = process.argv[2] ?? 'jwt'
const total = Number(process.argv[3] ?? 1_000_000)
const cap = 10_000
const HEADROOM = 192 * 2 ** 20
const gc = /** @type {() => void} */ (globalThis.gc)
if (typeof gc !== 'function') throw new Error('run with --expose-gc')

const issuer = 'https://hydra.example.com'
const filler = randomBytes(600).toString('base64url')
/**
 * A distinct token of realistic length (Hydra RS256 access tokens are ~800 characters) that, like a
 * JWT's signature, differs in its last characters: the JWT cache keys by them.
 */
const tokenOf = (/** @type {number} */ i) => `${filler}.${i.toString(36).padStart(8, '0')}`

function claims(/** @type {number} */ i) {
  const now = Math.floor(Date.now() / 1000)
  return {
    aud: [AUDIENCE],
    client_id: 'bench-client',
    exp: now + 3600,
    ext: {},
    iat: now,
    iss: issuer,
    jti: `jti-${i}`,
    nbf: now,
    scp: ['read', 'write'],
    sub: `user-${i}`,
  }
}

/** @param {any} value */
function deepFreeze(value) {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const member of Object.values(value)) deepFreeze(member)
  }
  return value
}

/** @type {(i: number) => void} */
let insert
/** @type {() => number} */
let size
if (which === 'jwt') {
  const cache = new JwtResultCache(cap, 'always')
  const signingKey = {}
  insert = (i) => {
    const token = tokenOf(i)
    const info = deepFreeze(toAuthInfo(token, claims(i), 'jwt'))
    cache.set(JwtResultCache.keyOf(token), {
      info,
      key: signingKey,
      expiresAt: Date.now() + 3_600_000,
    })
  }
  size = () => cache.size
} else {
  const store = createMemoryCacheStore({ maxEntries: cap })
  insert = (i) => {
    const token = tokenOf(i)
    const answer = {
      ...claims(i),
      active: true,
      scope: 'read write',
      token_type: 'Bearer',
      token_use: 'access_token',
    }
    void store.set(tokenCacheKey(token, 'hydrakit:introspection:'), { active: true, claims: answer }, 60_000)
  }
  size = () => store.size
}

gc()
gc()
const baselineRss = process.memoryUsage.rss()
const baselineHeap = process.memoryUsage().heapUsed
for (let i = 0; i < cap; i++) insert(i)
gc()
gc()
const entryBytes = (process.memoryUsage().heapUsed - baselineHeap) / cap
const liveBound = baselineHeap + cap * entryBytes * 1.2
let peakRss = process.memoryUsage.rss()
let peakLiveHeap = 0
/** @type {number[]} RSS (MB) after each checkpoint's GC: shows there is no upward trend */
const trend = []
for (let i = cap; i < total; i++) {
  insert(i)
  if (i % 10_000 === 0) peakRss = Math.max(peakRss, process.memoryUsage.rss())
  if (i % 100_000 === 0) {
    gc()
    peakLiveHeap = Math.max(peakLiveHeap, process.memoryUsage().heapUsed)
    trend.push(Math.round(process.memoryUsage.rss() / 2 ** 20))
  }
}
peakRss = Math.max(peakRss, process.memoryUsage.rss())
gc()
peakLiveHeap = Math.max(peakLiveHeap, process.memoryUsage().heapUsed)
const bound = baselineRss + cap * entryBytes + HEADROOM
process.stdout.write(
  JSON.stringify({
    cache: which,
    tokens: total,
    maxEntries: cap,
    size: size(),
    entryBytes,
    baselineRss,
    baselineHeap,
    peakRss,
    bound,
    peakLiveHeap,
    liveBound,
    trend,
    ok: size() === cap && peakRss <= bound && peakLiveHeap <= liveBound,
  }) + '\n',
)
