import { absoluteUrl as parseAbsoluteUrl } from '../options/validate.js'

/** Options of {@link createProtectedResourceMetadata} (RFC 9728 §2). */
export interface ProtectedResourceOptions {
  /** The resource identifier: an https URL without fragment, e.g. `https://api.example.com`. Required. */
  resource: string
  /** Issuer URLs of the authorization servers (your Hydra's issuer). Required, at least one. */
  authorizationServers: readonly string[]
  /** Scopes the resource understands. Optional. */
  scopesSupported?: readonly string[] | undefined
  /**
   * How a bearer token may be sent. Default: derived from the adapter's token extraction
   * (`header`, plus `body`/`query` when those are enabled).
   */
  bearerMethodsSupported?: ReadonlyArray<'header' | 'body' | 'query'> | undefined
  /** Human-readable name. */
  resourceName?: string | undefined
  /** URL of developer documentation. */
  resourceDocumentation?: string | undefined
  /** Any further metadata members (RFC 9728 §2); they cannot override the members above. */
  extra?: Record<string, unknown> | undefined
}

/** The served document and where it lives. */
export interface ProtectedResourceMetadata {
  /** Absolute URL of the document: the `resource_metadata` value in challenges. */
  url: string
  /** Path the adapter serves it on, e.g. `/.well-known/oauth-protected-resource`. */
  path: string
  /** The JSON document. */
  body: string
}

const WELL_KNOWN = '/.well-known/oauth-protected-resource'

/** An absolute URL without a fragment; https only (bar loopback http) when `requireHttps`. */
function absoluteUrl(value: unknown, option: string, requireHttps: boolean): URL {
  const url = parseAbsoluteUrl(value, option)
  if (url.hash !== '') throw new TypeError(`${option} must not have a fragment`)
  const loopback = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]'
  if (requireHttps && url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new TypeError(`${option} must use https (http is allowed for localhost only)`)
  }
  return url
}

/**
 * Builds RFC 9728 protected-resource metadata. The document URL is formed as §3.1 says: the
 * well-known segment goes between the host and the resource's path
 * (`https://api.example.com/orders` → `https://api.example.com/.well-known/oauth-protected-resource/orders`).
 */
export function createProtectedResourceMetadata(
  options: ProtectedResourceOptions,
  defaults: { bearerMethods?: ReadonlyArray<'header' | 'body' | 'query'> } = {},
  optionPath = 'protectedResource',
): ProtectedResourceMetadata {
  if (options === null || typeof options !== 'object') throw new TypeError(`${optionPath} must be an object`)
  const resource = absoluteUrl(options.resource, `${optionPath}.resource`, true)
  if (resource.search !== '') throw new TypeError(`${optionPath}.resource should not have a query`)
  const servers = options.authorizationServers
  if (!Array.isArray(servers) || servers.length === 0) {
    throw new TypeError(`${optionPath}.authorizationServers must be a non-empty array of issuer URLs`)
  }
  servers.forEach((s, i) => absoluteUrl(s, `${optionPath}.authorizationServers[${i}]`, false))
  const scopes = options.scopesSupported
  if (
    scopes !== undefined &&
    (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string' && s !== ''))
  ) {
    throw new TypeError(`${optionPath}.scopesSupported must be an array of scopes`)
  }
  const methods = options.bearerMethodsSupported ?? defaults.bearerMethods ?? ['header']
  if (!Array.isArray(methods) || !methods.every((m) => m === 'header' || m === 'body' || m === 'query')) {
    throw new TypeError(`${optionPath}.bearerMethodsSupported may contain 'header', 'body' and 'query' only`)
  }
  if (options.resourceDocumentation !== undefined) {
    absoluteUrl(options.resourceDocumentation, `${optionPath}.resourceDocumentation`, false)
  }
  const path = WELL_KNOWN + (resource.pathname === '/' ? '' : resource.pathname.replace(/\/$/, ''))
  const doc: Record<string, unknown> = {
    ...(options.extra ?? {}),
    resource: options.resource,
    authorization_servers: Array.from<string>(servers),
    bearer_methods_supported: Array.from<string>(methods),
  }
  if (scopes !== undefined) doc.scopes_supported = Array.from<string>(scopes)
  if (options.resourceName !== undefined) doc.resource_name = String(options.resourceName)
  if (options.resourceDocumentation !== undefined) doc.resource_documentation = options.resourceDocumentation
  return { url: resource.origin + path, path, body: JSON.stringify(doc) }
}
