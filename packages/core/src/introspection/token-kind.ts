/**
 * What an active RFC 7662 introspection answer says about the kind of token, as far as the answer
 * itself tells:
 * - `access_token`: usable as an access token at a resource server;
 * - `refresh_token`: a refresh (or Keycloak offline) token, never an access token;
 * - `other`: marked as something else (an ID token, RFC 8693 `N_A`, an unknown token type);
 * - `unknown`: the answer carries no marker at all.
 */
export type IntrospectedTokenKind = 'access_token' | 'refresh_token' | 'other' | 'unknown'

/**
 * Which member of the answer decided, strongest first:
 * - `token_use`: Hydra's own member (`access_token` / `refresh_token`). Hydra sends
 *   `token_type: "Bearer"` for refresh tokens too, so `token_use` wins over `token_type`.
 * - `token_type`: RFC 7662 §2.2, the RFC 6749 §7.1 access token type (`Bearer`, `DPoP`, ...;
 *   compared case-insensitively). oidc-provider and Doorkeeper send it for access tokens only; some
 *   servers send `access_token` / `refresh_token` there instead, which is understood as well.
 * - `typ`: Keycloak copies its token's `typ` claim into the answer: `Bearer` for access tokens,
 *   `Refresh` / `Offline` for refresh tokens, `ID` for ID tokens.
 * - `aud`: no marker, but the token names an audience. Refresh tokens are issued to the
 *   authorization server itself and carry none in oidc-provider and Keycloak, so an audience is
 *   taken as the sign of an access token.
 * - `none`: nothing to go by.
 */
export type IntrospectedTokenEvidence = 'token_use' | 'token_type' | 'typ' | 'aud' | 'none'

/** The result of {@link classifyIntrospectedToken}. */
export interface IntrospectedTokenClass {
  /** The kind of token. */
  readonly kind: IntrospectedTokenKind
  /** The member that decided it. */
  readonly evidence: IntrospectedTokenEvidence
  /** That member's value, when it is a string (for logs; never shown to clients). */
  readonly value?: string | undefined
}

/** Access token types of RFC 6749 §7.1 and later RFCs, lower-cased (RFC 9449 DPoP, RFC 8705 mTLS-bound tokens are Bearer). */
const ACCESS_TOKEN_TYPES = new Set(['bearer', 'dpop', 'mac', 'pop', 'access_token'])
const REFRESH_TOKEN_TYPES = new Set(['refresh_token'])

/**
 * Classifies the token an active introspection answer describes, using only what the answer
 * carries (see {@link IntrospectedTokenEvidence} for the order of the rules). Pure; never throws.
 * It does not look at `active`: call it for active answers.
 *
 * The `token_type_hint` a resource server sends only tells the server where to look first (RFC
 * 7662 §2.1); servers fall back to other kinds, so the answer, not the hint, must decide.
 */
export function classifyIntrospectedToken(answer: Readonly<Record<string, unknown>>): IntrospectedTokenClass {
  const use = own(answer, 'token_use')
  if (use !== undefined) {
    const value = typeof use === 'string' ? use : undefined
    if (use === 'access_token') return { kind: 'access_token', evidence: 'token_use', value }
    if (use === 'refresh_token') return { kind: 'refresh_token', evidence: 'token_use', value }
    return { kind: 'other', evidence: 'token_use', value }
  }
  const type = own(answer, 'token_type')
  if (type !== undefined) {
    const value = typeof type === 'string' ? type : undefined
    const lower = value?.toLowerCase()
    if (lower !== undefined && ACCESS_TOKEN_TYPES.has(lower))
      return { kind: 'access_token', evidence: 'token_type', value }
    if (lower !== undefined && REFRESH_TOKEN_TYPES.has(lower)) {
      return { kind: 'refresh_token', evidence: 'token_type', value }
    }
    return { kind: 'other', evidence: 'token_type', value }
  }
  const typ = own(answer, 'typ')
  if (typ !== undefined) {
    const value = typeof typ === 'string' ? typ : undefined
    const lower = value?.toLowerCase()
    if (lower === 'bearer' || lower === 'at+jwt' || lower === 'application/at+jwt') {
      return { kind: 'access_token', evidence: 'typ', value }
    }
    if (lower === 'refresh' || lower === 'offline') return { kind: 'refresh_token', evidence: 'typ', value }
    return { kind: 'other', evidence: 'typ', value }
  }
  const aud = own(answer, 'aud')
  if (
    (typeof aud === 'string' && aud !== '') ||
    (Array.isArray(aud) && aud.some((a) => typeof a === 'string' && a !== ''))
  ) {
    return { kind: 'access_token', evidence: 'aud' }
  }
  return { kind: 'unknown', evidence: 'none' }
}

/** A member of the answer itself, never one inherited through its prototype. */
function own(answer: Readonly<Record<string, unknown>>, key: string): unknown {
  return Object.hasOwn(answer, key) ? answer[key] : undefined
}
