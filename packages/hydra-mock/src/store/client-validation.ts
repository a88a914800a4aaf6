import { formatDuration, parseDuration } from '../util/duration.js'
import type { OAuth2Client } from './client-model.js'

/** Why a client was refused; `field` is the JSON path (e.g. `redirect_uris[1]`). */
export class ClientMetadataError extends Error {
  readonly field: string
  /** The OAuth error code Hydra answers with. */
  readonly code: 'invalid_client_metadata' | 'invalid_redirect_uri' | 'invalid_request'

  constructor(
    field: string,
    message: string,
    code: 'invalid_client_metadata' | 'invalid_redirect_uri' | 'invalid_request' = 'invalid_client_metadata',
  ) {
    super(message)
    this.name = 'ClientMetadataError'
    this.field = field
    this.code = code
  }
}

const STRING_FIELDS = [
  'client_id',
  'client_secret',
  'client_name',
  'client_uri',
  'logo_uri',
  'policy_uri',
  'tos_uri',
  'owner',
  'scope',
  'token_endpoint_auth_method',
  'token_endpoint_auth_signing_alg',
  'subject_type',
  'sector_identifier_uri',
  'userinfo_signed_response_alg',
  'request_object_signing_alg',
  'jwks_uri',
  'access_token_strategy',
  'backchannel_logout_uri',
  'frontchannel_logout_uri',
] as const

const STRING_ARRAY_FIELDS = [
  'contacts',
  'redirect_uris',
  'post_logout_redirect_uris',
  'grant_types',
  'response_types',
  'audience',
  'allowed_cors_origins',
  'request_uris',
] as const

const BOOLEAN_FIELDS = [
  'skip_consent',
  'skip_logout_consent',
  'backchannel_logout_session_required',
  'frontchannel_logout_session_required',
] as const

/** The per-grant token lifespan fields of a client (`oAuth2ClientTokenLifespans`). */
export const LIFESPAN_FIELDS = [
  'authorization_code_grant_access_token_lifespan',
  'authorization_code_grant_id_token_lifespan',
  'authorization_code_grant_refresh_token_lifespan',
  'client_credentials_grant_access_token_lifespan',
  'device_authorization_grant_access_token_lifespan',
  'device_authorization_grant_id_token_lifespan',
  'device_authorization_grant_refresh_token_lifespan',
  'implicit_grant_access_token_lifespan',
  'implicit_grant_id_token_lifespan',
  'jwt_bearer_grant_access_token_lifespan',
  'refresh_token_grant_access_token_lifespan',
  'refresh_token_grant_id_token_lifespan',
  'refresh_token_grant_refresh_token_lifespan',
] as const

/** Hydra's default `scope` of a new client (`oauth2.client_default_scope`... as shipped). */
export const DEFAULT_CLIENT_SCOPE = 'offline_access offline openid'

const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none']

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function hasScheme(uri: string): boolean {
  return /^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$/.test(uri)
}

function originOf(uri: string): string | undefined {
  try {
    const u = new URL(uri)
    return `${u.protocol}//${u.hostname}:${u.port}`
  } catch {
    return undefined
  }
}

/** Result of {@link normalizeClient}. */
export interface NormalizedClient {
  client: OAuth2Client & { client_id: string }
  /** The plaintext secret given in the input, if any. */
  secret: string | undefined
}

/**
 * Checks a client body field by field (types, URIs, enums) and fills Hydra's defaults. Unknown
 * fields are ignored, as Hydra v26 does; read-only fields (`created_at`, ...) are taken from
 * `previous` or set now. Throws {@link ClientMetadataError}.
 */
export function normalizeClient(
  input: unknown,
  options: { clientId: string; nowIso: string; previous?: OAuth2Client | undefined },
): NormalizedClient {
  if (!isRecord(input)) throw new ClientMetadataError('', 'must be a JSON object', 'invalid_request')
  const out: Record<string, unknown> = {}

  for (const f of STRING_FIELDS) {
    const v = input[f]
    if (v === undefined || v === null) continue
    if (typeof v !== 'string') throw new ClientMetadataError(f, 'must be a string', 'invalid_request')
    out[f] = v
  }
  for (const f of STRING_ARRAY_FIELDS) {
    const v = input[f]
    if (v === undefined || v === null) {
      out[f] = []
      continue
    }
    if (!Array.isArray(v)) throw new ClientMetadataError(f, 'must be an array of strings', 'invalid_request')
    v.forEach((item, i) => {
      if (typeof item !== 'string') {
        throw new ClientMetadataError(`${f}[${i}]`, 'must be a string', 'invalid_request')
      }
    })
    out[f] = [...(v as string[])]
  }
  for (const f of BOOLEAN_FIELDS) {
    const v = input[f]
    if (v === undefined || v === null) {
      out[f] = false
      continue
    }
    if (typeof v !== 'boolean') throw new ClientMetadataError(f, 'must be a boolean', 'invalid_request')
    out[f] = v
  }
  for (const f of LIFESPAN_FIELDS) {
    const v = input[f]
    if (v === undefined || v === null || v === '') continue
    const ns = typeof v === 'string' ? parseDuration(v) : undefined
    if (ns === undefined || ns <= 0) {
      throw new ClientMetadataError(
        f,
        'must be a positive duration such as "1h", "30m" or "1h30m0s" (digits and ns, us, ms, s, m, h)',
        'invalid_request',
      )
    }
    out[f] = formatDuration(ns)
  }
  if (input.metadata !== undefined && input.metadata !== null) out.metadata = structuredClone(input.metadata)
  if (input.jwks !== undefined && input.jwks !== null) {
    const jwks = input.jwks
    if (!isRecord(jwks) || !Array.isArray(jwks.keys) || !jwks.keys.every(isRecord)) {
      throw new ClientMetadataError('jwks', 'must be a JSON Web Key Set ({"keys": [...]})')
    }
    out.jwks = structuredClone(jwks)
  }

  const c = out as OAuth2Client
  const given = typeof input.client_id === 'string' ? input.client_id : undefined
  c.client_id = given && given.length > 0 ? given : options.clientId
  if (/\s/.test(c.client_id) || c.client_id.length > 255) {
    throw new ClientMetadataError(
      'client_id',
      'must not contain whitespace and be at most 255 characters long',
    )
  }

  c.token_endpoint_auth_method ||= 'client_secret_basic'
  if (!AUTH_METHODS.includes(c.token_endpoint_auth_method)) {
    throw new ClientMetadataError(
      'token_endpoint_auth_method',
      `must be one of ${AUTH_METHODS.join(', ')} (the mock does not implement ${JSON.stringify(c.token_endpoint_auth_method)})`,
    )
  }
  const secret = c.client_secret
  delete c.client_secret
  if (secret !== undefined && secret !== '') {
    if (c.token_endpoint_auth_method === 'none') {
      throw new ClientMetadataError(
        'client_secret',
        "must be empty when token_endpoint_auth_method is 'none' (a public client has no secret)",
      )
    }
    if (secret.length < 6) {
      throw new ClientMetadataError(
        'client_secret',
        'must contain a secret that is at least 6 characters long',
      )
    }
  }

  if (c.scope === undefined || c.scope.trim() === '') c.scope = DEFAULT_CLIENT_SCOPE
  c.subject_type ||= 'public'
  if (c.subject_type !== 'public' && c.subject_type !== 'pairwise') {
    throw new ClientMetadataError(
      'subject_type',
      `${JSON.stringify(c.subject_type)} is not supported by server, only public and pairwise are allowed`,
    )
  }
  if (c.access_token_strategy !== undefined && c.access_token_strategy !== '') {
    if (c.access_token_strategy !== 'jwt' && c.access_token_strategy !== 'opaque') {
      throw new ClientMetadataError('access_token_strategy', 'must be either "jwt" or "opaque"')
    }
  } else {
    delete c.access_token_strategy
  }
  if (
    c.userinfo_signed_response_alg !== undefined &&
    !['', 'none', 'RS256'].includes(c.userinfo_signed_response_alg)
  ) {
    throw new ClientMetadataError('userinfo_signed_response_alg', 'must be "none" or "RS256"')
  }

  c.redirect_uris!.forEach((uri, i) => {
    if (!hasScheme(uri)) {
      throw new ClientMetadataError(`redirect_uris[${i}]`, 'must be an absolute URI', 'invalid_redirect_uri')
    }
    if (uri.includes('#')) {
      throw new ClientMetadataError(
        `redirect_uris[${i}]`,
        'must not contain fragments (#)',
        'invalid_redirect_uri',
      )
    }
  })
  const origins = new Set(c.redirect_uris!.map(originOf).filter((o) => o !== undefined))
  c.post_logout_redirect_uris!.forEach((uri, i) => {
    const origin = originOf(uri)
    if (origin === undefined || !origins.has(origin)) {
      throw new ClientMetadataError(
        `post_logout_redirect_uris[${i}]`,
        'must match the domain, port, scheme of at least one of the registered redirect URIs but did not',
      )
    }
  })
  if (c.subject_type === 'pairwise' && !c.sector_identifier_uri) {
    const hosts = new Set(c.redirect_uris!.map((u) => originOf(u)?.split('//')[1]?.split(':')[0]))
    if (hosts.size > 1) {
      throw new ClientMetadataError(
        'sector_identifier_uri',
        'is required for pairwise clients whose redirect URIs use more than one host',
      )
    }
  }

  c.client_secret_expires_at = 0
  c.created_at = options.previous?.created_at ?? options.nowIso
  c.updated_at = options.nowIso
  return { client: c as OAuth2Client & { client_id: string }, secret: secret || undefined }
}
