import { hash } from 'node:crypto'
import { LRUCache } from 'lru-cache'
import type { AuthInfo } from '../auth-info.js'

/** Default number of verified JWTs kept by a {@link JwtResultCache}. */
export const DEFAULT_JWT_RESULT_CACHE_ENTRIES = 10_000

/** Tokens up to this many characters are keyed by their end; longer ones by their SHA-256. */
export const RAW_KEY_MAX_LENGTH = 2048

/** How many of a token's last characters (its signature's end) key it. */
const TAIL_KEY_LENGTH = 43

/**
 * When a verified token enters the cache: `'repeat'` the second time it is verified within the
 * doorkeeper's window, `'always'` the first time. See {@link JwtResultCache}.
 */
export type JwtCacheAdmission = 'repeat' | 'always'

/** One verified token. */
export interface JwtResultEntry<Key extends object> {
  /** The (frozen) result handed out on every hit. */
  readonly info: AuthInfo
  /** The key that verified the signature: the entry is only valid while that key is. */
  readonly key: Key
  /** Epoch milliseconds after which the entry is never served (at most `exp`). */
  readonly expiresAt: number
}

// Doorkeeper: a Bloom filter of 16 bits per cache entry (at least 1024) with two probes, cleared
// after `maxEntries` first sightings, so at most ~1.4 % of never-seen tokens are taken for a repeat
// (and merely cached).
const MIN_DOOR_BITS = 1 << 10

/**
 * Successful JWT verifications, bounded by entry count with LRU eviction. An entry is served only
 * before its `expiresAt`; {@link retainKeys} drops every entry whose signing key is no longer trusted.
 *
 * Keys ({@link keyOf}): a token of up to {@link RAW_KEY_MAX_LENGTH} characters is keyed by its
 * last 43 characters (the end of its signature: cheap to hash, unlike the whole 700-character
 * string that arrives fresh with every request); a longer one by `"\0"` + its SHA-256. Every entry
 * holds its token (`info.token`), and {@link get} serves it only to that exact token, so no input
 * can name another token's entry (a 43-character tail never equals a 44-character digest key
 * either). Why this is safe without hashing the token:
 * - A hit needs the whole token to be equal, so nothing an attacker can send is served another
 *   token's entry. A forged token that copies a cached token's signature end finds that entry,
 *   is not served it, and goes on to fail verification; it never replaces the entry, because only
 *   tokens that verified are inserted. Two honest tokens whose signatures end alike (over 250 bits
 *   of key) would only take turns in one slot.
 * - Only tokens whose signature and claims passed are inserted, so an attacker cannot fill the
 *   cache with junk. The entry's result holds the token (as it always did: `AuthInfo.token`).
 * - This cache never leaves the process (Redis and other shared stores key by SHA-256 only). A
 *   process whose memory can be read has already given away every token in flight and the
 *   verifier's own credentials, so holding the strings a little longer adds no new exposure.
 * It saves the SHA-256 of every request (~1.5 µs of ~2 µs on a cache hit), and hashing a fresh
 * 700-character string for the lookup (~1 µs).
 *
 * Admission ({@link JwtCacheAdmission}): with `'repeat'`, a token enters the cache the second time
 * it is verified within the doorkeeper's window (a Bloom filter of 16 bits per entry and two probes
 * over the token's last characters, its signature; cleared every `maxEntries` first sightings). A token
 * that comes back only after more than `maxEntries` others would have been evicted before its
 * next use anyway, so it is not admitted; a stream of tokens that never repeat costs no insertion,
 * eviction or garbage; a reused token pays one extra verification.
 * The doorkeeper is only consulted for tokens that verified, so it decides nothing but caching.
 *
 * Expiry is checked against `Date.now()` on read, the same clock jose uses for `exp`.
 */
export class JwtResultCache<Key extends object> {
  private readonly entries: LRUCache<string, JwtResultEntry<Key>>
  private readonly door: Uint32Array | undefined
  private readonly doorMask: number
  private readonly doorWindow: number
  private doorMarks = 0

  /**
   * @param maxEntries - positive integer; the least recently used entry is evicted beyond it.
   * @param admission - see {@link JwtCacheAdmission}. Default `'repeat'`.
   */
  constructor(maxEntries: number, admission: JwtCacheAdmission = 'repeat') {
    this.entries = new LRUCache({ max: maxEntries })
    let bits = MIN_DOOR_BITS
    while (bits < maxEntries * 16 && bits < 2 ** 30) bits *= 2
    this.door = admission === 'repeat' ? new Uint32Array(bits >>> 5) : undefined
    this.doorMask = bits - 1
    this.doorWindow = maxEntries
  }

  /** The cache key of `token` (see the class description). */
  static keyOf(token: string): string {
    if (token.length <= RAW_KEY_MAX_LENGTH) return token.slice(-TAIL_KEY_LENGTH)
    return '\0' + hash('sha256', token, 'base64url')
  }

  /**
   * The entry for `key` if it was stored for this very `token` and is still before its expiry at
   * `now` (epoch ms); an expired entry is dropped.
   */
  get(key: string, token: string, now: number): JwtResultEntry<Key> | undefined {
    const entry = this.entries.get(key)
    if (entry === undefined || entry.info.token !== token) return undefined
    if (now >= entry.expiresAt) {
      this.entries.delete(key)
      return undefined
    }
    return entry
  }

  /**
   * Stores a verified result, subject to admission: `false` when the doorkeeper saw `key` for the
   * first time (nothing stored).
   */
  set(key: string, entry: JwtResultEntry<Key>): boolean {
    const door = this.door
    if (door !== undefined) {
      const h = doorHash(key)
      const a = h & this.doorMask
      const b = (Math.imul(h, 0x9e3779b1) >>> 7) & this.doorMask
      const seen = (door[a >>> 5]! & (1 << (a & 31))) !== 0 && (door[b >>> 5]! & (1 << (b & 31))) !== 0
      if (!seen) {
        if (++this.doorMarks > this.doorWindow) {
          door.fill(0)
          this.doorMarks = 1
        }
        door[a >>> 5]! |= 1 << (a & 31)
        door[b >>> 5]! |= 1 << (b & 31)
        return false
      }
    }
    this.entries.set(key, entry)
    return true
  }

  /** Removes one entry. */
  delete(key: string): void {
    this.entries.delete(key)
  }

  /** Drops every entry whose signing key is not in `trusted`. Returns how many were dropped. */
  retainKeys(trusted: ReadonlySet<Key>): number {
    const doomed: string[] = []
    for (const [key, entry] of this.entries.entries()) {
      if (!trusted.has(entry.key)) doomed.push(key)
    }
    for (const key of doomed) this.entries.delete(key)
    return doomed.length
  }

  /** Number of entries held (expired ones included until read or evicted). */
  get size(): number {
    return this.entries.size
  }

  /** Drops everything (the doorkeeper's memory too). */
  clear(): void {
    this.entries.clear()
    this.door?.fill(0)
    this.doorMarks = 0
  }
}

/** The doorkeeper's hash of `key`: FNV-1a over its last 16 characters (the signature's end). */
function doorHash(key: string): number {
  let h = 0x811c9dc5
  for (let i = Math.max(0, key.length - 16); i < key.length; i++) {
    h = Math.imul(h ^ key.charCodeAt(i), 0x01000193)
  }
  return h >>> 0
}
