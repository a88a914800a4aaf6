import { DiscoveryError } from './discovery-error.js'
import type { DiscoveryDocument } from './well-known.js'

/** What hydrakit uses from an authorization server's metadata (RFC 8414 §2 / OpenID Discovery §3). */
export interface IssuerMetadata {
  /** `issuer` of the document, verbatim (equal to the configured issuer, see {@link MetadataCheck}). */
  readonly issuer: string
  /** `jwks_uri`: where the signing keys are published. Undefined when the document has none. */
  readonly jwksUri: string | undefined
  /** `introspection_endpoint` (RFC 7662). Undefined when the document has none (Hydra's public discovery never has it). */
  readonly introspectionEndpoint: string | undefined
  /** `introspection_endpoint_auth_methods_supported`, when the document lists them. */
  readonly introspectionEndpointAuthMethods: readonly string[] | undefined
  /** Which document answered. */
  readonly document: DiscoveryDocument
  /** The URL the document was read from. */
  readonly url: string
  /** The whole document as parsed, for fields hydrakit does not interpret. */
  readonly raw: Readonly<Record<string, unknown>>
}

/** How {@link parseIssuerMetadata} checks a document. */
export interface MetadataCheck {
  /** The configured issuer; the document's `issuer` must equal it. */
  issuer: string
  /**
   * Also accept a document `issuer` that differs from the configured one only by one trailing slash
   * (`https://as.example` ⇔ `https://as.example/`). Without it the comparison is exact, as RFC 8414
   * §3.3 and OpenID Discovery §4.3 require.
   */
  tolerateIssuerTrailingSlash: boolean
  /** Size cap of the document, in bytes (UTF-8). */
  maxBytes: number
  /** Where the body came from (for error messages and {@link IssuerMetadata.url}). */
  url: string
  /** Which document this is. */
  document: DiscoveryDocument
}

/** True when `actual` names the issuer `expected`, under the trailing-slash rule of `tolerate`. */
export function issuerMatches(expected: string, actual: string, tolerate: boolean): boolean {
  if (actual === expected) return true
  if (!tolerate) return false
  return actual === `${expected}/` || `${actual}/` === expected
}

const ENDPOINTS = [
  'jwks_uri',
  'introspection_endpoint',
  'token_endpoint',
  'authorization_endpoint',
  'revocation_endpoint',
  'userinfo_endpoint',
] as const

/**
 * Parses and validates one discovery document. Throws a {@link DiscoveryError}: `too_large` past
 * the size cap, `invalid_json` for anything but a JSON object, `issuer_mismatch` when `issuer` is
 * not the configured one, `invalid_metadata` when an endpoint listed in it is not an absolute
 * `http(s)` URL (without credentials) or a list is not a list of strings.
 */
export function parseIssuerMetadata(body: string, check: MetadataCheck): IssuerMetadata {
  const { url } = check
  const bytes = Buffer.byteLength(body, 'utf8')
  if (bytes > check.maxBytes) {
    throw new DiscoveryError(
      'too_large',
      `discovery document at ${url} is larger than ${check.maxBytes} bytes`,
      {
        url,
      },
    )
  }
  let raw: unknown
  try {
    raw = JSON.parse(body)
  } catch (cause) {
    throw new DiscoveryError('invalid_json', `discovery document at ${url} is not JSON`, { url, cause })
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new DiscoveryError('invalid_json', `discovery document at ${url} is not a JSON object`, { url })
  }
  const doc = raw as Record<string, unknown>
  const issuer = doc.issuer
  if (typeof issuer !== 'string') {
    throw new DiscoveryError('invalid_metadata', `discovery document at ${url} has no issuer`, { url })
  }
  if (!issuerMatches(check.issuer, issuer, check.tolerateIssuerTrailingSlash)) {
    const hint =
      issuerMatches(check.issuer, issuer, true) && !check.tolerateIssuerTrailingSlash
        ? ' (they differ only by a trailing slash: configure the issuer exactly as the server spells it)'
        : ''
    throw new DiscoveryError(
      'issuer_mismatch',
      `discovery document at ${url} is for issuer ${JSON.stringify(issuer)}, expected ${JSON.stringify(check.issuer)}${hint}`,
      { url, expectedIssuer: check.issuer, documentIssuer: issuer },
    )
  }
  for (const field of ENDPOINTS) {
    const value = doc[field]
    if (value !== undefined && !isHttpUrl(value)) {
      throw new DiscoveryError(
        'invalid_metadata',
        `discovery document at ${url}: ${field} must be an absolute http(s) URL, got ${show(value)}`,
        { url },
      )
    }
  }
  const methods = doc.introspection_endpoint_auth_methods_supported
  if (methods !== undefined && !(Array.isArray(methods) && methods.every((m) => typeof m === 'string'))) {
    throw new DiscoveryError(
      'invalid_metadata',
      `discovery document at ${url}: introspection_endpoint_auth_methods_supported must be a list of strings`,
      { url },
    )
  }
  return {
    issuer,
    jwksUri: doc.jwks_uri as string | undefined,
    introspectionEndpoint: doc.introspection_endpoint as string | undefined,
    introspectionEndpointAuthMethods: methods,
    document: check.document,
    url,
    raw: doc,
  }
}

function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false
  let u: URL
  try {
    u = new URL(value)
  } catch {
    return false
  }
  return (u.protocol === 'https:' || u.protocol === 'http:') && u.username === '' && u.password === ''
}

function show(value: unknown): string {
  const s = JSON.stringify(value) ?? String(value)
  return s.length > 80 ? `${s.slice(0, 77)}...` : s
}
