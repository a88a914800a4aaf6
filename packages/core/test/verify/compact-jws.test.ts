import { describe, expect, it } from 'vitest'
import { decodeCompactPayload, parseCompactJws } from '../../src/verify/compact-jws.js'

// Decoded JOSE headers are remembered by their exact text (every token one key signs shares it).

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')
const token = (header: unknown, payload: unknown = { sub: 'a' }): string =>
  `${b64(header)}.${b64(payload)}.c2ln`

describe('parseCompactJws: remembered headers', () => {
  it('tokens sharing a header segment share one frozen header object; their payloads stay their own', () => {
    const header = { alg: 'RS256', kid: 'memo-1', typ: 'JWT', x: { nested: [1] } }
    const a = token(header, { sub: 'alice' })
    const b = token(header, { sub: 'bob' })
    const ja = parseCompactJws(a)!
    const jb = parseCompactJws(b)!
    expect(ja.header).toEqual(header)
    expect(jb.header).toBe(ja.header)
    expect(Object.isFrozen(ja.header)).toBe(true)
    expect(Object.isFrozen(ja.header.x)).toBe(true)
    expect(() => {
      ja.header.alg = 'none'
    }).toThrow(TypeError)
    expect(parseCompactJws(a)!.header.alg).toBe('RS256')
    expect(decodeCompactPayload(a, ja)).toEqual({ sub: 'alice' })
    expect(decodeCompactPayload(b, jb)).toEqual({ sub: 'bob' })
  })

  it('a different header text is decoded on its own, even when it decodes to almost the same JSON', () => {
    const one = parseCompactJws(token({ alg: 'RS256', kid: 'k' }))!
    const other = parseCompactJws(token({ kid: 'k', alg: 'ES256' }))!
    expect(one.header.alg).toBe('RS256')
    expect(other.header.alg).toBe('ES256')
  })

  it('through a stream of 1000 made-up headers (the memo starting over) every answer stays right', () => {
    const first = token({ alg: 'RS256', kid: 'stream-0' })
    for (let i = 0; i < 1000; i++) {
      const t = token({ alg: 'RS256', kid: `stream-${i}` })
      expect(parseCompactJws(t)!.header.kid).toBe(`stream-${i}`)
    }
    expect(parseCompactJws(first)!.header.kid).toBe('stream-0')
  })

  it('headers that do not decode are refused every time (nothing remembered for them)', () => {
    const bad = `${Buffer.from('{"alg":').toString('base64url')}.${b64({})}.c2ln`
    expect(parseCompactJws(bad)).toBeUndefined()
    expect(parseCompactJws(bad)).toBeUndefined()
    const array = `${b64(['RS256'])}.${b64({})}.c2ln`
    expect(parseCompactJws(array)).toBeUndefined()
  })

  it('a long header is decoded but not shared', () => {
    const header = { alg: 'RS256', kid: 'k'.repeat(600) }
    const a = parseCompactJws(token(header))!
    const b = parseCompactJws(token(header))!
    expect(a.header).toEqual(header)
    expect(b.header).not.toBe(a.header)
  })
})

describe('decodeCompactPayload: nesting depth', () => {
  const payload = (claims: unknown): Record<string, unknown> | undefined => {
    const t = token({ alg: 'RS256' }, claims)
    return decodeCompactPayload(t, parseCompactJws(t)!)
  }
  const nested = (levels: number): unknown => {
    let value: unknown = 'x'
    for (let i = 0; i < levels; i++) value = [value]
    return value
  }

  it('many brackets, shallow nesting: accepted (counting brackets alone would refuse it)', () => {
    const claims = { roles: Array.from({ length: 100 }, (_, i) => ({ id: i, tags: [] })) }
    expect(payload(claims)).toEqual(claims)
  })

  it('32 levels pass, 33 are refused, brackets inside strings do not count', () => {
    expect(payload({ deep: nested(31) })).toBeDefined()
    expect(payload({ deep: nested(32) })).toBeUndefined()
    expect(payload({ deep: nested(20), note: '{['.repeat(500) })).toBeDefined()
    expect(payload({ deep: nested(31), note: ']}'.repeat(500) })).toBeDefined()
  })
})
