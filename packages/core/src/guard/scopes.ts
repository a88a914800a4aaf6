import type { AuthInfo } from '../auth-info.js'
import { InsufficientScopeError } from '../errors/errors.js'
import { resolveScopeStrategy, type ScopeStrategy, type ScopeStrategyName } from '../scope/strategies.js'

/** Options of a scope requirement. */
export interface ScopeCheckOptions {
  /**
   * How granted scopes satisfy a required one. Default `'exact'`. Use `'wildcard'` to judge scopes
   * as Hydra's default `strategies.scope` does (`foo.*` grants `foo.bar`), or `'hierarchic'`.
   */
  scopeStrategy?: ScopeStrategyName | ScopeStrategy | undefined
}

/** Checks an {@link AuthInfo}'s scopes; throws {@link InsufficientScopeError} (403) when they fall short. */
export type ScopeCheck = (auth: AuthInfo, realm: string) => void

// RFC 6749 §3.3 scope-token: 1*( %x21 / %x23-5B / %x5D-7E )
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/

/** Validates required scopes now; a TypeError names `option` when one is not an RFC 6749 scope-token. */
export function normalizeRequiredScopes(
  scopes: string | readonly string[],
  option: string,
): readonly string[] {
  const list: readonly unknown[] = typeof scopes === 'string' ? [scopes] : scopes
  if (!Array.isArray(list) || list.length === 0) {
    throw new TypeError(`${option} must be a scope or a non-empty array of scopes`)
  }
  for (const s of list) {
    if (typeof s !== 'string' || !SCOPE_TOKEN.test(s)) {
      throw new TypeError(
        `${option} contains ${JSON.stringify(s)}, which is not a valid scope (RFC 6749 §3.3)`,
      )
    }
  }
  return Object.freeze([...(list as readonly string[])])
}

/**
 * Builds a scope check: `all` requires every scope (`requireScopes`), `any` at least one
 * (`requireAnyScope`). Everything is validated and resolved once, here.
 */
export function createScopeCheck(
  required: string | readonly string[],
  mode: 'all' | 'any',
  options: ScopeCheckOptions = {},
  option = 'scopes',
): ScopeCheck {
  const scopes = normalizeRequiredScopes(required, option)
  const strategy = resolveScopeStrategy(options.scopeStrategy, 'scopeStrategy')
  if (mode === 'all') {
    return (auth, realm) => {
      for (const s of scopes) {
        if (!strategy(auth.scopes, s)) throw new InsufficientScopeError(scopes, 'all', { realm })
      }
    }
  }
  if (mode !== 'any') throw new TypeError(`mode must be 'all' or 'any'`)
  return (auth, realm) => {
    for (const s of scopes) if (strategy(auth.scopes, s)) return
    throw new InsufficientScopeError(scopes, 'any', { realm })
  }
}
