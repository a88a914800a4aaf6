import { describe, expect, it } from 'vitest'
import { checkJsonBounds } from '../../src/verify/json-bounds.js'

const nest = (depth: number): unknown => {
  let v: unknown = 1
  for (let i = 0; i < depth; i++) v = i % 2 === 0 ? { a: v } : [v]
  return v
}

describe('checkJsonBounds', () => {
  it('counts the top-level object as depth 1', () => {
    expect(checkJsonBounds(nest(3), { maxDepth: 3, maxValues: 100 })).toBeUndefined()
    expect(checkJsonBounds(nest(4), { maxDepth: 3, maxValues: 100 })).toBe('depth')
    expect(checkJsonBounds('x', { maxDepth: 1, maxValues: 1 })).toBeUndefined()
  })

  it('walks 100,000 levels without overflowing the stack', () => {
    expect(checkJsonBounds(nest(100_000), { maxDepth: 32, maxValues: 1_000_000 })).toBe('depth')
  })

  it('counts every value, and stops before walking a huge array', () => {
    expect(checkJsonBounds([1, 2, 3], { maxDepth: 5, maxValues: 4 })).toBeUndefined()
    expect(checkJsonBounds([1, 2, 3, 4], { maxDepth: 5, maxValues: 4 })).toBe('size')
    expect(checkJsonBounds({ a: new Array(1e6).fill(0) }, { maxDepth: 5, maxValues: 10 })).toBe('size')
  })
})
