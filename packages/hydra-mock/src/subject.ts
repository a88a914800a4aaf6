import type { OAuth2Client } from './store/client-model.js'
import { sha256Hex } from './util/random.js'

function hostOf(uri: string | undefined): string {
  if (!uri) return ''
  try {
    return new URL(uri).hostname
  } catch {
    return ''
  }
}

/**
 * The subject identifier a client sees in ID tokens and userinfo. For `subject_type: public` the
 * subject itself (or `force_subject_identifier` from the login accept); for `pairwise` the hex
 * SHA-256 of sector identifier host + subject + salt, Hydra's algorithm, where the sector is the
 * host of `sector_identifier_uri` or of the first redirect URI. Returns `undefined` when it equals
 * the subject.
 */
export function obfuscateSubject(
  client: OAuth2Client,
  subject: string,
  forced: string | undefined,
  salt: string,
): string | undefined {
  if (client.subject_type !== 'pairwise') return undefined
  if (forced) return forced === subject ? undefined : forced
  const sector = hostOf(client.sector_identifier_uri) || hostOf(client.redirect_uris?.[0])
  return sha256Hex(`${sector}${subject}${salt}`)
}
