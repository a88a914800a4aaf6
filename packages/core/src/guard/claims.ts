import type { AuthInfo } from '../auth-info.js'
import { ClaimCheckError } from '../errors/errors.js'

/** A primitive a claim must equal. */
export type ClaimValue = string | number | boolean | null

/**
 * How one claim is checked:
 * - a primitive: the claim must equal it (`===`);
 * - `{ equals }`: the same, spelled out;
 * - `{ includes }`: the claim is an array containing the value, or a space-separated string containing it as a word;
 * - `{ oneOf }`: the claim equals one of the values;
 * - a function: called with the claim's value and all claims; must return `true`.
 */
export type ClaimMatcher =
  | ClaimValue
  | { equals: ClaimValue }
  | { includes: ClaimValue }
  | { oneOf: readonly ClaimValue[] }
  | ((value: unknown, claims: Record<string, unknown>) => boolean)

/** Claim name → matcher. Names are read from the raw claims (`auth.claims`); `ext.foo` reads `ext`'s `foo`. */
export type ClaimRequirements = Record<string, ClaimMatcher>

/** Checks an {@link AuthInfo}'s claims; throws {@link ClaimCheckError} (403) naming the first claim that fails. */
export type ClaimCheck = (auth: AuthInfo, realm: string) => void

type Compiled = {
  name: string
  path: readonly string[]
  test: (value: unknown, claims: Record<string, unknown>) => boolean
}

function isPrimitive(v: unknown): v is ClaimValue {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
}

function compile(name: string, matcher: ClaimMatcher, option: string): Compiled {
  const path = Object.freeze(name.split('.'))
  if (name === '' || path.some((p) => p === ''))
    throw new TypeError(`${option}: claim name ${JSON.stringify(name)} is empty or has an empty segment`)
  if (typeof matcher === 'function') {
    return { name, path, test: (v, c) => matcher(v, c) === true }
  }
  if (isPrimitive(matcher)) return { name, path, test: (v) => v === matcher }
  if (typeof matcher === 'object' && matcher !== null) {
    if ('equals' in matcher && isPrimitive(matcher.equals)) {
      const want = matcher.equals
      return { name, path, test: (v) => v === want }
    }
    if ('includes' in matcher && isPrimitive(matcher.includes)) {
      const want = matcher.includes
      return {
        name,
        path,
        test: (v) =>
          Array.isArray(v)
            ? v.includes(want)
            : typeof v === 'string' && typeof want === 'string' && v.split(' ').includes(want),
      }
    }
    if ('oneOf' in matcher && Array.isArray(matcher.oneOf) && matcher.oneOf.every(isPrimitive)) {
      const set = new Set<unknown>(matcher.oneOf)
      return { name, path, test: (v) => isPrimitive(v) && set.has(v) }
    }
  }
  throw new TypeError(
    `${option}.${name} must be a primitive, { equals }, { includes }, { oneOf: [...] } or a function`,
  )
}

function read(claims: Record<string, unknown>, path: readonly string[]): unknown {
  let cur: unknown = claims
  for (const key of path) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, key)) return undefined
    cur = (cur as Record<string, unknown>)[key]
  }
  return cur
}

/** Builds a claim check from requirements, validating them now. Own properties only: `__proto__` tricks read nothing. */
export function createClaimCheck(requirements: ClaimRequirements, option = 'claims'): ClaimCheck {
  if (requirements === null || typeof requirements !== 'object' || Array.isArray(requirements)) {
    throw new TypeError(`${option} must be an object of claim name → matcher`)
  }
  const compiled = Object.entries(requirements).map(([name, m]) => compile(name, m, option))
  if (compiled.length === 0) throw new TypeError(`${option} must name at least one claim`)
  return (auth, realm) => {
    for (const c of compiled) {
      if (!c.test(read(auth.claims, c.path), auth.claims)) throw new ClaimCheckError(c.name, { realm })
    }
  }
}
