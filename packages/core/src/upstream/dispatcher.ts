import { Agent, type Dispatcher } from 'undici'

// The one place in core that creates undici dispatchers: verifiers and Hydra clients given no
// `dispatcher` option own one of these and close it in their `close()`.

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

/** A keep-alive undici `Agent` owned by its caller, which closes it. */
export function createOwnedDispatcher(options: OwnedDispatcherOptions = {}): Dispatcher {
  const settings: Agent.Options = {}
  if (options.keepAliveTimeout !== undefined) settings.keepAliveTimeout = options.keepAliveTimeout
  if (options.keepAliveMaxTimeout !== undefined) settings.keepAliveMaxTimeout = options.keepAliveMaxTimeout
  if (options.connections !== undefined) settings.connections = options.connections
  return new Agent(settings)
}
