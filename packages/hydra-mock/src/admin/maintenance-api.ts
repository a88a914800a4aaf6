import { oauthError } from '../errors.js'
import { readJson } from '../http/body.js'
import type { MockRequest, MockResponse } from '../http/message.js'
import { emptyResponse } from '../http/message.js'
import type { MockState } from '../state.js'
import { asObject } from './fields.js'

/**
 * `POST /admin/oauth2/flush` (Hydra v1's `POST /oauth2/flush`) `{notAfter?}`: deletes the tokens
 * that expired before `notAfter` (an RFC 3339 date-time; default now). 204.
 */
export async function flushInactiveTokens(state: MockState, req: MockRequest): Promise<MockResponse> {
  const raw = await req.readBody()
  let notAfter = state.clock.nowMs()
  if (raw.length > 0) {
    const body = asObject(await readJson(req))
    if (body.notAfter !== undefined && body.notAfter !== null) {
      const t = typeof body.notAfter === 'string' ? Date.parse(body.notAfter) : NaN
      if (Number.isNaN(t))
        throw oauthError('invalid_request', "Field 'notAfter' must be an RFC 3339 date-time.")
      notAfter = t
    }
  }
  state.tokens.flushExpired(Math.floor(notAfter / 1000))
  return emptyResponse(204)
}

/**
 * `GET /admin/metrics/prometheus`: Prometheus text format. The mock exports its own request
 * counters per Hydra operationId (Hydra exports Go runtime and HTTP metrics under other names).
 */
export function prometheusMetrics(state: MockState): MockResponse {
  const lines = [
    '# HELP hydrakit_mock_requests_total Requests the mock answered, by Hydra operationId.',
    '# TYPE hydrakit_mock_requests_total counter',
  ]
  for (const [operation, n] of Object.entries(state.calls)) {
    lines.push(`hydrakit_mock_requests_total{operation="${operation}"} ${n}`)
  }
  return {
    status: 200,
    headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' },
    body: `${lines.join('\n')}\n`,
  }
}
