// RFC 6750 §2: "Clients MUST NOT use more than one method to transmit the token in each request."
// The standard methods count whether or not they are enabled, and a header list Node cut short
// (so a second Authorization header may be hidden) is refused.
import { createServer, type IncomingMessage } from 'node:http'
import { connect, type AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { InvalidRequestError } from '../../src/errors/errors.js'
import {
  createTokenExtractor,
  type RequestLike,
  type TokenExtractionOptions,
} from '../../src/token/extract.js'

const form = { 'content-type': 'application/x-www-form-urlencoded' }

/** The refusal's reason, or the token when the request was accepted. */
function outcome(options: TokenExtractionOptions, req: RequestLike): string | undefined {
  try {
    return createTokenExtractor(options)(req, 'api')
  } catch (e) {
    if (e instanceof InvalidRequestError) return `refused: ${e.reason}`
    throw e
  }
}

describe('a header token plus access_token elsewhere', () => {
  const header = { authorization: 'Bearer a' }

  it.each<[string, TokenExtractionOptions]>([
    ['defaults (query and body off)', {}],
    ['query and body on', { query: true, body: true }],
    ['a cookie configured', { cookie: 'at' }],
  ])('is refused in the query with %s', (_name, options) => {
    for (const url of [
      '/x?access_token=b',
      '/x?y=1&access_token=a', // the same token twice is still two methods
      '/x?access_token=', // present but empty
      '/x?access_token', // present without a value
      '/x?%61ccess_token=b', // a percent-encoded name decodes to access_token
      '/x?access%5Ftoken=b',
      '/x?access_token=b&access_token=c',
    ]) {
      expect(outcome(options, { method: 'GET', url, headers: header }), url).toMatch(/^refused: /)
    }
  })

  it.each<[string, TokenExtractionOptions]>([
    ['defaults', {}],
    ['body on', { body: true }],
  ])('is refused in a form body with %s, for every method', (_name, options) => {
    for (const method of ['POST', 'PUT', 'GET', 'DELETE']) {
      for (const value of ['b', 'a', '', undefined, ['b', 'c'], { x: 'b' }]) {
        const req = { method, headers: { ...header, ...form }, body: { access_token: value } }
        expect(outcome(options, req), `${method} ${JSON.stringify(value)}`).toMatch(/^refused: /)
      }
    }
  })

  it('the refusal is 400 invalid_request, "token sent by more than one method"', () => {
    try {
      createTokenExtractor()({ method: 'GET', url: '/x?access_token=b', headers: header }, 'api')
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidRequestError)
      const err = e as InvalidRequestError
      expect([err.status, err.reason, err.description]).toEqual([
        400,
        'multiple_methods',
        'token sent by more than one method',
      ])
    }
  })

  it('other parameters, other names and JSON bodies are not a second method', () => {
    const ok = (req: Partial<RequestLike>): void => {
      expect(outcome({}, { method: 'POST', ...req, headers: { ...header, ...req.headers } })).toBe('a')
    }
    ok({ url: '/x?token=b&access_token_hint=c&my_access_token=d' })
    ok({ url: '/x?q=100%25' })
    ok({ url: '/x', headers: { 'content-type': 'application/json' }, body: { access_token: 'b' } })
    ok({ url: '/x', headers: form, body: { other: 'b' } })
    ok({ url: '/x', headers: form, body: Object.create({ access_token: 'inherited' }) as object })
  })

  it('without a token anywhere else a disabled method is simply not read', () => {
    expect(outcome({}, { method: 'GET', url: '/x?access_token=b', headers: {} })).toBeUndefined()
    expect(outcome({}, { method: 'POST', headers: form, body: { access_token: 'b' } })).toBeUndefined()
  })
})

describe('a Bearer header counts even when header extraction is off', () => {
  it('refuses a cookie, query or body token next to a Bearer header', () => {
    const bearer = { authorization: 'Bearer a' }
    expect(
      outcome({ header: false, cookie: 'at' }, { method: 'GET', headers: { ...bearer, cookie: 'at=b' } }),
    ).toBe('refused: multiple_methods')
    expect(
      outcome({ header: false, query: true }, { method: 'GET', url: '/?access_token=b', headers: bearer }),
    ).toBe('refused: multiple_methods')
    expect(
      outcome(
        { header: false, body: true },
        { method: 'POST', headers: { ...bearer, ...form }, body: { access_token: 'b' } },
      ),
    ).toBe('refused: multiple_methods')
  })

  it('another scheme in Authorization is not a token method', () => {
    const req = { method: 'GET', headers: { authorization: 'Basic YTpi', cookie: 'at=b' } }
    expect(outcome({ header: false, cookie: 'at' }, req)).toBe('b')
    expect(
      outcome(
        { header: false, cookie: 'at' },
        { ...req, headers: { ...req.headers, authorization: 'Bearerx' } },
      ),
    ).toBe('b')
  })
})

describe('a cookie token next to access_token in the query or body', () => {
  it('is refused although query and body are off', () => {
    expect(
      outcome({ cookie: 'at' }, { method: 'GET', url: '/?access_token=b', headers: { cookie: 'at=a' } }),
    ).toBe('refused: multiple_methods')
    expect(
      outcome(
        { cookie: 'at' },
        { method: 'POST', headers: { ...form, cookie: 'at=a' }, body: { access_token: 'b' } },
      ),
    ).toBe('refused: multiple_methods')
  })
})

describe('a header list Node cut short', () => {
  const filler = (n: number): string[] => Array.from({ length: n }, (_, i) => [`x-f${i}`, '1']).flat()
  const req = (raw: string[], socket?: object): RequestLike => ({
    method: 'GET',
    headers: { authorization: 'Bearer a' },
    rawHeaders: ['Authorization', 'Bearer a', ...raw],
    socket,
  })

  it('is refused at Node’s default limit of 1000 lines when the server is unknown', () => {
    expect(outcome({}, req(filler(998)))).toBe('a') // 999 lines
    expect(outcome({}, req(filler(999)))).toBe('refused: malformed_header') // 1000 lines
    expect(outcome({}, req(filler(1500)))).toBe('refused: malformed_header')
  })

  it('follows the server’s maxHeadersCount (null = Node’s default, 0 = no limit)', () => {
    const server = (maxHeadersCount: unknown): object => ({ server: { maxHeadersCount } })
    expect(outcome({}, req(filler(48), server(50)))).toBe('a')
    expect(outcome({}, req(filler(49), server(50)))).toBe('refused: malformed_header')
    expect(outcome({}, req(filler(999), server(null)))).toBe('refused: malformed_header')
    expect(outcome({}, req(filler(1500), server(0)))).toBe('a')
    expect(outcome({}, req(filler(1500), server(5000)))).toBe('a')
    expect(outcome({}, req(filler(10), {}))).toBe('a')
  })

  it('names the problem and carries the counts for the log', () => {
    try {
      createTokenExtractor()(req(filler(999)), 'api')
      expect.unreachable()
    } catch (e) {
      const err = e as InvalidRequestError
      expect([err.status, err.description]).toEqual([400, 'too many header lines'])
      expect(err.debug).toEqual({ headerLines: 1000, maxHeadersCount: 1000 })
    }
  })

  it('is refused however the request was sent, as Node really delivers it', async () => {
    // A real Node server: valid Authorization, N fillers, then a second, garbage Authorization.
    const seen: string[] = []
    const server = createServer((r: IncomingMessage, res) => {
      const like: RequestLike = {
        method: r.method ?? 'GET',
        url: r.url,
        headers: r.headers,
        rawHeaders: r.rawHeaders,
        socket: r.socket,
      }
      try {
        seen.push(createTokenExtractor()(like, 'api') ?? 'none')
      } catch (e) {
        seen.push((e as InvalidRequestError).description)
      }
      res.end()
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as AddressInfo).port
    const send = (fillers: number, limit: number | null, second = true): Promise<void> => {
      server.maxHeadersCount = limit
      let head = 'GET / HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer good\r\n'
      for (let i = 0; i < fillers; i++) head += `x-f${i}: 1\r\n`
      if (second) head += 'Authorization: garbage\r\n'
      head += 'Connection: close\r\n\r\n'
      return new Promise((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => socket.end(head))
        socket.on('error', reject)
        socket.on('close', () => resolve())
        socket.resume()
      })
    }
    try {
      await send(2000, null) // Node drops the second Authorization from headers and rawHeaders
      await send(500, null) // within the limit: the duplicate is visible and refused
      await send(100, 50)
      await send(100, 0)
      await send(500, null, false)
      await send(100, 0, false)
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
    expect(seen).toEqual([
      'too many header lines',
      'more than one Authorization header',
      'too many header lines',
      'more than one Authorization header',
      'good',
      'good',
    ])
  })
})
