// Option validation shared by every factory in core. Each check takes the value, the default
// used when it is `undefined`, and the option's path, and throws a TypeError that names the path:
// a misconfiguration fails at construction, never on the first request.

/** How a bad value is quoted in a message: numbers and strings as JSON, anything else by type. */
export function show(value: unknown): string {
  return typeof value === 'number' || typeof value === 'string' ? JSON.stringify(value) : typeof value
}

/** `value` is a plain object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/** A boolean option; `fallback` when undefined. */
export function bool(value: unknown, fallback: boolean, path: string): boolean {
  if (value === undefined) return fallback
  if (typeof value !== 'boolean') throw new TypeError(`${path} must be a boolean`)
  return value
}

/** A non-empty string option; `fallback` when undefined. */
export function nonEmptyString<F extends string | undefined>(
  value: unknown,
  fallback: F,
  path: string,
): string | F {
  if (value === undefined) return fallback
  if (typeof value !== 'string' || value === '') throw new TypeError(`${path} must be a non-empty string`)
  return value
}

/** A safe integer option of at least `min`; `fallback` when undefined. */
export function integer(value: unknown, fallback: number, min: number, path: string): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new TypeError(`${path} must be an integer >= ${min}, got ${show(value)}`)
  }
  return value
}

/** A finite number option of at least `min`; `fallback` when undefined. */
export function finite(value: unknown, fallback: number, min: number, path: string): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new TypeError(`${path} must be a finite number >= ${min}, got ${show(value)}`)
  }
  return value
}

/** What {@link httpUrl} accepts besides an absolute http(s) URL. */
export interface HttpUrlRules {
  /** Refuse `user:pass@` in the URL (credentials belong in an auth option). Default `false`. */
  noCredentials?: boolean | undefined
  /** Refuse a query string or a fragment. Default `false`. */
  noQuery?: boolean | undefined
}

/** An absolute `http:` / `https:` URL option, parsed. */
export function httpUrl(value: unknown, path: string, rules: HttpUrlRules = {}): URL {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${path} must be a non-empty string`)
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new TypeError(`${path} must be an absolute URL, got ${show(value)}`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`${path} must be an http: or https: URL, got ${show(value)}`)
  }
  if (rules.noCredentials === true && (url.username !== '' || url.password !== '')) {
    throw new TypeError(`${path} must not contain credentials (use the auth option)`)
  }
  if (rules.noQuery === true && (url.search !== '' || url.hash !== '' || /[?#]/.test(value))) {
    throw new TypeError(`${path} must not have a query string or a fragment`)
  }
  return url
}

/**
 * An absolute URL option of any scheme (a native app's redirect URI may be `com.example.app:/cb`),
 * parsed. For an http(s)-only URL use {@link httpUrl}.
 */
export function absoluteUrl(value: unknown, path: string): URL {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${path} must be an absolute URL`)
  try {
    return new URL(value)
  } catch {
    throw new TypeError(`${path} must be an absolute URL, got ${show(value)}`)
  }
}

/**
 * A string or a list of non-empty strings, returned as a list without duplicates; `undefined`
 * when the option is not set. An empty list is refused unless `allowEmpty`.
 */
export function stringList(value: unknown, path: string, allowEmpty = false): string[] | undefined {
  if (value === undefined) return undefined
  const list: unknown[] = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [null]
  if (list.length === 0 && !allowEmpty) throw new TypeError(`${path} must not be an empty array`)
  list.forEach((item, i) => {
    if (typeof item !== 'string' || item === '') {
      throw new TypeError(`${path}[${i}] must be a non-empty string, got ${show(item)}`)
    }
  })
  return [...new Set(list as string[])]
}

/** One of a fixed set of string values; `fallback` when undefined. */
export function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T, path: string): T {
  if (value === undefined) return fallback
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    const names = allowed.map((a) => `'${a}'`)
    const list = names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names.at(-1)}` : names[0]
    throw new TypeError(`${path} must be ${list}, got ${show(value)}`)
  }
  return value as T
}

/** An object option (not null, not an array) or `undefined`. */
export function optionalObject(
  value: unknown,
  path: string,
  what = 'an object',
): Record<string, unknown> | undefined {
  if (value === undefined) return undefined
  if (!isObject(value)) throw new TypeError(`${path} must be ${what}`)
  return value
}

const HOOK_NAMES = ['onVerify', 'onCache', 'onJwksRefresh', 'onUpstream', 'onBulkhead'] as const

/** A {@link HydrakitHooks}-shaped object: every hook set is a function. */
export function hooksObject<T extends object>(value: unknown, path = 'hooks'): T | undefined {
  const hooks = optionalObject(value, path)
  if (hooks === undefined) return undefined
  for (const name of HOOK_NAMES) {
    if (hooks[name] !== undefined && typeof hooks[name] !== 'function') {
      throw new TypeError(`${path}.${name} must be a function`)
    }
  }
  return hooks as T
}

/** An undici `Dispatcher` (anything with a `dispatch` method) or `undefined`. */
export function dispatcherOption<T>(value: unknown, path = 'dispatcher'): T | undefined {
  if (value === undefined) return undefined
  if (value === null || typeof (value as { dispatch?: unknown }).dispatch !== 'function') {
    throw new TypeError(`${path} must be an undici Dispatcher (Agent, Pool, Client)`)
  }
  return value as T
}

/** Reads one option: its value and its full path in, the validated value out (or a TypeError). */
export type OptionReader<T> = (value: unknown, path: string) => T

/** The validated options a {@link readOptions} schema describes. */
export type ReadOptions<S extends Record<string, OptionReader<unknown>>> = {
  [K in keyof S]: ReturnType<S[K]>
}

/** The full path of `key` below `prefix` (`''` for top-level options). */
export function childPath(prefix: string, key: string): string {
  return prefix === '' ? key : `${prefix}.${key}`
}

/**
 * Validates an options object against a schema of {@link OptionReader}s, one per known key, in
 * the schema's order; each TypeError names the full path (`cache.ttlMs`). The schema is the list
 * of options a factory knows, so keys outside it can be detected in one place.
 *
 * @example
 * ```ts
 * const o = readOptions(options, 'cache', { ttlMs: (v, p) => integer(v, 60_000, 0, p) })
 * ```
 */
export function readOptions<S extends Record<string, OptionReader<unknown>>>(
  options: Record<string, unknown>,
  prefix: string,
  schema: S,
): ReadOptions<S> {
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(schema)) out[key] = schema[key]!(options[key], childPath(prefix, key))
  return out as ReadOptions<S>
}

/**
 * The `audience` option every verifier requires: a string or a list of strings, or `false` to
 * accept any audience. Returns the list, or `undefined` for `false` (no `aud` check). Leaving it
 * out is a TypeError that says why it matters.
 */
export function audienceOption(value: unknown, path: string): string[] | undefined {
  if (value === false) return undefined
  if (value === undefined) {
    throw new TypeError(
      `${path} is required: Hydra puts every audience a client asked for into the token's aud, so ` +
        'without an audience check a token minted for another API is accepted here. Pass the ' +
        `audience this API expects (e.g. ${path}: 'https://api.example.com'), or ${path}: false to ` +
        'accept tokens for any audience',
    )
  }
  return stringList(value, path)
}

// Names other libraries (and hydrakit's own nested options) use, and what to write instead. Keys
// are looked up case-sensitively at the top level of a verifier configuration or `hydra()`.
const OPTION_HINTS: Readonly<Record<string, string>> = {
  // Options that exist one level down.
  algorithms: 'did you mean `jwt.algorithms`?',
  jwksUri: 'did you mean `jwt.jwksUri`?',
  jwks: 'did you mean `jwt.jwks`?',
  typ: 'did you mean `jwt.typ`?',
  allowedKids: 'did you mean `jwt.allowedKids`?',
  maxTokenAge: 'did you mean `jwt.maxTokenAge`?',
  requiredClaims: 'did you mean `jwt.requiredClaims`?',
  tolerateIssuerTrailingSlash: 'did you mean `jwt.tolerateIssuerTrailingSlash`?',
  accessTokenKeySet: 'did you mean `jwt.accessTokenKeySet`?',
  introspectionUrl: 'did you mean `introspection.introspectionUrl`?',
  cache: 'did you mean `introspection.cache`?',
  scope: 'did you mean `introspection.scope`?',
  // express-oauth2-jwt-bearer
  issuerBaseURL: "hydrakit calls it `issuer` (Hydra's urls.self.issuer)",
  issuerBaseUrl: "hydrakit calls it `issuer` (Hydra's urls.self.issuer)",
  tokenSigningAlg: 'did you mean `jwt.algorithms`?',
  authRequired: 'use `authenticate({ optional: true })` for optional authentication',
  secret: "hydrakit verifies asymmetric tokens only; keys come from the issuer's JWKS",
  validators: 'use `jwt.requiredClaims` or `requireClaims()`',
  // express-jwt / koa-jwt / jsonwebtoken
  issuerUrl: 'hydrakit calls it `issuer`',
  iss: 'hydrakit calls it `issuer`',
  aud: 'hydrakit calls it `audience`',
  audiences: 'hydrakit calls it `audience` (a string or a list)',
  credentialsRequired: 'use `authenticate({ optional: true })` for optional authentication',
  requestProperty: 'the result is always `req.auth` / `ctx.state.auth`',
  getToken: 'use the `token` option (header, query, cookie sources)',
  isRevoked: "use mode 'introspection', or 'hybrid' with `introspectJwts: true`",
  passthrough: 'use `authenticate({ optional: true })` for optional authentication',
  tokenKey: 'the result is always `ctx.state.auth`',
  key: 'the result is always `ctx.state.auth`',
  clockTimestamp: 'use `clockTolerance` (seconds); tests can fake the clock',
  // jwks-rsa
  jwksRequestsPerMinute: 'did you mean `jwt.cooldownMs`?',
  rateLimit: 'did you mean `jwt.cooldownMs`?',
  cacheMaxAge: 'did you mean `jwt.cacheMaxAgeMs`?',
  timeout: 'did you mean `jwt.timeoutMs` or `introspection.timeoutMs`?',
  // Hydra / OAuth spellings
  introspectionEndpoint: 'did you mean `adminUrl` (or `introspection.introspectionUrl`)?',
  adminURL: 'did you mean `adminUrl`?',
  issuerURL: 'hydrakit calls it `issuer`',
  clientId: 'did you mean `adminAuth` (credentials for the admin API)?',
  clientSecret: 'did you mean `adminAuth` (credentials for the admin API)?',
}

/**
 * Throws a TypeError naming the first key of `options` that is not in `known`, with a hint when
 * the name belongs elsewhere (`algorithms` → `jwt.algorithms`) or to another library
 * (`issuerBaseURL` → `issuer`). Catches typos and misplaced options that TypeScript would catch,
 * for plain JavaScript and for configurations built at runtime.
 */
export function rejectUnknownOptions(
  options: Record<string, unknown>,
  known: Iterable<string>,
  prefix: string,
  hints: Readonly<Record<string, string>> = OPTION_HINTS,
): void {
  const allowed = known instanceof Set ? (known as ReadonlySet<string>) : new Set(known)
  for (const key of Object.keys(options)) {
    if (allowed.has(key)) continue
    const hint = Object.hasOwn(hints, key) ? hints[key] : suggestion(key, allowed)
    throw new TypeError(
      `${childPath(prefix, key)} is not a known option${hint === undefined ? '' : `: ${hint}`}`,
    )
  }
}

/** The known option spelled closest to `key` (case, one edit, or a shortened name), as a hint. */
function suggestion(key: string, known: ReadonlySet<string>): string | undefined {
  const lower = key.toLowerCase()
  const near = (name: string): boolean =>
    name.toLowerCase() === lower ||
    withinOneEdit(name, key) ||
    (key.length >= 4 && name.toLowerCase().startsWith(lower))
  for (const name of known) if (near(name)) return `did you mean \`${name}\`?`
  return undefined
}

function withinOneEdit(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false
  let i = 0
  while (i < a.length && i < b.length && a[i] === b[i]) i++
  let j = 0
  while (j < a.length - i && j < b.length - i && a[a.length - 1 - j] === b[b.length - 1 - j]) j++
  return a.length - i - j <= 1 && b.length - i - j <= 1
}
