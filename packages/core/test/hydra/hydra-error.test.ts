import { describe, expect, it } from 'vitest'
import { HydraError, parseHydraErrorBody, safeErrorCode } from '../../src/hydra/hydra-error.js'

describe('parseHydraErrorBody', () => {
  it.each([
    [
      'v2 errorOAuth2',
      { error: 'invalid_request', error_description: 'd' },
      { error: 'invalid_request', errorDescription: 'd' },
    ],
    [
      'v1 jsonError',
      {
        error: 'invalid_request',
        error_description: 'd',
        error_hint: 'h',
        error_debug: 'x',
        status_code: 400,
      },
      {
        error: 'invalid_request',
        errorDescription: 'd',
        errorHint: 'h',
        errorDebug: 'x',
        bodyStatusCode: 400,
      },
    ],
    [
      'wrapped genericError',
      { error: { code: 500, status: 'Internal Server Error', message: 'm', reason: 'r', debug: 'd' } },
      {
        error: 'Internal Server Error',
        errorDescription: 'm',
        errorHint: 'r',
        errorDebug: 'd',
        bodyStatusCode: 500,
      },
    ],
    ['bare genericError', { message: 'm', code: 404 }, { errorDescription: 'm', bodyStatusCode: 404 }],
    ['410 body', { redirect_to: 'https://x.example/' }, { redirectTo: 'https://x.example/' }],
  ])('%s', (_name, body, expected) => {
    expect(parseHydraErrorBody(body)).toMatchObject(expected)
  })

  it.each([undefined, null, 'text', 42, [], [{ error: 'x' }], { error: 42 }, { status_code: 'x' }])(
    'yields no fields for %j',
    (body) => {
      const parsed = parseHydraErrorBody(body)
      expect(parsed.error).toBeUndefined()
      expect(parsed.errorDescription).toBeUndefined()
    },
  )

  it('ignores fields of the wrong type', () => {
    expect(parseHydraErrorBody({ error: 'e', error_description: 5, status_code: 4.5 })).toEqual({
      error: 'e',
      errorDescription: undefined,
      errorHint: undefined,
      errorDebug: undefined,
      bodyStatusCode: undefined,
    })
  })

  it('caps very long strings', () => {
    const parsed = parseHydraErrorBody({ error: 'e', error_description: 'x'.repeat(100_000) })
    expect(parsed.errorDescription).toHaveLength(2000)
  })
})

describe('HydraError', () => {
  it('has a stable name, code per kind and never exposes its message', () => {
    const err = new HydraError({ kind: 'response', operation: 'getVersion', message: 'm' })
    expect(err.name).toBe('HydraError')
    expect(err.code).toBe('ERR_HYDRA_INVALID_RESPONSE')
    expect(err.expose).toBe(false)
    expect(err).toBeInstanceOf(Error)
  })

  it.each([
    ['transport', undefined, true],
    ['http', 503, true],
    ['http', 429, true],
    ['http', 400, false],
    ['auth', undefined, true],
    ['auth', 401, false],
    ['auth', 502, true],
    ['response', 200, false],
    ['unsupported', undefined, false],
  ] as const)('isUnavailable for %s %s is %s', (kind, status, expected) => {
    expect(new HydraError({ kind, hydraStatus: status, operation: 'x', message: 'm' }).isUnavailable).toBe(
      expected,
    )
  })

  it.each([
    ['http', 404, 502],
    ['http', 401, 502],
    ['http', 409, 502],
    ['http', 500, 503],
    ['http', 429, 503],
    ['transport', undefined, 503],
    ['auth', 401, 502],
    ['auth', undefined, 503],
    ['response', 200, 502],
    ['unsupported', undefined, 500],
  ] as const)(
    "%s with Hydra's %s is the app's %s: status/statusCode never carry Hydra's status",
    (kind, hydraStatus, app) => {
      const err = new HydraError({ kind, hydraStatus, operation: 'x', message: 'm' })
      expect(err.hydraStatus).toBe(hydraStatus)
      expect(err.status).toBe(app)
      expect(err.statusCode).toBe(app)
      expect(err.expose).toBe(false)
    },
  )

  it('a 503 carries the Retry-After Hydra sent; other statuses carry no headers', () => {
    const busy = new HydraError({
      kind: 'http',
      hydraStatus: 503,
      retryAfter: '9',
      operation: 'x',
      message: 'm',
    })
    expect(busy.headers).toEqual({ 'retry-after': '9' })
    const gone = new HydraError({
      kind: 'http',
      hydraStatus: 404,
      retryAfter: '9',
      operation: 'x',
      message: 'm',
    })
    expect(gone.headers).toEqual({})
  })

  it('safeErrorCode lets plain codes through only', () => {
    expect(safeErrorCode('invalid_request')).toBe('invalid_request')
    expect(safeErrorCode('Not Found')).toBe('Not Found')
    expect(safeErrorCode('a"b')).toBeUndefined()
    expect(safeErrorCode('x'.repeat(65))).toBeUndefined()
    expect(safeErrorCode(undefined)).toBeUndefined()
  })
})
