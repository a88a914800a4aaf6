// What the pages may show of an OAuth 2.0 client: its name and only safe URLs (a logo only over
// https, links only http(s)), so a client registration cannot put a javascript: link on our page.

import type { OAuth2Client } from '../hydra/types.js'
import type { ClientView } from './types.js'

/** The displayable view of a client (see {@link ClientView}). */
export function toClientView(client: OAuth2Client | null | undefined): ClientView {
  const c = client ?? {}
  const id = typeof c.client_id === 'string' ? c.client_id : ''
  const name = typeof c.client_name === 'string' && c.client_name.trim() !== '' ? c.client_name : id
  return {
    id,
    name,
    logoUri: safeUrl(c.logo_uri, ['https:']),
    clientUri: safeUrl(c.client_uri, ['https:', 'http:']),
    policyUri: safeUrl(c.policy_uri, ['https:', 'http:']),
    tosUri: safeUrl(c.tos_uri, ['https:', 'http:']),
  }
}

/** `value` when it parses as an absolute URL with one of `protocols` and no credentials. */
export function safeUrl(value: unknown, protocols: readonly string[]): string | undefined {
  if (typeof value !== 'string' || value === '' || value.length > 2048) return undefined
  try {
    const u = new URL(value)
    if (!protocols.includes(u.protocol) || u.username !== '' || u.password !== '') return undefined
    return u.href
  } catch {
    return undefined
  }
}
