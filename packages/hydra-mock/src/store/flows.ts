import { randomToken, uuid } from '../util/random.js'

/** A validated authorization request, as the flow keeps it. */
export interface AuthorizeParams {
  readonly clientId: string
  /** The redirect URI the response goes to (given, or the client's only registered one). */
  readonly redirectUri: string
  /** Whether `redirect_uri` was in the request; then the token request must repeat it. */
  readonly redirectUriGiven: boolean
  readonly scopes: readonly string[]
  readonly audience: readonly string[]
  readonly state: string
  readonly nonce: string | undefined
  readonly codeChallenge: string | undefined
  readonly codeChallengeMethod: string | undefined
  readonly prompt: readonly string[]
  /** `max_age` in seconds. */
  readonly maxAge: number | undefined
  readonly acrValues: readonly string[]
  readonly display: string | undefined
  readonly loginHint: string | undefined
  readonly uiLocales: readonly string[]
  readonly idTokenHintClaims: Record<string, unknown> | undefined
}

/** The body of an accepted login request. */
export interface LoginAcceptance {
  readonly subject: string
  readonly remember: boolean
  /** Seconds; 0 = browser-session cookie. */
  readonly rememberFor: number
  readonly acr: string | undefined
  readonly amr: readonly string[] | undefined
  readonly context: unknown
  readonly forceSubjectIdentifier: string | undefined
  readonly extendSessionLifespan: boolean
  readonly identityProviderSessionId: string | undefined
}

/** The body of an accepted consent request. */
export interface ConsentAcceptance {
  readonly grantScope: readonly string[]
  readonly grantAudience: readonly string[]
  readonly remember: boolean
  /** Seconds; 0 = forever. */
  readonly rememberFor: number
  readonly accessTokenSession: Record<string, unknown>
  readonly idTokenSession: Record<string, unknown>
  readonly context: unknown
}

/** The body of a rejected login or consent request, with Hydra's defaults applied. */
export interface Rejection {
  readonly error: string
  readonly errorDescription: string
  readonly errorHint: string | undefined
  readonly statusCode: number
}

/** What a verifier carries back to `/oauth2/auth`. */
export type VerifierOutcome =
  | { readonly type: 'accept-login'; readonly login: LoginAcceptance; readonly acceptedAt: number }
  | { readonly type: 'accept-consent'; readonly consent: ConsentAcceptance; readonly acceptedAt: number }
  | { readonly type: 'reject'; readonly rejection: Rejection }

/** One browser flow through `/oauth2/auth`: its login step and, later, its consent step. */
export interface Flow {
  readonly id: string
  readonly loginChallenge: string
  readonly requestUrl: string
  readonly params: AuthorizeParams
  /** Mock time (ms) the authorization request arrived. */
  readonly requestedAt: number
  readonly loginSkip: boolean
  /** The remembered subject when `loginSkip`, else `''`. */
  readonly loginSubject: string
  /** Login session id (`sid`): the remembered session's, or a new one. */
  readonly loginSessionId: string
  readonly loginCsrf: string
  /** Set once the login verifier came back to `/oauth2/auth`. */
  loginUsed: boolean
  /** The login that was accepted, with the time of authentication (ms). */
  login?: LoginAcceptance & { readonly authTime: number }
  consentChallenge?: string
  consentRequestId?: string
  consentRequestedAt?: number
  consentSkip?: boolean
  consentCsrf?: string
  /** Set once the consent verifier came back to `/oauth2/auth`. */
  consentUsed: boolean
}

interface VerifierEntry {
  readonly flowId: string
  readonly kind: 'login' | 'consent'
  readonly outcome: VerifierOutcome
}

/**
 * Login/consent flows and their verifiers. Challenges and verifiers are 256-bit random strings;
 * flows older than twice the challenge lifetime are pruned as new ones arrive.
 */
export class FlowStore {
  private readonly flows = new Map<string, Flow>()
  private readonly byLogin = new Map<string, string>()
  private readonly byConsent = new Map<string, string>()
  private readonly verifiers = new Map<string, VerifierEntry>()
  private inserts = 0

  constructor(private readonly maxAgeMs: () => number) {}

  /** Starts a flow and returns it (with its new login challenge). */
  create(
    init: Omit<Flow, 'id' | 'loginChallenge' | 'loginCsrf' | 'loginUsed' | 'consentUsed'>,
    now: number,
  ): Flow {
    this.prune(now)
    const flow: Flow = {
      ...init,
      id: uuid(),
      loginChallenge: randomToken(32),
      loginCsrf: randomToken(24),
      loginUsed: false,
      consentUsed: false,
    }
    this.flows.set(flow.id, flow)
    this.byLogin.set(flow.loginChallenge, flow.id)
    return flow
  }

  /** Moves a flow to its consent step: new consent challenge, request id and CSRF value. */
  startConsent(flow: Flow, skip: boolean, now: number): Flow {
    flow.consentChallenge = randomToken(32)
    flow.consentRequestId = uuid()
    flow.consentRequestedAt = now
    flow.consentSkip = skip
    flow.consentCsrf = randomToken(24)
    this.byConsent.set(flow.consentChallenge, flow.id)
    return flow
  }

  /** The flow of a login challenge, or `undefined`. */
  byLoginChallenge(challenge: string): Flow | undefined {
    const id = this.byLogin.get(challenge)
    return id === undefined ? undefined : this.flows.get(id)
  }

  /** The flow of a consent challenge, or `undefined`. */
  byConsentChallenge(challenge: string): Flow | undefined {
    const id = this.byConsent.get(challenge)
    return id === undefined ? undefined : this.flows.get(id)
  }

  /** Issues a verifier for an accept or reject. Every call gives a new one (stateless, like v26). */
  issueVerifier(flow: Flow, kind: 'login' | 'consent', outcome: VerifierOutcome): string {
    const verifier = randomToken(32)
    this.verifiers.set(verifier, { flowId: flow.id, kind, outcome })
    return verifier
  }

  /** Looks a verifier up (it stays stored so that a replay can be told apart from garbage). */
  verifier(
    verifier: string,
    kind: 'login' | 'consent',
  ): { flow: Flow; outcome: VerifierOutcome } | undefined {
    const entry = this.verifiers.get(verifier)
    if (!entry || entry.kind !== kind) return undefined
    const flow = this.flows.get(entry.flowId)
    return flow ? { flow, outcome: entry.outcome } : undefined
  }

  private prune(now: number): void {
    if (++this.inserts % 500 !== 0) return
    const cutoff = now - 2 * this.maxAgeMs()
    const dead = new Set<string>()
    for (const [id, flow] of this.flows) {
      if (flow.requestedAt < cutoff) {
        dead.add(id)
        this.flows.delete(id)
        this.byLogin.delete(flow.loginChallenge)
        if (flow.consentChallenge) this.byConsent.delete(flow.consentChallenge)
      }
    }
    if (dead.size === 0) return
    for (const [v, entry] of this.verifiers) if (dead.has(entry.flowId)) this.verifiers.delete(v)
  }
}
