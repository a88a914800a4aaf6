import { describe, expect, it } from 'vitest'
import { formEncode } from '../../src/text/form-encode.js'

const reference = (value: string): string => new URLSearchParams({ v: value }).toString().slice(2)

describe('formEncode', () => {
  it('encodes every UTF-16 code unit as URLSearchParams does (lone surrogates included)', () => {
    for (let c = 0; c < 0x10000; c++) {
      const value = `a${String.fromCharCode(c)}b`
      expect(formEncode(value)).toBe(reference(value))
    }
  })

  it('tokens, spaces, pairs and mixed text', () => {
    for (const value of [
      'ory_at_abc.DEF-ghi~jkl',
      "a!b'c(d)e*f~g",
      'two words & more=yes',
      'emoji 🔑 pair',
      '\ud800 lone high, lone low \udc00',
      '',
    ]) {
      expect(formEncode(value)).toBe(reference(value))
    }
  })
})
