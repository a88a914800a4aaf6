import { oauthError } from '../errors.js'
import type { MockOperation } from '../operations.js'
import type { MockRequest, MockResponse } from './message.js'

/** A routed request: the operation (for counters) and the code that answers it. */
export interface Route {
  readonly operation: MockOperation
  readonly run: () => MockResponse | Promise<MockResponse>
}

/** A route that only answers `methods`; other methods get 405 with `Allow`. */
export function only(
  req: MockRequest,
  methods: readonly string[],
  operation: MockOperation,
  run: () => MockResponse | Promise<MockResponse>,
): Route {
  if (methods.includes(req.method)) return { operation, run }
  return {
    operation,
    run: () => {
      throw oauthError('Method Not Allowed', undefined, { headers: { allow: methods.join(', ') } })
    },
  }
}

/** The 404 route. */
export const NOT_FOUND: Route = {
  operation: 'notFound',
  run: () => {
    throw oauthError('Not Found')
  },
}
