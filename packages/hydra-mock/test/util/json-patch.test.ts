import { describe, expect, it } from 'vitest'
import { applyJsonPatch, JsonPatchError } from '../../src/util/json-patch.js'

describe('applyJsonPatch', () => {
  const doc = { a: 1, list: ['x', 'y'], nested: { 'k/ey': true, 't~x': 2 } }

  it('applies add, remove, replace, move, copy and test without touching the input', () => {
    const out = applyJsonPatch(doc, [
      { op: 'add', path: '/b', value: { c: 1 } },
      { op: 'add', path: '/list/1', value: 'mid' },
      { op: 'add', path: '/list/-', value: 'end' },
      { op: 'remove', path: '/list/0' },
      { op: 'replace', path: '/a', value: 2 },
      { op: 'move', from: '/nested/k~1ey', path: '/moved' },
      { op: 'copy', from: '/nested/t~0x', path: '/copied' },
      { op: 'test', path: '/a', value: 2 },
    ])
    expect(out).toEqual({
      a: 2,
      b: { c: 1 },
      list: ['mid', 'y', 'end'],
      nested: { 't~x': 2 },
      moved: true,
      copied: 2,
    })
    expect(doc.list).toEqual(['x', 'y'])
  })

  it.each([
    ['not an array', { op: 'add' }],
    ['an unknown op', [{ op: 'merge', path: '/a', value: 1 }]],
    ['a missing path', [{ op: 'remove', path: '/nope' }]],
    ['replace of a missing path', [{ op: 'replace', path: '/nope', value: 1 }]],
    ['a failed test', [{ op: 'test', path: '/a', value: 3 }]],
    ['an index out of range', [{ op: 'add', path: '/list/5', value: 1 }]],
    ['a path without slash', [{ op: 'add', path: 'a', value: 1 }]],
    ['add without value', [{ op: 'add', path: '/z' }]],
    ['prototype pollution', [{ op: 'add', path: '/__proto__/x', value: 1 }]],
  ])('throws JsonPatchError for %s', (_name, patch) => {
    expect(() => applyJsonPatch(doc, patch)).toThrow(JsonPatchError)
  })
})
