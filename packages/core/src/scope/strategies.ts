/**
 * A scope strategy decides whether a set of granted scopes (the matchers) satisfies one required
 * scope (the needle). Semantics follow Hydra / fosite, so a token is judged as Hydra judged it when
 * it issued it.
 */
export type ScopeStrategy = (granted: readonly string[], required: string) => boolean

/** Names of the built-in strategies. `wildcard` is Hydra's default (`strategies.scope`). */
export type ScopeStrategyName = 'exact' | 'wildcard' | 'hierarchic'

/** `read` satisfies `read` only. */
export const exactScopeStrategy: ScopeStrategy = (granted, required) => granted.includes(required)

/**
 * Hierarchic: a granted scope satisfies itself and every scope below it, where levels are separated
 * by dots: `photos` satisfies `photos.read` and `photos.read.own`, but `photos.read` does not satisfy
 * `photos`, and `photo` does not satisfy `photos`.
 *
 * Fosite's rule, restated: a granted scope longer than the needle never matches; otherwise the
 * needle's leading segments must equal all of the granted scope's segments.
 */
export const hierarchicScopeStrategy: ScopeStrategy = (granted, required) => {
  let needleParts: string[] | undefined
  for (const g of granted) {
    if (g === required) return true
    if (g.length > required.length) continue
    needleParts ??= required.split('.')
    const parts = g.split('.')
    if (parts.length >= needleParts.length) continue
    let prefix = true
    for (let i = 0; i < parts.length; i++) {
      if (parts[i] !== needleParts[i]) {
        prefix = false
        break
      }
    }
    if (prefix) return true
  }
  return false
}

/**
 * Wildcard (Hydra's default): `*` in a granted scope stands for exactly one non-empty segment, and a
 * trailing `*` also stands for any number of further segments. `foo.*` satisfies `foo.bar` and
 * `foo.bar.baz` but not `foo`; `foo.*.baz` satisfies `foo.bar.baz`; `*` satisfies any scope whose
 * first segment is non-empty; a granted scope without `*` satisfies only itself.
 */
export const wildcardScopeStrategy: ScopeStrategy = (granted, required) => {
  let needleParts: string[] | undefined
  for (const g of granted) {
    if (g === required) return true
    if (!g.includes('*')) continue
    needleParts ??= required.split('.')
    const parts = g.split('.')
    if (parts.length > needleParts.length) continue
    let ok = true
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!
      const n = needleParts[i]!
      const last = i === parts.length - 1
      if (last && parts.length !== needleParts.length && p !== '*') {
        ok = false
        break
      }
      if (p === '*' ? n.length === 0 : p !== n) {
        ok = false
        break
      }
    }
    if (ok) return true
  }
  return false
}

const BY_NAME: Record<ScopeStrategyName, ScopeStrategy> = {
  exact: exactScopeStrategy,
  wildcard: wildcardScopeStrategy,
  hierarchic: hierarchicScopeStrategy,
}

/** Resolves a strategy option (a name or a function); throws a TypeError naming `option` otherwise. */
export function resolveScopeStrategy(
  value: ScopeStrategyName | ScopeStrategy | undefined,
  option = 'scopeStrategy',
  fallback: ScopeStrategyName = 'exact',
): ScopeStrategy {
  if (value === undefined) return BY_NAME[fallback]
  if (typeof value === 'function') return value
  if (typeof value === 'string' && Object.hasOwn(BY_NAME, value)) return BY_NAME[value]
  throw new TypeError(
    `${option} must be 'exact', 'wildcard', 'hierarchic' or a function, got ${JSON.stringify(value)}`,
  )
}
