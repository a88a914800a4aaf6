import { hash } from 'node:crypto'
import { LRUCache } from 'lru-cache'
import type { AuthInfo } from '../auth-info.js'

/** Default number of verified JWTs kept by a {@link JwtResultCache}. */
export const DEFAULT_JWT_RESULT_CACHE_ENTRIES = 10_000

/** One verified token. */
export interface JwtResultEntry<Key extends object> {
  /** The (frozen) result handed out on every hit. */
  readonly info: AuthInfo
  /** The key that verified the signature: the entry is only valid while that key is. */
  readonly key: Key
  /** Epoch milliseconds after which the entry is never served (at most `exp`). */
  readonly expiresAt: number
}

/**
 * Successful JWT verifications, keyed by the SHA-256 of the token (the token itself is never a
 * key), bounded by entry count with LRU eviction. An entry is served only before its `expiresAt`;
 * {@link retainKeys} drops every entry whose signing key is no longer trusted.
 *
 * Expiry is checked against `Date.now()` on read, the same clock jose uses for `exp`.
 */
export class JwtResultCache<Key extends object> {
  private readonly entries: LRUCache<string, JwtResultEntry<Key>>

  /** @param maxEntries - positive integer; the least recently used entry is evicted beyond it. */
  constructor(maxEntries: number) {
    this.entries = new LRUCache({ max: maxEntries })
  }

  /** SHA-256 of the token, base64url: the cache key. */
  static keyOf(token: string): string {
    return hash('sha256', token, 'base64url')
  }

  /** The entry for `tokenHash` if it is still before its expiry at `now` (epoch ms); drops it otherwise. */
  get(tokenHash: string, now: number): JwtResultEntry<Key> | undefined {
    const entry = this.entries.get(tokenHash)
    if (entry === undefined) return undefined
    if (now >= entry.expiresAt) {
      this.entries.delete(tokenHash)
      return undefined
    }
    return entry
  }

  /** Stores a verified result. */
  set(tokenHash: string, entry: JwtResultEntry<Key>): void {
    this.entries.set(tokenHash, entry)
  }

  /** Removes one entry. */
  delete(tokenHash: string): void {
    this.entries.delete(tokenHash)
  }

  /** Drops every entry whose signing key is not in `trusted`. Returns how many were dropped. */
  retainKeys(trusted: ReadonlySet<Key>): number {
    const doomed: string[] = []
    for (const [tokenHash, entry] of this.entries.entries()) {
      if (!trusted.has(entry.key)) doomed.push(tokenHash)
    }
    for (const tokenHash of doomed) this.entries.delete(tokenHash)
    return doomed.length
  }

  /** Number of entries held (expired ones included until read or evicted). */
  get size(): number {
    return this.entries.size
  }

  /** Drops everything. */
  clear(): void {
    this.entries.clear()
  }
}
