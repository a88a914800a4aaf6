// Several trusted issuers behind one verifier: a composition over per-issuer verifiers. A JWT's
// unverified `iss` only picks which verifier runs; that verifier then checks everything (signature
// against its own key set, `iss` again, audience, pinning). Nothing here fetches or verifies.

import type { AuthInfo } from '../auth-info.js'
import type { InvalidationResult } from '../cache/invalidation.js'
import { VerifierNotReadyError, type ReadinessUpstream } from '../diagnostics/check.js'
import { HydrakitError, InvalidTokenError } from '../errors/errors.js'
import type { TokenVerifier, VerifyCallOptions } from '../verifier.js'
import { decodeCompactPayload, parseCompactJws } from './compact-jws.js'
import { isVerifier, NOTHING, type Revocable } from './composite.js'

/** One trusted issuer of a {@link createMultiIssuerVerifier}. */
export interface IssuerRoute {
  /**
   * The issuer, compared with a JWT's `iss` as an exact string: `https://auth.example` and
   * `https://auth.example/` are different issuers unless {@link tolerateTrailingSlash} is set.
   * Required; no two routes may claim the same `iss`.
   */
  issuer: string
  /**
   * Verifies the JWTs whose `iss` is {@link issuer}, with this issuer's own key set, audience and
   * pinning, e.g. `createJwtVerifier({ issuer, audience })` or a hybrid verifier. Required.
   */
  verifier: TokenVerifier
  /**
   * Verifies opaque (non-JWT) tokens for this issuer, e.g. `createIntrospectionVerifier({ adminUrl,
   * issuer })`. Opaque tokens carry no issuer, so they are offered to the routes that have one, in
   * list order (see {@link MultiIssuerVerifier.verify}). Default: none (this issuer's opaque tokens
   * are not accepted).
   */
  introspection?: TokenVerifier | undefined
  /**
   * Also route an `iss` that differs from {@link issuer} by one trailing slash to this issuer. The
   * route's `verifier` must then accept that form too (`tolerateIssuerTrailingSlash` of the JWT
   * verifier). Default `false`.
   */
  tolerateTrailingSlash?: boolean | undefined
}

/** Options of {@link createMultiIssuerVerifier}. */
export interface MultiIssuerVerifierOptions {
  /** The trusted issuers, at least one. Their order only matters for opaque tokens. Required. */
  issuers: readonly IssuerRoute[]
  /** `realm` of the challenges built for this verifier. Default: the first route's verifier's `realm`. */
  realm?: string | undefined
}

/** A {@link TokenVerifier} that trusts several issuers, each with its own verifier. */
export interface MultiIssuerVerifier extends TokenVerifier {
  readonly realm: string
  /** The configured issuers, in order. */
  readonly issuers: readonly string[]
  /**
   * Verifies `token`. A JWT goes to the verifier of the issuer its `iss` names; a JWT without a
   * string `iss`, or naming an issuer that is not configured, is refused with 401 (reason
   * `issuer`) before any network call. An opaque token is offered to each route's `introspection`
   * verifier in list order: the first that accepts it wins; when none does, the refusal is 503 if
   * any of them was unreachable (a token is never called invalid while its issuer is down), else
   * the last 401.
   */
  verify(token: string, options?: VerifyCallOptions): Promise<AuthInfo>
  /** Settles a JWT synchronously when its issuer's verifier can; `undefined` means "call {@link verify}". */
  verifyNow(token: string): AuthInfo | undefined
  /**
   * Passes `revoke(token)` on to each route's `introspection` verifier (else its `verifier`) that
   * supports it; resolves with the first result.
   */
  revoke(token: string): Promise<InvalidationResult>
  /** Passes `invalidate(subject?)` on like {@link revoke}. */
  invalidate(subject?: string): Promise<InvalidationResult>
  /**
   * Readiness probe of every issuer at once: runs each route's `verifier.check()` and
   * `introspection.check()` (those that exist) concurrently and resolves when all pass. Otherwise
   * it waits for the others and rejects with one `VerifierNotReadyError` whose message names each
   * failing issuer with what is wrong there (`issuer "https://b.example/": fetching the JWKS from
   * … failed: …`). Its `upstream`, `url`, `status` and `hint` are those of the first failure in
   * list order. Its `cause` is the probe's own error when one probe failed, or an `AggregateError`
   * of the per-issuer errors when several did. A hybrid route verifier probes the route's
   * introspection endpoint too; the same failure is reported once.
   */
  check(): Promise<void>
  /** Closes every route's verifiers. Idempotent. */
  close(): Promise<void>
}

/**
 * A failed readiness probe of `issuer`, as an error whose message starts with the issuer and keeps
 * the probe's details. A custom verifier's check may throw anything: its message is kept, and the
 * upstream is the one its slot stands for.
 */
function namingIssuer(issuer: string, upstream: ReadinessUpstream, error: unknown): VerifierNotReadyError {
  const inner = error instanceof VerifierNotReadyError ? error : undefined
  const detail = error instanceof Error ? error.message : String(error)
  return new VerifierNotReadyError(`issuer ${JSON.stringify(issuer)}: ${detail}`, {
    upstream: inner?.upstream ?? upstream,
    url: inner?.url,
    status: inner?.status,
    hint: inner?.hint,
    cause: error,
  })
}

function trailingSlashVariant(issuer: string): string {
  return issuer.endsWith('/') ? issuer.slice(0, -1) : `${issuer}/`
}

/**
 * Combines one verifier per trusted issuer. Options are validated now; a bad one throws a
 * TypeError naming it (`issuers[1].issuer`, ...).
 *
 * @example
 * ```ts
 * const verifier = createMultiIssuerVerifier({
 *   issuers: [
 *     { issuer: 'https://eu.auth.example', verifier: createJwtVerifier({ issuer: 'https://eu.auth.example', audience: 'api' }) },
 *     { issuer: 'https://us.auth.example', verifier: createJwtVerifier({ issuer: 'https://us.auth.example', audience: 'api' }) },
 *   ],
 * })
 * ```
 */
export function createMultiIssuerVerifier(options: MultiIssuerVerifierOptions): MultiIssuerVerifier {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object')
  const list: unknown = options.issuers
  if (!Array.isArray(list) || list.length === 0) throw new TypeError('issuers must be a non-empty array')
  const issuers = options.issuers
  const byIssuer = new Map<string, IssuerRoute>()
  const introspectors: TokenVerifier[] = []
  const all = new Set<TokenVerifier>()
  issuers.forEach((route: IssuerRoute, i) => {
    const at = `issuers[${i}]`
    if (route === null || typeof route !== 'object') throw new TypeError(`${at} must be an object`)
    if (typeof route.issuer !== 'string' || route.issuer === '') {
      throw new TypeError(`${at}.issuer must be a non-empty string`)
    }
    if (!isVerifier(route.verifier)) throw new TypeError(`${at}.verifier must be a TokenVerifier`)
    if (route.introspection !== undefined && !isVerifier(route.introspection)) {
      throw new TypeError(`${at}.introspection must be a TokenVerifier`)
    }
    const tolerate = route.tolerateTrailingSlash ?? false
    if (typeof tolerate !== 'boolean') throw new TypeError(`${at}.tolerateTrailingSlash must be a boolean`)
    const names = tolerate ? [route.issuer, trailingSlashVariant(route.issuer)] : [route.issuer]
    for (const name of names) {
      if (byIssuer.has(name)) throw new TypeError(`${at}.issuer: ${JSON.stringify(name)} is configured twice`)
      byIssuer.set(name, route)
    }
    all.add(route.verifier)
    if (route.introspection !== undefined) {
      introspectors.push(route.introspection)
      all.add(route.introspection)
    }
  })
  const first = issuers[0] as IssuerRoute
  const realm = options.realm ?? first.verifier.realm
  if (typeof realm !== 'string' || realm === '') throw new TypeError('realm must be a non-empty string')
  const names = issuers.map((r) => r.issuer)

  /** The route of a JWT-shaped token, `null` for an opaque one; throws for an unknown issuer. */
  function routeOf(token: string): IssuerRoute | null {
    const jws = parseCompactJws(token)
    if (jws === undefined) return null
    const payload = decodeCompactPayload(token, jws)
    // A malformed payload is the first issuer's verifier's to refuse, with its usual reason.
    if (payload === undefined) return first
    const iss = payload.iss
    const route = typeof iss === 'string' ? byIssuer.get(iss) : undefined
    if (route !== undefined) return route
    throw new InvalidTokenError({
      description: 'issuer mismatch',
      reason: 'issuer',
      realm,
      debug: { iss: typeof iss === 'string' ? iss : undefined, expectedIssuer: names },
    })
  }

  async function introspect(token: string, callOptions: VerifyCallOptions | undefined): Promise<AuthInfo> {
    // Without an introspection endpoint, an opaque token is refused the way a JWT verifier refuses it.
    if (introspectors.length === 0) return first.verifier.verify(token, callOptions)
    let unavailable: HydrakitError | undefined
    let invalid: unknown
    for (const introspection of introspectors) {
      try {
        return await introspection.verify(token, callOptions)
      } catch (error) {
        if (!(error instanceof HydrakitError)) throw error
        if (error.status === 503) unavailable ??= error
        else if (error.status === 401) invalid = error
        else throw error
      }
    }
    throw unavailable ?? invalid
  }

  // Revocation state lives in the introspection verifiers (a hybrid route verifier only passes it on).
  const revocables = issuers.map((r) => (r.introspection ?? r.verifier) as Revocable)
  const each = (
    call: (v: Revocable) => Promise<InvalidationResult> | undefined,
  ): Promise<InvalidationResult> =>
    Promise.all(revocables.map((v) => call(v) ?? Promise.resolve(undefined))).then(
      (results) => results.find((r) => r !== undefined) ?? NOTHING,
    )

  /** Every route's probes, each failure wrapped in an error that names the route's issuer. */
  async function check(): Promise<void> {
    const probes = issuers.flatMap((route) => {
      const slots: [TokenVerifier, ReadinessUpstream][] = [[route.verifier, 'jwks']]
      if (route.introspection !== undefined && route.introspection !== route.verifier) {
        slots.push([route.introspection, 'introspection'])
      }
      return slots.map(([verifier, upstream]) =>
        Promise.resolve()
          .then(() => verifier.check?.())
          .then(
            () => undefined,
            (error: unknown) => ({
              issuer: route.issuer,
              error: namingIssuer(route.issuer, upstream, error),
            }),
          ),
      )
    })
    const failed = (await Promise.all(probes)).filter((f) => f !== undefined)
    // A hybrid route verifier probes the route's introspection endpoint as well: report it once.
    const failures: VerifierNotReadyError[] = []
    for (const { error } of failed) {
      if (!failures.some((f) => f.message === error.message)) failures.push(error)
    }
    const [firstFailure] = failures
    if (firstFailure === undefined) return
    if (failures.length === 1) throw firstFailure
    const failing = new Set(failed.map((f) => f.issuer)).size
    throw new VerifierNotReadyError(
      `${failing} of ${issuers.length} issuers are not ready: ${failures.map((f) => f.message).join('; ')}`,
      {
        upstream: firstFailure.upstream,
        url: firstFailure.url,
        status: firstFailure.status,
        hint: firstFailure.hint,
        cause: new AggregateError(failures, 'the readiness probes that failed'),
      },
    )
  }

  let closed: Promise<void> | undefined

  return {
    realm,
    issuers: names,
    async verify(token, callOptions) {
      const route = routeOf(token)
      return route === null ? introspect(token, callOptions) : route.verifier.verify(token, callOptions)
    },
    verifyNow(token) {
      const route = routeOf(token)
      return route === null ? undefined : route.verifier.verifyNow?.(token)
    },
    revoke: (token) => each((v) => v.revoke?.(token)),
    invalidate: (subject) => each((v) => v.invalidate?.(subject)),
    check,
    close() {
      closed ??= Promise.all([...all].map((v) => v.close?.() ?? Promise.resolve())).then(() => undefined)
      return closed
    },
  }
}
