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
