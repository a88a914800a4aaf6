import { combineHooks } from '../combine-hooks.js'
import { createWarningHooks, resolveWarnings, type WarningOptions } from '../diagnostics/warnings.js'
import { createIssuerMetadataResolver } from '../discovery/resolver.js'
import { upstreamDiscoveryFetch } from '../discovery/upstream-fetch.js'
import type { HydrakitHooks } from '../hooks.js'
import { isObject, rejectUnknownOptions } from '../options/validate.js'
import type { AdminAuth } from '../upstream/admin-auth.js'
import { createUpstreamClient, type UpstreamClient } from '../upstream/client.js'
import type { TokenVerifier } from '../verifier.js'
import { createHybridVerifier } from './hybrid.js'
import { createIntrospectionVerifier, type IntrospectionVerifierOptions } from './introspection.js'
import { INTROSPECTION_OPTION_NAMES } from './introspection-options.js'
import { createJwtVerifier, type JwtVerifierOptions } from './jwt.js'
import { JWT_OPTION_NAMES } from './jwt-options.js'
import { createMultiIssuerVerifier } from './multi-issuer.js'

/** How tokens are verified. */
export type VerificationMode = 'jwt' | 'introspection' | 'hybrid'

/** Options every {@link VerifierConfig} shares, whatever its `mode`. */
export interface VerifierConfigBase {
  /**
   * Accepted audiences (any-of). Required: Hydra puts every audience a client asked for into the
   * token's `aud`, so without this check a token minted for another API is accepted. `false`
   * accepts any audience, on purpose.
   */
  audience: string | readonly string[] | false
  /** Hydra admin API flavour: `'v2'` (`/admin/...`, also v25+ and Ory Network) or `'v1'`. Default `'v2'`. */
  apiVersion?: 'v2' | 'v1' | undefined
  /** How to authenticate to the admin API. Default: none (Hydra's admin port relies on network isolation). */
  adminAuth?: AdminAuth | undefined
  /**
   * Also accept an `iss` (in tokens, introspection answers and the discovery document) that differs
   * from `issuer` only by one trailing slash. Default `false` (exact match).
   */
  tolerateIssuerTrailingSlash?: boolean | undefined
  /** Clock skew allowed, in seconds. Default `5`. */
  clockTolerance?: number | undefined
  /** `realm` of the `WWW-Authenticate` challenges. Default `'api'`. */
  realm?: string | undefined
  /** Observability hooks for every verifier built. */
  hooks?: HydrakitHooks | undefined
  /**
   * Misconfiguration warnings (failed upstream calls, then at most one per interval; an `iss` that
   * differs only by a trailing slash; an opaque token in JWT mode), with hints. `false` turns them
   * off; `{ onWarning }` routes them to a logger. Default: `process.emitWarning`.
   */
  warnings?: WarningOptions | boolean | undefined
  /** Extra options for the JWT verifier (override the flat ones). */
  jwt?: Partial<JwtVerifierOptions> | undefined
  /** Extra options for the introspection verifier (override the flat ones). */
  introspection?: Partial<IntrospectionVerifierOptions> | undefined
}

/** `mode: 'jwt'`: JWT access tokens verified locally against the issuer's JWKS. */
export interface JwtVerifierConfig extends VerifierConfigBase {
  /** Verify JWT access tokens locally against the issuer's JWKS (Hydra with `strategies.access_token: jwt`). */
  mode: 'jwt'
  /** Hydra's issuer URL (`urls.self.issuer`). Required. */
  issuer: string
  /** Hydra's admin API base URL. Not needed in this mode (JWKS come from the issuer). Default: none. */
  adminUrl?: string | undefined
  /** Hybrid only. */
  introspectJwts?: undefined
  /** Not with `issuer`: see {@link MultiIssuerJwtConfig}. */
  issuers?: undefined
}

/**
 * One trusted issuer of a several-issuer configuration ({@link MultiIssuerJwtConfig},
 * {@link MultiIssuerHybridConfig}). Fields left out are taken from the configuration's top level.
 */
export interface IssuerConfig {
  /**
   * The issuer (`urls.self.issuer`), compared with a JWT's `iss` as an exact string:
   * `https://auth.example` and `https://auth.example/` are different issuers. Hydra v1.x always adds
   * a trailing slash, v2.x and later use the configured value verbatim; copy it from the issuer's
   * `/.well-known/openid-configuration`, or set `jwt.tolerateIssuerTrailingSlash: true` on this
   * entry to accept both forms. Required; each issuer at most once.
   */
  issuer: string
  /** Accepted audiences for this issuer's tokens (any-of). Default: the top-level `audience`. */
  audience?: VerifierConfigBase['audience']
  /**
   * This issuer's admin API base URL, for introspection (hybrid mode) and key-set pinning. Default:
   * none (then this issuer's opaque tokens are not accepted, unless `introspection.introspectionUrl` is set).
   */
  adminUrl?: string | undefined
  /** Admin API flavour of this issuer. Default: the top-level `apiVersion`. */
  apiVersion?: 'v2' | 'v1' | undefined
  /** How to authenticate to this issuer's admin API. Default: the top-level `adminAuth`. */
  adminAuth?: AdminAuth | undefined
  /**
   * JWT verifier options of this issuer (`jwksUri`, `accessTokenKeySet` pinning, `algorithms`, ...),
   * over the top-level `jwt`. Default: none.
   */
  jwt?: Partial<JwtVerifierOptions> | undefined
  /** Introspection options of this issuer, over the top-level `introspection`. Default: none. */
  introspection?: Partial<IntrospectionVerifierOptions> | undefined
}

/**
 * `mode: 'jwt'` with several issuers: a token's `iss` picks the issuer, whose own key set, audience
 * and pinning then apply. An `iss` that is not listed is refused before any network call.
 */
export interface MultiIssuerJwtConfig extends Omit<VerifierConfigBase, 'audience'> {
  /**
   * The default audience of every `issuers[]` entry; required unless each entry sets its own (a
   * missing one is a TypeError naming the entry).
   */
  audience?: VerifierConfigBase['audience']
  /** Verify JWT access tokens locally, each against its issuer's JWKS. */
  mode: 'jwt'
  /** The trusted issuers, at least one. */
  issuers: readonly IssuerConfig[]
  /** Not with `issuers`: each entry names its issuer. */
  issuer?: undefined
  /** Not with `issuers`: give each entry its own `adminUrl`. */
  adminUrl?: undefined
  /** Hybrid only. */
  introspectJwts?: undefined
}

/**
 * `mode: 'hybrid'` with several issuers: JWTs are routed by `iss` as in {@link MultiIssuerJwtConfig}.
 * Opaque tokens carry no issuer, so they are sent to the introspection endpoints of the entries
 * that have one (`adminUrl` or `introspection.introspectionUrl`), in list order, until one answers
 * `active` (and names its own issuer); put the issuer with the most opaque traffic first. If none
 * accepts the token it is refused with 401, or with 503 when one of them was unreachable.
 */
export interface MultiIssuerHybridConfig extends Omit<VerifierConfigBase, 'audience'> {
  /**
   * The default audience of every `issuers[]` entry; required unless each entry sets its own (a
   * missing one is a TypeError naming the entry).
   */
  audience?: VerifierConfigBase['audience']
  /** JWTs locally by issuer, opaque tokens by introspection. */
  mode: 'hybrid'
  /** The trusted issuers, at least one; at least one needs an introspection endpoint. */
  issuers: readonly IssuerConfig[]
  /** Not with `issuers`: each entry names its issuer. */
  issuer?: undefined
  /** Not with `issuers`: give each entry its own `adminUrl`. */
  adminUrl?: undefined
  /** Also introspect JWTs (at their own issuer, cached) so revoked JWTs are refused. Default `false`. */
  introspectJwts?: boolean | undefined
}

/**
 * The introspection endpoint: Hydra's admin base URL, a full `introspection.introspectionUrl`, or
 * neither, and then the `introspection_endpoint` of the issuer's discovery metadata (servers other
 * than Hydra; see docs/other-servers.md).
 */
export type IntrospectionEndpointConfig =
  | {
      /** Hydra's admin API base URL, e.g. `http://hydra:4445`. */
      adminUrl: string
    }
  | {
      /** Not set: `introspection.introspectionUrl` names the endpoint. */
      adminUrl?: undefined
      /** Introspection options, with the full endpoint URL. */
      introspection: Partial<IntrospectionVerifierOptions> & { introspectionUrl: string }
    }
  | {
      /** Not set: the endpoint is discovered from `issuer`. */
      adminUrl?: undefined
      /** The issuer whose discovery metadata names the introspection endpoint. Required. */
      issuer: string
    }

/** `mode: 'introspection'`: every token sent to Hydra's admin API (RFC 7662), with a cache. */
export type IntrospectionVerifierConfig = VerifierConfigBase &
  IntrospectionEndpointConfig & {
    /** Ask Hydra's admin API (RFC 7662) about every token, with a cache. */
    mode: 'introspection'
    /**
     * The issuer URL (Hydra: `urls.self.issuer`); checked on introspection answers when set, and
     * used to discover the endpoint when neither `adminUrl` nor `introspection.introspectionUrl` is
     * set. Default: not checked.
     */
    issuer?: string | undefined
    /** Hybrid only. */
    introspectJwts?: undefined
    /** JWT and hybrid modes only. */
    issuers?: undefined
  }

/** `mode: 'hybrid'`: JWTs locally, opaque tokens (`ory_at_…`) by introspection. */
export type HybridVerifierConfig = VerifierConfigBase &
  IntrospectionEndpointConfig & {
    /** JWTs locally, opaque tokens (`ory_at_…`) by introspection. */
    mode: 'hybrid'
    /** Hydra's issuer URL (`urls.self.issuer`). Required. */
    issuer: string
    /** Also introspect JWTs (cached) so revoked JWTs are refused. Default `false`. */
    introspectJwts?: boolean | undefined
    /** Not with `issuer`: see {@link MultiIssuerHybridConfig}. */
    issuers?: undefined
  }

/**
 * One flat configuration for the common cases, turned into a verifier by {@link createVerifier}
 * (and by the adapters' `hydra({ mode, ... })`), discriminated by `mode` so the type checker asks
 * for `issuer` (`jwt`, `hybrid`) and `adminUrl` (`introspection`, `hybrid`). For anything finer,
 * pass `jwt` / `introspection` overrides, or build the verifier yourself with `createJwtVerifier`,
 * `createIntrospectionVerifier` or `createHybridVerifier`.
 */
export type VerifierConfig =
  | JwtVerifierConfig
  | IntrospectionVerifierConfig
  | HybridVerifierConfig
  | MultiIssuerJwtConfig
  | MultiIssuerHybridConfig

/** Every field of any {@link VerifierConfig}, as read at runtime (configs may come from untyped code). */
type AnyVerifierConfig = VerifierConfigBase & {
  mode: VerificationMode
  issuer?: string | undefined
  adminUrl?: string | undefined
  introspectJwts?: boolean | undefined
  issuers?: readonly IssuerConfig[] | undefined
}

/** Every top-level option of a {@link VerifierConfig}. */
export const VERIFIER_CONFIG_NAMES: readonly string[] = [
  'mode',
  'issuer',
  'audience',
  'adminUrl',
  'apiVersion',
  'adminAuth',
  'clockTolerance',
  'realm',
  'hooks',
  'warnings',
  'tolerateIssuerTrailingSlash',
  'introspectJwts',
  'jwt',
  'introspection',
  'issuers',
]

/**
 * Refuses options no {@link VerifierConfig} has (and, inside `jwt` / `introspection`, options those
 * verifiers lack), with a hint for misplaced ones and other libraries' names. `extra` lists the
 * options the caller handles itself (an adapter's middleware settings).
 */
export function checkVerifierConfigKeys(config: object, extra: readonly string[] = []): void {
  const c = config as Record<string, unknown>
  rejectUnknownOptions(c, [...VERIFIER_CONFIG_NAMES, ...extra], '')
  for (const [key, names] of [
    ['jwt', JWT_OPTION_NAMES],
    ['introspection', INTROSPECTION_OPTION_NAMES],
  ] as const) {
    const nested = c[key]
    if (nested === undefined) continue
    if (!isObject(nested)) throw new TypeError(`${key} must be an object`)
    rejectUnknownOptions(nested, names, key)
  }
}

function jwtOptions(c: AnyVerifierConfig, shared: Shared): JwtVerifierOptions {
  if (typeof c.issuer !== 'string') throw new TypeError(`issuer is required for mode '${c.mode}'`)
  return {
    issuer: c.issuer,
    ...(shared.discovery === undefined ? {} : { discovery: shared.discovery }),
    tolerateIssuerTrailingSlash: c.tolerateIssuerTrailingSlash,
    audience: c.audience,
    clockTolerance: c.clockTolerance,
    realm: c.realm,
    hooks: c.hooks,
    warnings: c.warnings,
    ...c.jwt,
  }
}

function introspectionOptions(c: AnyVerifierConfig, shared: Shared): IntrospectionVerifierOptions {
  if (
    typeof c.adminUrl !== 'string' &&
    c.introspection?.introspectionUrl === undefined &&
    typeof c.issuer !== 'string'
  ) {
    throw new TypeError(`adminUrl is required for mode '${c.mode}' (or issuer, to discover the endpoint)`)
  }
  return {
    adminUrl: c.adminUrl,
    apiVersion: c.apiVersion,
    auth: c.adminAuth,
    issuer: c.issuer,
    ...(shared.discovery === undefined ? {} : { discovery: shared.discovery }),
    tolerateIssuerTrailingSlash: c.tolerateIssuerTrailingSlash,
    audience: c.audience,
    clockTolerance: c.clockTolerance,
    realm: c.realm,
    hooks: c.hooks,
    warnings: c.warnings,
    ...c.introspection,
  }
}

/** What the verifiers of one config share. */
interface Shared {
  /** One discovery resolver for both verifiers of a hybrid config that discover. */
  discovery?: ReturnType<typeof createIssuerMetadataResolver> | undefined
  /** The upstream client of that resolver, closed with the hybrid verifier. */
  upstream?: UpstreamClient | undefined
}

/**
 * In hybrid mode, when both verifiers would discover the issuer's metadata, one resolver serves
 * both (one discovery request instead of two). Its requests go through an upstream client of their
 * own with the JWT verifier's dispatcher, hooks and warnings, made at the first request (after the
 * verifiers have validated those options).
 */
function sharedDiscovery(c: AnyVerifierConfig): Shared {
  if (c.mode !== 'hybrid' || typeof c.issuer !== 'string') return {}
  const jwtDiscovers =
    c.jwt?.jwksUri === undefined && c.jwt?.jwks === undefined && c.jwt?.discovery === undefined
  const introspectionDiscovers =
    c.adminUrl === undefined &&
    c.introspection?.introspectionUrl === undefined &&
    c.introspection?.discovery === undefined
  if (!jwtDiscovers || !introspectionDiscovers) return {}
  const upstream = lazyUpstreamClient(() =>
    createUpstreamClient({
      // The caller's dispatcher (proxy, TLS settings) when one was passed; an own one otherwise.
      dispatcher: c.jwt?.dispatcher ?? c.introspection?.dispatcher,
      hooks: combineHooks(
        c.jwt?.hooks ?? c.hooks,
        createWarningHooks(resolveWarnings(c.jwt?.warnings ?? c.warnings)),
      ),
    }),
  )
  return {
    discovery: createIssuerMetadataResolver({
      issuer: c.issuer,
      fetch: upstreamDiscoveryFetch(upstream),
      tolerateIssuerTrailingSlash: c.tolerateIssuerTrailingSlash,
      // A bad value is left to the JWT verifier, whose error names `jwt.timeoutMs`.
      timeoutMs: validTimeout(c.jwt?.timeoutMs),
    }),
    upstream,
  }
}

function validTimeout(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined
}

/** An {@link UpstreamClient} made by `make` at its first call. */
function lazyUpstreamClient(make: () => UpstreamClient): UpstreamClient {
  let client: UpstreamClient | undefined
  let closed: Promise<void> | undefined
  return {
    send(call) {
      if (client === undefined) {
        client = make()
        if (closed !== undefined) void client.close()
      }
      return client.send(call)
    },
    close() {
      closed ??= client === undefined ? Promise.resolve() : client.close()
      return closed
    },
  }
}

/** `verifier`, whose `close()` also closes `upstream`. */
function closingAlso<V extends TokenVerifier & { close(): Promise<void> }>(
  verifier: V,
  upstream: UpstreamClient | undefined,
): V {
  if (upstream === undefined) return verifier
  let closed: Promise<void> | undefined
  return {
    ...verifier,
    close() {
      closed ??= Promise.all([verifier.close(), upstream.close()]).then(() => undefined)
      return closed
    },
  }
}

/**
 * Builds the verifier a {@link VerifierConfig} describes; throws a TypeError naming a bad, unknown
 * or misplaced option (`algorithms` belongs in `jwt`), or a missing `audience`.
 *
 * @param extraOptions Names of further top-level options the caller reads itself (adapters pass
 *   their middleware settings); every other unknown name is refused.
 */
export function createVerifier(
  verifierConfig: VerifierConfig,
  extraOptions: readonly string[] = [],
): TokenVerifier {
  if (verifierConfig === null || typeof verifierConfig !== 'object')
    throw new TypeError('config must be an object')
  checkVerifierConfigKeys(verifierConfig, extraOptions)
  const config = verifierConfig as AnyVerifierConfig
  if (config.issuers !== undefined) return createMultiIssuer(config)
  switch (config.mode) {
    case 'jwt':
      return createJwtVerifier(jwtOptions(config, {}))
    case 'introspection':
      return createIntrospectionVerifier(introspectionOptions(config, {}))
    case 'hybrid': {
      const shared = sharedDiscovery(config)
      const hybrid = createHybridVerifier({
        jwt: createJwtVerifier(jwtOptions(config, shared)),
        introspection: createIntrospectionVerifier(introspectionOptions(config, shared)),
        introspectJwts: config.introspectJwts,
        realm: config.realm,
      })
      return closingAlso(hybrid, shared.upstream)
    }
    default:
      throw new TypeError(
        `mode must be 'jwt', 'introspection' or 'hybrid', got ${JSON.stringify((config as { mode?: unknown }).mode)}`,
      )
  }
}

/** One verifier per entry of `issuers`, combined by `createMultiIssuerVerifier`. */
function createMultiIssuer(config: AnyVerifierConfig): TokenVerifier {
  if (config.mode !== 'jwt' && config.mode !== 'hybrid') {
    throw new TypeError(
      `issuers is only allowed with mode 'jwt' or 'hybrid', got ${JSON.stringify(config.mode)}`,
    )
  }
  if (config.issuer !== undefined) throw new TypeError('issuer and issuers cannot both be set')
  if (config.adminUrl !== undefined) {
    throw new TypeError('adminUrl cannot be set with issuers: give each issuers[] entry its own adminUrl')
  }
  const entries: unknown = config.issuers
  if (!Array.isArray(entries) || entries.length === 0)
    throw new TypeError('issuers must be a non-empty array')
  const built: { entry: IssuerConfig; jwt: TokenVerifier; introspection: TokenVerifier | undefined }[] = []
  try {
    entries.forEach((value: unknown, i) => {
      if (value === null || typeof value !== 'object') throw new TypeError(`issuers[${i}] must be an object`)
      const entry = value as IssuerConfig
      const at = (e: unknown): never => {
        throw new TypeError(`issuers[${i}].${e instanceof Error ? e.message : String(e)}`)
      }
      const merged: AnyVerifierConfig = {
        ...config,
        issuers: undefined,
        issuer: entry.issuer,
        audience: entry.audience ?? config.audience,
        adminUrl: entry.adminUrl,
        apiVersion: entry.apiVersion ?? config.apiVersion,
        adminAuth: entry.adminAuth ?? config.adminAuth,
        jwt: { ...config.jwt, ...entry.jwt },
        introspection: { ...config.introspection, ...entry.introspection },
      }
      let jwt: TokenVerifier
      try {
        jwt = createJwtVerifier(jwtOptions(merged, {}))
      } catch (e) {
        return at(e)
      }
      let introspection: TokenVerifier | undefined
      const hasEndpoint =
        merged.adminUrl !== undefined || merged.introspection?.introspectionUrl !== undefined
      if (config.mode === 'hybrid' && hasEndpoint) {
        try {
          introspection = createIntrospectionVerifier(introspectionOptions(merged, {}))
        } catch (e) {
          void jwt.close?.()
          return at(e)
        }
      }
      built.push({ entry, jwt, introspection })
    })
    if (config.mode === 'hybrid' && built.every((b) => b.introspection === undefined)) {
      throw new TypeError(
        "mode 'hybrid' with issuers needs an adminUrl (or introspection.introspectionUrl) on at least one issuers[] entry",
      )
    }
    return createMultiIssuerVerifier({
      realm: config.realm,
      issuers: built.map(({ entry, jwt, introspection }) => {
        const hybrid =
          introspection === undefined
            ? undefined
            : createHybridVerifier({ jwt, introspection, introspectJwts: config.introspectJwts })
        // The hybrid verifier serves this issuer's opaque tokens too (it hands them to its
        // introspection verifier), so readiness probes each endpoint once.
        return {
          issuer: entry.issuer,
          verifier: hybrid ?? jwt,
          introspection: hybrid,
          tolerateTrailingSlash:
            entry.jwt?.tolerateIssuerTrailingSlash ?? config.jwt?.tolerateIssuerTrailingSlash,
        }
      }),
    })
  } catch (e) {
    for (const b of built) void Promise.all([b.jwt.close?.(), b.introspection?.close?.()])
    throw e
  }
}
