import { randomBytes } from 'node:crypto'
import { DiscoveryError } from '../discovery/discovery-error.js'
import { HydrakitError, InvalidTokenError } from '../errors/errors.js'
import type { JwksStatus } from '../jwks/jwks-cache.js'
import { sanitizeText } from '../text/sanitize.js'
import type { TokenVerifier } from '../verifier.js'
import { upstreamHint } from './hints.js'

// The readiness probe behind `verifier.check()` and the adapters' `auth.ready()`: one real call
// to each upstream a verifier depends on, and an error that says exactly what is wrong.

/**
 * Which upstream a {@link VerifierNotReadyError} is about: `discovery` when the issuer's metadata
 * (which names the JWKS and introspection endpoints) could not be read.
 */
export type ReadinessUpstream = 'jwks' | 'introspection' | 'discovery'

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

/** The message (and error code) of the innermost cause of `err`, sanitised. */
function innermost(err: Error): string {
  let e: Error = err
  for (let depth = 0; e.cause instanceof Error && depth < 5; depth++) e = e.cause
  const text = sanitizeText(e.message, 160)
  const code = (e as { code?: unknown }).code
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) && !text.includes(code)
    ? `${text}: ${code}`
    : text
}

/** The {@link DiscoveryError} behind `err`, if discovery is what failed. */
function discoveryFailure(err: unknown): DiscoveryError | undefined {
  let e: unknown = err
  for (let depth = 0; e instanceof Error && depth < 5; depth++) {
    if (e instanceof DiscoveryError) return e
    e = e.cause
  }
  return undefined
}

/** The error of a readiness check that failed because the issuer's metadata could not be read. */
function discoveryNotReady(err: DiscoveryError): VerifierNotReadyError {
  const transport = err.code === 'fetch_failed' || err.code === 'timeout'
  // A failed request: its innermost cause (the socket error) says it best; the rest names the URL.
  const detail =
    err.code === 'fetch_failed'
      ? innermost(err)
      : err.code === 'http_status'
        ? `HTTP ${err.status}`
        : sanitizeText(err.message, 300)
  const hint = upstreamHint('discovery', err.url, transport ? undefined : (err.status ?? 200))
  return new VerifierNotReadyError(
    `reading the issuer's metadata from ${err.url} failed: ${detail}${hint === undefined ? '' : ` (${hint})`}`,
    { upstream: 'discovery', url: err.url, status: err.status, hint, cause: err },
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
  let status: JwksStatus
  try {
    status = await verifier.refreshKeys()
  } catch (err) {
    const discovery = discoveryFailure(err)
    if (discovery !== undefined) throw discoveryNotReady(discovery)
    // Read after the attempt: a discovered (or Hydra's default) location is known only then.
    throw notReady('jwks', 'fetching the JWKS from', verifier.jwksUri ?? 'the static jwks', err)
  }
  const url = verifier.jwksUri ?? 'the static jwks'
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
    const discovery = discoveryFailure(err)
    if (discovery !== undefined) throw discoveryNotReady(discovery)
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
