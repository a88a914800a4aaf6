// Challenge validation: a login, consent or logout challenge is checked for shape and length before
// it is sent anywhere. Hydra v1 challenges are 32 hex characters; v2.2+ challenges are long
// base64url blobs (encrypted flow state), so the length cap is generous and configurable.

/** Default longest challenge accepted, in characters. */
export const DEFAULT_MAX_CHALLENGE_LENGTH = 4096

const CHALLENGE_CHARS = /^[A-Za-z0-9_.~-]+$/

/** Result of {@link checkChallenge}. */
export type ChallengeCheck =
  { ok: true; challenge: string } | { ok: false; reason: 'missing_challenge' | 'invalid_challenge' }

/**
 * Checks a challenge taken from a query string or a form: present, 1 to `maxLength` characters,
 * only URL-safe characters (`A-Z a-z 0-9 - _ . ~`). A missing or empty value is `missing_challenge`
 * (never the string "undefined"); anything else that does not fit is `invalid_challenge`.
 */
export function checkChallenge(value: string | null | undefined, maxLength: number): ChallengeCheck {
  if (value === null || value === undefined || value === '') return { ok: false, reason: 'missing_challenge' }
  if (value.length > maxLength || !CHALLENGE_CHARS.test(value))
    return { ok: false, reason: 'invalid_challenge' }
  return { ok: true, challenge: value }
}
