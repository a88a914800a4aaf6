// Bounds on the shape of parsed JSON from outside (an introspection answer, a cache entry read
// back from a shared store). JSON.parse accepts any nesting depth, but structuredClone and
// JSON.stringify recurse and throw a RangeError at a few thousand levels; checking here, without
// recursion, keeps such a value from ever reaching them.

/** Limits of {@link checkJsonBounds}. */
export interface JsonBounds {
  /** Deepest nesting of objects and arrays; the top-level object is depth 1. */
  maxDepth: number
  /** Most values in total (every object, array, string, number, boolean and null counts one). */
  maxValues: number
}

/** Claims of an introspection answer: nesting beyond 32 levels has no legitimate use. */
export const CLAIM_BOUNDS: JsonBounds = Object.freeze({ maxDepth: 32, maxValues: 20_000 })

/**
 * Which limit `value` exceeds (`'depth'` or `'size'`), or `undefined` when it is within both. Walks
 * the value iteratively (never overflows the stack) and stops at the first excess, so its cost is
 * bounded by `maxValues` whatever the input.
 */
export function checkJsonBounds(value: unknown, bounds: JsonBounds): 'depth' | 'size' | undefined {
  const stack: Array<[unknown, number]> = [[value, 1]]
  let count = 0
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!
    if (++count > bounds.maxValues) return 'size'
    if (v === null || typeof v !== 'object') continue
    if (depth > bounds.maxDepth) return 'depth'
    const children = Array.isArray(v) ? (v as unknown[]) : Object.values(v)
    if (count + stack.length + children.length > bounds.maxValues) return 'size'
    for (const child of children) stack.push([child, depth + 1])
  }
  return undefined
}
