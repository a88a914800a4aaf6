import type { MockClock } from './clock.js'
import type { MockCallCounts, MockRequestRecord } from './operations.js'
import type { ResolvedOptions } from './options.js'
import type { ClientStore } from './store/clients.js'
import type { FlowStore } from './store/flows.js'
import type { KeyStore } from './store/keys.js'
import type { LogoutStore } from './store/logouts.js'
import type { SessionStore } from './store/sessions.js'
import type { TokenStore } from './store/tokens.js'
import type { TrustStore } from './store/trust.js'

/** The URLs the mock answers on, known once both listeners are bound. */
export interface MockUrls {
  /** Public base URL without trailing slash. */
  public: string
  /** Admin base URL without trailing slash. */
  admin: string
  issuer: string
  login: string
  consent: string
  logout: string
  error: string
  postLogoutRedirect: string
}

/** Everything a handler needs; one per mock instance. */
export interface MockState {
  readonly options: ResolvedOptions
  readonly clock: MockClock
  readonly keys: KeyStore
  readonly clients: ClientStore
  readonly tokens: TokenStore
  readonly flows: FlowStore
  readonly sessions: SessionStore
  readonly logouts: LogoutStore
  /** Trusted issuers of the RFC 7523 JWT-bearer grant. */
  readonly trust: TrustStore
  readonly urls: MockUrls
  readonly pairwiseSalt: string
  readonly calls: MockCallCounts
  readonly requests: MockRequestRecord[]
}
