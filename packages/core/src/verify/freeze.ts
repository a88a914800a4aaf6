// Results handed out by the verifiers are shared by every cache hit, so they are frozen whole.

/** Freezes a JSON-like value and everything it holds (at most 64 levels deep). */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') freezeTree(value, 0)
  return value
}

// Iterates without allocating (no Object.values): this runs once per verified token.
function freezeTree(value: object, depth: number): void {
  Object.freeze(value)
  if (depth >= 64) return
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) freezeMember(value[i], depth)
    return
  }
  // Own enumerable keys only matter here: the values are parsed JSON and toAuthInfo's result.
  for (const key in value) freezeMember((value as Record<string, unknown>)[key], depth)
}

function freezeMember(member: unknown, depth: number): void {
  if (member !== null && typeof member === 'object' && !Object.isFrozen(member)) freezeTree(member, depth + 1)
}
