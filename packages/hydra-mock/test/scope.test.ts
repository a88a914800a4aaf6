import { describe, expect, it } from 'vitest'
import { firstDisallowedAudience, splitSpaces, wildcardScopeMatch } from '../src/scope.js'

describe('wildcardScopeMatch (Hydra’s default scope strategy)', () => {
  it.each([
    [['read'], 'read', true],
    [['read'], 'write', false],
    [['photos.*'], 'photos.read', true],
    [['photos.*'], 'photos.read.own', true],
    [['photos.*'], 'photos', false],
    [['photos.*.own'], 'photos.read.own', true],
    [['photos.*.own'], 'photos.read.all', false],
    [['*'], 'anything', true],
    [['*'], '.x', false],
    [['photos.read'], 'photos.read.own', false],
  ])('%j allows %s: %s', (granted, needle, expected) => {
    expect(wildcardScopeMatch(granted, needle)).toBe(expected)
  })
})

describe('firstDisallowedAudience (fosite’s audience matching)', () => {
  const allowed = ['https://api.example.com/orders', 'my-api']
  it.each([
    ['https://api.example.com/orders', undefined],
    ['https://api.example.com/orders/', undefined],
    ['https://api.example.com/orders/read', undefined],
    ['https://api.example.com/ordersx', 'https://api.example.com/ordersx'],
    ['https://api.example.com', 'https://api.example.com'],
    ['http://api.example.com/orders', 'http://api.example.com/orders'],
    ['https://evil.com/orders', 'https://evil.com/orders'],
    ['my-api', undefined],
    ['my-api/sub', undefined],
    ['my-apix', 'my-apix'],
  ])('%s → %s', (requested, expected) => {
    expect(firstDisallowedAudience(allowed, [requested])).toBe(expected)
  })
})

describe('splitSpaces', () => {
  it('drops empty items and duplicates', () => {
    expect(splitSpaces(' a  b a ')).toEqual(['a', 'b'])
    expect(splitSpaces(null)).toEqual([])
  })
})
