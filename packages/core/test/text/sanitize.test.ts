import { describe, expect, it } from 'vitest'
import { DEFAULT_SANITIZED_LENGTH, sanitizeText, TRUNCATION_MARK } from '../../src/text/sanitize.js'

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/

describe('sanitizeText', () => {
  it('keeps printable ASCII as it is', () => {
    const all = Array.from({ length: 0x5f }, (_, i) => String.fromCharCode(0x20 + i))
      .join('')
      .replace('\\', '')
    expect(sanitizeText(all)).toBe(all)
    expect(sanitizeText('')).toBe('')
  })

  it('escapes what could forge a log line, drive a terminal or reorder the text', () => {
    expect(sanitizeText('a\r\n2026-01-01 ERROR forged')).toBe('a\\r\\n2026-01-01 ERROR forged')
    expect(sanitizeText('a\u2028b\u2029c')).toBe('a\\u2028b\\u2029c')
    expect(sanitizeText('\u001b[2J\u001b[31mred\u0007')).toBe('\\x1b[2J\\x1b[31mred\\x07')
    expect(sanitizeText('user\u202egnp.exe')).toBe('user\\u202egnp.exe')
    expect(sanitizeText('\u2066\u2067\u2068\u2069\u200e\u200f\u061c')).toBe(
      '\\u2066\\u2067\\u2068\\u2069\\u200e\\u200f\\u061c',
    )
    expect(sanitizeText('tab\there\u0000nul\u007fdel\u0085nel')).toBe('tab\\there\\x00nul\\x7fdel\\x85nel')
    expect(sanitizeText('café 😀 \ud800 lone')).toBe('caf\\xe9 \\ud83d\\ude00 \\ud800 lone')
  })

  it('doubles the backslash so escapes in the input cannot pass for ours', () => {
    expect(sanitizeText('a\\nb')).toBe('a\\\\nb')
    expect(sanitizeText('a\nb')).not.toBe(sanitizeText('a\\nb'))
  })

  it('returns printable ASCII for every UTF-16 code unit', () => {
    let all = ''
    for (let c = 0; c < 0x10000; c++) all += String.fromCharCode(c)
    const out = sanitizeText(all, 1_000_000)
    expect(out).toMatch(PRINTABLE_ASCII)
    expect(out.endsWith('\\uffff')).toBe(true)
  })

  it('bounds the length, mark included, and shows the cut', () => {
    expect(DEFAULT_SANITIZED_LENGTH).toBe(200)
    const long = sanitizeText('x'.repeat(10_000))
    expect(long).toBe('x'.repeat(200 - TRUNCATION_MARK.length) + TRUNCATION_MARK)
    expect(sanitizeText('x'.repeat(200))).toBe('x'.repeat(200))
    expect(sanitizeText('x'.repeat(201))).toHaveLength(200)
    expect(sanitizeText('abcdefghij'.repeat(3), 20)).toBe('abcdef' + TRUNCATION_MARK)
  })

  it('never cuts an escape in half, and counts escapes in the length', () => {
    for (let max = TRUNCATION_MARK.length + 1; max < 60; max++) {
      const out = sanitizeText('\n\u202e'.repeat(40), max)
      expect(out.length).toBeLessThanOrEqual(max)
      expect(out.endsWith(TRUNCATION_MARK)).toBe(true)
      expect(out.slice(0, -TRUNCATION_MARK.length)).toMatch(/^(\\n|\\u202e)*$/)
    }
    // Escaped text that fits exactly is not marked.
    expect(sanitizeText('\n'.repeat(10), 20)).toBe('\\n'.repeat(10))
    expect(sanitizeText('\n'.repeat(11), 20)).toBe('\\n'.repeat(3) + TRUNCATION_MARK)
  })

  it('describes a non-string without calling it', () => {
    const hostile = {
      toString() {
        throw new Error('called')
      },
    }
    expect(sanitizeText(hostile)).toBe('[object]')
    expect(sanitizeText(() => 1)).toBe('[function]')
    expect(sanitizeText(Symbol('x'))).toBe('[symbol]')
    expect(sanitizeText(null)).toBe('null')
    expect(sanitizeText(undefined)).toBe('undefined')
    expect(sanitizeText(42)).toBe('42')
    expect(sanitizeText(10n)).toBe('10')
    expect(sanitizeText(true)).toBe('true')
  })

  it('refuses a maxLength that leaves no room for the mark, naming it', () => {
    for (const bad of [0, TRUNCATION_MARK.length, 20.5, Number.NaN, Infinity, '20' as unknown as number]) {
      expect(() => sanitizeText('x', bad)).toThrow(TypeError)
      expect(() => sanitizeText('x', bad)).toThrow(/maxLength/)
    }
  })
})
