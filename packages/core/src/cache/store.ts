/**
 * A JSON value: what a {@link CacheStore} may hold, so that a store backed by Redis (or anything
 * that serializes) behaves exactly like the in-memory one.
 */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }

/**
 * An asynchronous key/value store with a per-entry time to live, used for verification caches.
 *
 * The interface is deliberately small and promise-based so that a shared store (Redis, Memcached)
 * can be added later as a second tier behind the per-process memory store. Contract:
 *
 * - Keys are opaque strings chosen by the caller (hydrakit uses a prefix plus a SHA-256 hash of the
 *   token; see `tokenCacheKey`). A store must not interpret them.
 * - Values are JSON-serializable ({@link JsonValue}). A store may serialize them; callers must not
 *   rely on getting the same object identity back, and must not mutate what `get` returns.
 * - `get` resolves to `undefined` for a missing or expired entry; it never returns an entry past its
 *   TTL.
 * - A store may fail (reject). hydrakit treats a failed `get` as a miss and a failed `set`/`delete`
 *   as a no-op, so a broken cache never fails a request.
 *
 * @typeParam V - the value type the caller stores.
 */
export interface CacheStore<V extends JsonValue = JsonValue> {
  /** Resolves to the stored value, or `undefined` when there is none or it expired. */
  get(key: string): Promise<V | undefined>
  /**
   * Stores `value` under `key` for `ttlMs` milliseconds (a positive integer), replacing any previous
   * value.
   */
  set(key: string, value: V, ttlMs: number): Promise<void>
  /** Removes the entry, if any. */
  delete(key: string): Promise<void>
  /**
   * Optional: what `get` would resolve to, returned at once, for a store that holds its entries in
   * this process (the memory store). The introspection verifier then answers cache hits without a
   * promise. A store that needs I/O leaves it out.
   */
  getSync?(key: string): V | undefined
}
