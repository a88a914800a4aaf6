import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { createMemoryCacheStore } from '../../src/cache/memory-store.js'

describe('createMemoryCacheStore', () => {
  it('stores, returns and deletes JSON values, including null and false', async () => {
    const store = createMemoryCacheStore()
    await store.set('a', { active: false }, 10_000)
    await store.set('b', null, 10_000)
    await store.set('c', false, 10_000)
    expect(await store.get('a')).toEqual({ active: false })
    expect(await store.get('b')).toBeNull()
    expect(await store.get('c')).toBe(false)
    expect(await store.get('missing')).toBeUndefined()
    await store.delete('a')
    expect(await store.get('a')).toBeUndefined()
    expect(store.size).toBe(2)
  })

  it('never returns an entry past its TTL', async () => {
    const store = createMemoryCacheStore()
    await store.set('short', 1, 20)
    await store.set('long', 2, 60_000)
    await sleep(80)
    expect(await store.get('short')).toBeUndefined()
    expect(await store.get('long')).toBe(2)
    expect(store.entries()).toEqual([['long', 2]])
  })

  it('ignores a TTL below 1 ms instead of storing forever', async () => {
    const store = createMemoryCacheStore()
    await store.set('zero', 1, 0)
    await store.set('negative', 1, -5)
    await store.set('nan', 1, Number.NaN)
    expect(store.size).toBe(0)
  })

  it('is bounded by maxEntries and evicts the least recently used entry', async () => {
    const store = createMemoryCacheStore({ maxEntries: 2 })
    expect(store.maxEntries).toBe(2)
    await store.set('a', 1, 60_000)
    await store.set('b', 2, 60_000)
    expect(await store.get('a')).toBe(1) // a is now more recently used than b
    await store.set('c', 3, 60_000)
    expect(store.size).toBe(2)
    expect(await store.get('b')).toBeUndefined()
    expect(await store.get('a')).toBe(1)
    expect(await store.get('c')).toBe(3)
  })

  it('defaults to 10 000 entries', () => {
    expect(createMemoryCacheStore().maxEntries).toBe(10_000)
  })

  it('clear() removes everything', async () => {
    const store = createMemoryCacheStore()
    await store.set('a', 1, 60_000)
    await store.clear()
    expect(store.size).toBe(0)
    expect(await store.get('a')).toBeUndefined()
  })

  it.each([0, -1, 1.5, Number.NaN, '10'])(
    'rejects maxEntries %s with a TypeError naming the option',
    (bad) => {
      expect(() => createMemoryCacheStore({ maxEntries: bad as number }, 'cache')).toThrow(
        new TypeError(`cache.maxEntries must be an integer >= 1, got ${String(bad)}`),
      )
    },
  )
})
