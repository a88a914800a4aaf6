import type * as UndiciModule from 'undici'
import type { Dispatcher } from 'undici'

// The one place in core that creates undici dispatchers, and the one place that loads undici: at
// the first outbound call, not at import, so that an app (a resource server with static keys, a
// CLI, a test) that never calls out does not pay for loading it. Upstream clients given no
// `dispatcher` option own one of these and close it in their `close()`.

type Undici = typeof UndiciModule

let undici: Promise<Undici> | undefined

/** undici, imported on first use and shared afterwards. */
export function loadUndici(): Promise<Undici> {
  undici ??= import('undici')
  return undici
}

/** Connection-pool settings of an owned dispatcher. */
export interface OwnedDispatcherOptions {
  /** Idle keep-alive time of a connection, in milliseconds. Default: undici's (4000). */
  keepAliveTimeout?: number | undefined
  /** Upper bound of a keep-alive time a server may ask for, in milliseconds. Default: undici's (600000). */
  keepAliveMaxTimeout?: number | undefined
  /** Most connections per origin. Default: unlimited. */
  connections?: number | undefined
}

/** Keep-alive settings of the Hydra clients and the introspection verifier. */
export const KEEP_ALIVE: OwnedDispatcherOptions = { keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000 }

/** A keep-alive undici `Agent` owned by its caller, which closes it. Loads undici if needed. */
export async function createOwnedDispatcher(options: OwnedDispatcherOptions = {}): Promise<Dispatcher> {
  const { Agent } = await loadUndici()
  const settings: ConstructorParameters<typeof Agent>[0] = {}
  if (options.keepAliveTimeout !== undefined) settings.keepAliveTimeout = options.keepAliveTimeout
  if (options.keepAliveMaxTimeout !== undefined) settings.keepAliveMaxTimeout = options.keepAliveMaxTimeout
  if (options.connections !== undefined) settings.connections = options.connections
  return new Agent(settings)
}
