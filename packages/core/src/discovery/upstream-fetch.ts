import { UpstreamError, type UpstreamClient } from '../upstream/client.js'
import type { DiscoveryFetch } from './resolver.js'

/**
 * The {@link DiscoveryFetch} the verifiers use: one GET through the verifier's upstream client (its
 * dispatcher, the resolver's deadline and size cap), without following redirects. Every attempt is
 * reported to the client's `onUpstream` hook as kind `discovery`, so the verifier's warnings,
 * metrics and the user's own hooks see it; an answer the resolver's `check` refuses is reported as
 * a failure. Any status is returned to the resolver, which decides what it means (404 and 410 move
 * on to the next document). A body over the cap rejects, which the resolver reports as a failed
 * request.
 */
export function upstreamDiscoveryFetch(upstream: UpstreamClient): DiscoveryFetch {
  return async (url, { signal, maxBytes, timeoutMs, check }) => {
    try {
      return await upstream.send({
        kind: 'discovery',
        method: 'GET',
        url,
        headers: { accept: 'application/json' },
        timeoutMs,
        maxResponseBytes: maxBytes,
        signal,
        accept: () => true,
        check,
      })
    } catch (err) {
      // The transport error alone reads best in the resolver's "discovery request to ... failed: ".
      if (err instanceof UpstreamError && err.kind === 'transport' && err.cause instanceof Error)
        throw err.cause
      throw err
    }
  }
}
