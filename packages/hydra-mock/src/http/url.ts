/**
 * Returns `base` with `params` set in its query (existing parameters kept, same names replaced),
 * as Hydra appends `login_challenge` to a login URL that may already carry a query.
 */
export function withQuery(base: string, params: Record<string, string | undefined>): string {
  const url = new URL(base)
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined) url.searchParams.set(k, v)
  }
  return url.toString()
}
