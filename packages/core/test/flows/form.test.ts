import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { FormBodyError, checkChallenge, formFromParsed, readFormBody } from '../../src/flows/index.js'

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

function stream(...chunks: string[]): Readable {
  return Readable.from(
    chunks.map((c) => Buffer.from(c)),
    { objectMode: false },
  )
}

describe('readFormBody', () => {
  it('parses a urlencoded body, repeated fields and UTF-8', async () => {
    const form = await readFormBody(
      {
        stream: stream('grant_scope=a&grant_scope=b&', 'name=J%C3%BCrgen+M'),
        headers: { ...FORM, 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' },
      },
      1024,
    )
    expect(form.getAll('grant_scope')).toEqual(['a', 'b'])
    expect(form.get('name')).toBe('Jürgen M')
  })

  it('rejects a body over the limit with 413, by Content-Length before reading, or while streaming', async () => {
    const s = stream('a'.repeat(10))
    const declared = readFormBody({ stream: s, headers: { ...FORM, 'content-length': '5000' } }, 100)
    await expect(declared).rejects.toMatchObject({ status: 413, reason: 'body_too_large' })
    const streamed = readFormBody({ stream: stream('a'.repeat(60), 'b'.repeat(60)), headers: FORM }, 100)
    await expect(streamed).rejects.toBeInstanceOf(FormBodyError)
    await expect(
      readFormBody({ stream: stream('a'.repeat(100)), headers: FORM }, 100),
    ).resolves.toBeInstanceOf(URLSearchParams)
  })

  it('415 for other media types and charsets; an empty body without a type is an empty form', async () => {
    for (const type of [
      'application/json',
      'multipart/form-data; boundary=x',
      'text/plain',
      'application/x-www-form-urlencoded; charset=latin1',
    ]) {
      await expect(
        readFormBody({ stream: stream('a=1'), headers: { 'content-type': type } }, 100),
      ).rejects.toMatchObject({
        status: 415,
      })
    }
    const empty = await readFormBody({ stream: stream(), headers: { 'content-length': '0' } }, 100)
    expect([...empty]).toEqual([])
    await expect(
      readFormBody({ stream: stream('a=1'), headers: { 'transfer-encoding': 'chunked' } }, 100),
    ).rejects.toMatchObject({ status: 415 })
  })

  it('400 when the client goes away mid-body, never a hang', async () => {
    const s = new Readable({ read() {} })
    s.push('a=1')
    const pending = readFormBody({ stream: s, headers: FORM }, 100)
    s.destroy()
    await expect(pending).rejects.toMatchObject({ status: 400, reason: 'invalid_request' })
    await expect(readFormBody({ stream: s, headers: FORM }, 100)).rejects.toMatchObject({ status: 400 })
  })

  it('uses the parsed body when a body parser already read the stream', async () => {
    const s = stream('ignored=1')
    for await (const _ of s) void _
    expect(s.readableEnded).toBe(true)
    const form = await readFormBody(
      { stream: s, headers: FORM, parsed: { challenge: 'c', grant_scope: ['a', 'b'] } },
      100,
    )
    expect(form.get('challenge')).toBe('c')
    expect(form.getAll('grant_scope')).toEqual(['a', 'b'])
  })
})

describe('formFromParsed', () => {
  it('keeps strings and string arrays, drops the rest', () => {
    const form = formFromParsed({ a: 'x', b: ['y', 1, 'z'], c: { nested: 'no' }, d: 5 }, 100)
    expect([...form]).toEqual([
      ['a', 'x'],
      ['b', 'y'],
      ['b', 'z'],
    ])
    expect([...formFromParsed(null, 100)]).toEqual([])
    expect([...formFromParsed(['a'], 100)]).toEqual([])
    expect(formFromParsed('a=1&b=2', 100).get('b')).toBe('2')
    expect(formFromParsed(Buffer.from('a=1'), 100).get('a')).toBe('1')
    expect(() => formFromParsed('a'.repeat(101), 100)).toThrow(FormBodyError)
  })
})

describe('checkChallenge', () => {
  it('accepts URL-safe challenges up to the limit, v1 hex and v2 base64url shapes', () => {
    expect(checkChallenge('0123456789abcdef0123456789abcdef', 2048)).toEqual({
      ok: true,
      challenge: '0123456789abcdef0123456789abcdef',
    })
    const v2 = 'A'.repeat(1500) + '_-.~z9'
    expect(checkChallenge(v2, 2048).ok).toBe(true)
  })
  it('missing vs invalid', () => {
    expect(checkChallenge(undefined, 10)).toEqual({ ok: false, reason: 'missing_challenge' })
    expect(checkChallenge(null, 10)).toEqual({ ok: false, reason: 'missing_challenge' })
    expect(checkChallenge('', 10)).toEqual({ ok: false, reason: 'missing_challenge' })
    for (const bad of ['a'.repeat(11), 'a+b', 'a/b', 'a%2F', 'ä', 'a b', 'a\nb', 'a=']) {
      expect(checkChallenge(bad, 10)).toEqual({ ok: false, reason: 'invalid_challenge' })
    }
  })
})
