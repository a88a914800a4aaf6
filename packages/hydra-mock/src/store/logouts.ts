import { randomToken } from '../util/random.js'

/** A logout request (DB-backed in Hydra v26, so it has real state: accepted, handled). */
export interface LogoutRequest {
  readonly challenge: string
  readonly subject: string
  readonly sid: string
  readonly requestUrl: string
  readonly rpInitiated: boolean
  readonly clientId: string | undefined
  /** Validated `post_logout_redirect_uri` (RP-initiated only). */
  readonly postLogoutRedirectUri: string | undefined
  readonly state: string | undefined
  /** Mock times in ms. */
  readonly requestedAt: number
  readonly expiresAt: number
  accepted: boolean
  /** Set when the verifier came back: the logout is done. */
  handled: boolean
  verifier: string | undefined
}

/** Logout requests by challenge and by verifier. */
export class LogoutStore {
  private readonly byChallenge = new Map<string, LogoutRequest>()
  private readonly byVerifier = new Map<string, LogoutRequest>()

  /** Stores a new logout request with a fresh 256-bit challenge. */
  create(init: Omit<LogoutRequest, 'challenge' | 'accepted' | 'handled' | 'verifier'>): LogoutRequest {
    const req: LogoutRequest = {
      ...init,
      challenge: randomToken(32),
      accepted: false,
      handled: false,
      verifier: undefined,
    }
    this.byChallenge.set(req.challenge, req)
    return req
  }

  /** The request of a challenge, or `undefined` (unknown or rejected). */
  get(challenge: string): LogoutRequest | undefined {
    return this.byChallenge.get(challenge)
  }

  /** Accepts the request and returns its verifier (the same one on every accept). */
  accept(req: LogoutRequest): string {
    req.accepted = true
    if (req.verifier === undefined) {
      req.verifier = randomToken(32)
      this.byVerifier.set(req.verifier, req)
    }
    return req.verifier
  }

  /** Rejecting deletes the request, as Hydra does. */
  reject(req: LogoutRequest): void {
    this.byChallenge.delete(req.challenge)
    if (req.verifier) this.byVerifier.delete(req.verifier)
  }

  /** The request an accept's verifier belongs to, or `undefined`. */
  byVerifierValue(verifier: string): LogoutRequest | undefined {
    return this.byVerifier.get(verifier)
  }
}
