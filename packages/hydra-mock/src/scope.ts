import { wildcardScopeStrategy } from '@hydrakit/core'

/**
 * Hydra's default scope strategy (`strategies.scope: wildcard`): the client's registered scopes are
 * the matchers, the requested scope is the needle. The same implementation the verifiers use.
 */
export const wildcardScopeMatch: (matchers: readonly string[], needle: string) => boolean =
  wildcardScopeStrategy

interface AudienceParts {
  scheme: string
  host: string
  path: string
}

function audienceParts(value: string): AudienceParts {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)([^?#]*)/.exec(value)
  if (m) return { scheme: m[1]!.toLowerCase(), host: m[2]!.toLowerCase(), path: m[3]! }
  return { scheme: '', host: '', path: value }
}

/**
 * fosite's default audience matching: a requested audience is allowed when a registered one has
 * the same scheme and host and its path equals the requested path or is a `/`-bounded prefix of it
 * (`https://api.example.com/orders` allows `https://api.example.com/orders/read`, not
 * `https://api.example.com/ordersx`). Values that are not URLs compare the same way as paths.
 * Returns the first audience that is not allowed, or `undefined` when all are.
 */
export function firstDisallowedAudience(
  allowed: readonly string[],
  requested: readonly string[],
): string | undefined {
  for (const r of requested) {
    const n = audienceParts(r)
    const nPath = n.path.replace(/\/+$/, '')
    const ok = allowed.some((a) => {
      const h = audienceParts(a)
      if (h.scheme !== n.scheme || h.host !== n.host) return false
      const hPath = h.path.replace(/\/+$/, '')
      return (
        nPath === hPath || (hPath !== '' && nPath.startsWith(`${hPath}/`)) || (hPath === '' && h.host !== '')
      )
    })
    if (!ok) return r
  }
  return undefined
}

/** Splits a space-delimited parameter (`scope`, `audience`), dropping empty items and duplicates. */
export function splitSpaces(value: string | null | undefined): string[] {
  if (!value) return []
  return [...new Set(value.split(' ').filter((s) => s.length > 0))]
}
