import type { Dispatcher } from 'undici'
import { httpRequest } from '../upstream/request.js'
import type { DiscoveryFetch } from './resolver.js'

/**
 * The {@link DiscoveryFetch} the verifiers use: one GET through the upstream client (the
 * verifier's dispatcher, hard deadline, size cap), without following redirects. A body over the
 * cap rejects, which the resolver reports as a failed request.
 */
export function upstreamDiscoveryFetch(options: {
  timeoutMs: number
  dispatcher: Dispatcher | undefined
}): DiscoveryFetch {
  return async (url, { signal, maxBytes }) => {
    const res = await httpRequest({
      method: 'GET',
      url,
      headers: { accept: 'application/json' },
      timeoutMs: options.timeoutMs,
      maxResponseBytes: maxBytes,
      dispatcher: options.dispatcher,
      signal,
    })
    return { status: res.status, body: res.body }
  }
}
