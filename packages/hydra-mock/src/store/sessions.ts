import { wildcardScopeMatch } from '../scope.js'

/** An authentication session of a browser (Hydra's login session, cookie `ory_hydra_session`). */
export interface LoginSession {
  /** Session id, the ID token's `sid`. */
  readonly id: string
  readonly subject: string
  /** Mock time (ms) of the authentication. */
  authTime: number
  /** Whether the browser got a cookie for it (login accepted with `remember: true`). */
  remembered: boolean
  /** Mock time (ms) it ends; `undefined` = with the browser session. */
  expiresAt: number | undefined
  readonly identityProviderSessionId: string | undefined
}

/** A granted consent (Hydra's consent session). */
export interface ConsentSession {
  readonly consentRequestId: string
  readonly subject: string
  readonly clientId: string
  readonly loginSessionId: string
  readonly grantScope: readonly string[]
  readonly grantAudience: readonly string[]
  readonly remember: boolean
  /** Seconds; 0 = forever. */
  readonly rememberFor: number
  /** Mock time (ms) of the accept. */
  readonly handledAt: number
  readonly session: { access_token: Record<string, unknown>; id_token: Record<string, unknown> }
  readonly context: unknown
  /** The consent request as the admin API showed it (for `listOAuth2ConsentSessions`). */
  readonly consentRequest: Record<string, unknown>
}

/** Login sessions and consent sessions. */
export class SessionStore {
  private readonly logins = new Map<string, LoginSession>()
  private consents: ConsentSession[] = []

  /** Creates or replaces a login session. */
  putLogin(session: LoginSession): LoginSession {
    this.logins.set(session.id, session)
    return session
  }

  /** The login session `id` when it exists, was remembered and has not ended at `now`. */
  validLogin(id: string | undefined, now: number): LoginSession | undefined {
    if (id === undefined) return undefined
    const s = this.logins.get(id)
    if (!s || !s.remembered) return undefined
    if (s.expiresAt !== undefined && s.expiresAt <= now) return undefined
    return s
  }

  /** Any stored login session by id (remembered or not). */
  login(id: string): LoginSession | undefined {
    return this.logins.get(id)
  }

  /** Deletes login sessions by subject and/or id. Returns how many were deleted. */
  revokeLogins(filter: { subject?: string | undefined; sid?: string | undefined }): number {
    let n = 0
    for (const [id, s] of this.logins) {
      if (filter.sid !== undefined && id !== filter.sid) continue
      if (filter.subject !== undefined && s.subject !== filter.subject) continue
      this.logins.delete(id)
      n++
    }
    return n
  }

  /** Records a granted consent. */
  addConsent(session: ConsentSession): void {
    this.consents.push(session)
  }

  /**
   * A remembered, unexpired consent of `subject` for `clientId` that covers every requested
   * scope (wildcard strategy) and audience, newest first, as Hydra looks for one to skip consent.
   */
  rememberedConsent(
    subject: string,
    clientId: string,
    scopes: readonly string[],
    audience: readonly string[],
    now: number,
  ): ConsentSession | undefined {
    for (let i = this.consents.length - 1; i >= 0; i--) {
      const c = this.consents[i]!
      if (c.subject !== subject || c.clientId !== clientId || !c.remember) continue
      if (c.rememberFor > 0 && c.handledAt + c.rememberFor * 1000 <= now) continue
      if (!scopes.every((s) => wildcardScopeMatch(c.grantScope, s))) continue
      if (!audience.every((a) => c.grantAudience.includes(a))) continue
      return c
    }
    return undefined
  }

  /** Consent sessions of a subject (optionally of one login session), newest first. */
  listConsents(subject: string, loginSessionId?: string): ConsentSession[] {
    return this.consents
      .filter(
        (c) => c.subject === subject && (loginSessionId === undefined || c.loginSessionId === loginSessionId),
      )
      .reverse()
  }

  /** Deletes consent sessions matching the filter; returns the deleted ones. */
  revokeConsents(filter: {
    subject?: string | undefined
    clientId?: string | undefined
    consentRequestId?: string | undefined
  }): ConsentSession[] {
    const removed: ConsentSession[] = []
    this.consents = this.consents.filter((c) => {
      const match =
        (filter.subject === undefined || c.subject === filter.subject) &&
        (filter.clientId === undefined || c.clientId === filter.clientId) &&
        (filter.consentRequestId === undefined || c.consentRequestId === filter.consentRequestId)
      if (match) removed.push(c)
      return !match
    })
    return removed
  }

  /** Deletes everything that belongs to a client (when the client is deleted). */
  forgetClient(clientId: string): void {
    this.consents = this.consents.filter((c) => c.clientId !== clientId)
  }
}
