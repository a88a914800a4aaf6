import type { DiscoveryFetch } from '../../src/discovery/resolver.js'

/**
 * A plain {@link DiscoveryFetch} over the global fetch, reading at most `maxBytes + 1` bytes of the
 * body. `rewrite` maps a URL before the request (a stand-in for DNS: it lets a server listening on
 * a random port pretend to be another host).
 */
export function httpFetch(rewrite: (url: string) => string = (u) => u): DiscoveryFetch {
  return async (url, { signal, maxBytes }) => {
    const res = await fetch(rewrite(url), {
      signal,
      redirect: 'manual',
      headers: { accept: 'application/json' },
    })
    const chunks: Buffer[] = []
    let size = 0
    if (res.body !== null) {
      const reader = res.body.getReader()
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        chunks.push(Buffer.from(value))
        size += value.byteLength
        if (size > maxBytes) {
          await reader.cancel()
          break
        }
      }
    }
    return { status: res.status, body: Buffer.concat(chunks).toString('utf8') }
  }
}
