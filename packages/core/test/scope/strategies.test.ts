import { describe, expect, it } from 'vitest'
import {
  exactScopeStrategy,
  hierarchicScopeStrategy,
  resolveScopeStrategy,
  wildcardScopeStrategy,
} from '../../src/scope/strategies.js'

// [granted, required, exact, wildcard, hierarchic] — semantics of fosite's strategies.
const table: Array<[string[], string, boolean, boolean, boolean]> = [
  [['read'], 'read', true, true, true],
  [['read'], 'write', false, false, false],
  [[], 'read', false, false, false],
  [['foo'], 'foo.bar', false, false, true],
  [['foo'], 'foo.bar.baz', false, false, true],
  [['foo.bar'], 'foo', false, false, false],
  [['foo'], 'foobar', false, false, false],
  [['foo.*'], 'foo', false, false, false],
  [['foo.*'], 'foo.bar', false, true, false],
  [['foo.*'], 'foo.bar.baz', false, true, false],
  [['foo.*.baz'], 'foo.bar.baz', false, true, false],
  [['foo.*.baz'], 'foo.bar.qux', false, false, false],
  [['foo.*.baz'], 'foo..baz', false, false, false],
  [['*'], 'anything', false, true, false],
  [['*'], 'a.b', false, true, false],
  [['*'], '.a', false, false, false],
  [['foo.*'], 'foo.', false, false, false],
  [['foo.'], 'foo.', true, true, true],
  [['foo'], 'foo.', false, false, true],
  [['foo.bar.'], 'foo.bar', false, false, false],
  [['foo..bar'], 'foo..bar', true, true, true],
  [['photos.read'], 'photos.read.own', false, false, true],
  [['a', 'b.*'], 'b.c', false, true, false],
  [['offline', 'openid'], 'openid', true, true, true],
]

describe('scope strategies (fosite semantics)', () => {
  it.each(table)(
    'granted %j, required %j → exact %s wildcard %s hierarchic %s',
    (granted, required, ex, wc, hi) => {
      expect(exactScopeStrategy(granted, required)).toBe(ex)
      expect(wildcardScopeStrategy(granted, required)).toBe(wc)
      expect(hierarchicScopeStrategy(granted, required)).toBe(hi)
    },
  )

  it('resolves names and functions, and names the option for anything else', () => {
    expect(resolveScopeStrategy('wildcard')).toBe(wildcardScopeStrategy)
    expect(resolveScopeStrategy(undefined)).toBe(exactScopeStrategy)
    const custom = (): boolean => true
    expect(resolveScopeStrategy(custom)).toBe(custom)
    expect(() => resolveScopeStrategy('glob' as never, 'auth.scopeStrategy')).toThrow(/auth\.scopeStrategy/)
    expect(() => resolveScopeStrategy('__proto__' as never)).toThrow(TypeError)
  })
})
