import { randomBytes } from 'node:crypto'
import { HydrakitError, InvalidTokenError } from '../errors/errors.js'
import type { JwksStatus } from '../jwks/jwks-cache.js'
import { sanitizeText } from '../text/sanitize.js'
import type { TokenVerifier } from '../verifier.js'
import { upstreamHint } from './hints.js'

// The readiness probe behind `verifier.check()` and the adapters' `auth.ready()`: one real call
// to each upstream a verifier depends on, and an error that says exactly what is wrong.

/** Which upstream a {@link VerifierNotReadyError} is about. */
export type ReadinessUpstream = 'jwks' | 'introspection'

/**
 * Thrown by `check()` / `ready()` when an upstream the verifier needs cannot be used. The message
 * names the upstream, the URL, the cause and, when one is known, the likely fix. Server side only:
 * never send it to a client.
 */
export class VerifierNotReadyError extends Error {
  /** Stable code for programmatic checks. */
  readonly code = 'ERR_HYDRAKIT_NOT_READY' as const
  /** The upstream that failed. */
  readonly upstream: ReadinessUpstream
  /** The URL that was called, when known. */
  readonly url: string | undefined
  /** The HTTP status it answered with, when it answered. */
  readonly status: number | undefined
  /** The likely fix, when one is known. */
  readonly hint: string | undefined
  constructor(
    message: string,
    details: {
      upstream: ReadinessUpstream
      url?: string | undefined
      status?: number | undefined
      hint?: string | undefined
      cause?: unknown
    },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause })
    this.upstream = details.upstream
    this.url = details.url
    this.status = details.status
    this.hint = details.hint
  }
  override get name(): string {
    return 'VerifierNotReadyError'
  }
}

/** The HTTP status and the innermost message of an upstream failure. */
function inspect(err: unknown): { status: number | undefined; detail: string } {
  let status: number | undefined
  const parts: string[] = []
  let e: unknown = err
  for (let depth = 0; e instanceof Error && depth < 5; depth++) {
    const s = (e as { status?: unknown }).status
    const debug = e instanceof HydrakitError ? e.debug : undefined
    const ds = debug?.status
    if (status === undefined && typeof s === 'number' && !(e instanceof HydrakitError)) status = s
    if (status === undefined && typeof ds === 'number') status = ds
    if (!(e instanceof HydrakitError)) {
      const text = sanitizeText(e.message, 160)
      if (text !== '' && !parts.includes(text)) parts.push(text)
    } else if (typeof debug?.failure === 'string') {
      parts.push(sanitizeText(debug.failure, 80))
    } else if (typeof debug?.stage === 'string') {
      parts.push(`failed at ${sanitizeText(debug.stage, 40)}`)
    }
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) parts.push(code)
    e = e.cause
  }
  if (status !== undefined && !parts.some((p) => p.includes(String(status)))) parts.unshift(`HTTP ${status}`)
  return { status, detail: parts.length === 0 ? 'unknown error' : parts.join(': ') }
}

function notReady(
  upstream: ReadinessUpstream,
  what: string,
  url: string,
  err: unknown,
): VerifierNotReadyError {
  const { status, detail } = inspect(err)
  const hint = upstreamHint(upstream, url, status)
  return new VerifierNotReadyError(
    `${what} ${url} failed: ${detail}${hint === undefined ? '' : ` (${hint})`}`,
    {
      upstream,
      url,
      status,
      hint,
      cause: err,
    },
  )
}

/**
 * Fetches the JWKS once (ignoring the cache) and resolves when it holds at least one usable key.
 * Rejects with {@link VerifierNotReadyError}.
 */
export async function checkKeySet(verifier: {
  jwksUri: string | undefined
  refreshKeys(): Promise<JwksStatus>
}): Promise<void> {
  const url = verifier.jwksUri ?? 'the static jwks'
  let status: JwksStatus
  try {
    status = await verifier.refreshKeys()
  } catch (err) {
    throw notReady('jwks', 'fetching the JWKS from', url, err)
  }
  if (status.keyCount === 0) {
    throw new VerifierNotReadyError(
      `the JWKS at ${url} holds no usable key (asymmetric keys for the configured algorithms${status.pinned ? ', also in the pinned access-token key set' : ''})`,
      { upstream: 'jwks', url: verifier.jwksUri },
    )
  }
}

/**
 * Introspects a random, made-up token once and resolves when the endpoint answers that it is not
 * active, which shows the endpoint is reachable, is Hydra's admin API, and accepts the credentials.
 * Rejects with {@link VerifierNotReadyError}. The call is reported to hooks like any other (an
 * `inactive` refusal).
 */
export async function checkIntrospection(
  verifier: TokenVerifier & { readonly introspectionUrl: string | undefined },
): Promise<void> {
  const probe = `hydrakit_readiness_probe_${randomBytes(16).toString('hex')}`
  try {
    await verifier.verify(probe)
  } catch (err) {
    if (err instanceof InvalidTokenError) return
    throw notReady(
      'introspection',
      'calling the introspection endpoint',
      verifier.introspectionUrl ?? '(discovered)',
      err,
    )
  }
  const url = verifier.introspectionUrl ?? '(discovered)'
  throw new VerifierNotReadyError(
    `the introspection endpoint ${url} called a made-up token active: is it Hydra's admin API?`,
    { upstream: 'introspection', url },
  )
}
