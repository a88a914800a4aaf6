/** Parameters of one `Bearer` challenge (RFC 6750 §3, RFC 9728 §5.1). */
export interface BearerChallenge {
  realm?: string | undefined
  error?: string | undefined
  errorDescription?: string | undefined
  /** Space-separated scopes the resource needs. */
  scope?: string | undefined
  /** RFC 9728 protected-resource metadata URL. */
  resourceMetadata?: string | undefined
}

// Control characters (including CR/LF) and anything outside printable ASCII can never reach a header:
// Node would throw on them (a 500) and CR/LF would be header injection.
const UNSAFE = /[^\x20-\x7e]/g
const QUOTE = /["\\]/g
// Anything either replacement above would change; the usual value (a fixed description) has none.
const NEEDS_WORK = /[^\x20\x21\x23-\x5b\x5d-\x7e]/

/** Quotes a value as an HTTP quoted-string: drops non-printable characters, escapes `\` and `"`. */
export function quoteHeaderValue(value: string): string {
  if (!NEEDS_WORK.test(value)) return '"' + value + '"'
  return '"' + value.replace(UNSAFE, '').replace(QUOTE, '\\$&') + '"'
}

/**
 * Builds the `WWW-Authenticate` value for a Bearer challenge. Every parameter goes through
 * `quoteHeaderValue`, so a hostile description or realm cannot inject a header.
 */
export function buildBearerChallenge(challenge: BearerChallenge): string {
  const params: string[] = []
  if (challenge.realm !== undefined) params.push('realm=' + quoteHeaderValue(challenge.realm))
  if (challenge.error !== undefined) params.push('error=' + quoteHeaderValue(challenge.error))
  if (challenge.errorDescription !== undefined)
    params.push('error_description=' + quoteHeaderValue(challenge.errorDescription))
  if (challenge.scope !== undefined) params.push('scope=' + quoteHeaderValue(challenge.scope))
  if (challenge.resourceMetadata !== undefined)
    params.push('resource_metadata=' + quoteHeaderValue(challenge.resourceMetadata))
  return params.length === 0 ? 'Bearer' : 'Bearer ' + params.join(', ')
}
