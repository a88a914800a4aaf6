import type { AuthInfo, ClaimRequirements, ScopeCheckOptions, TokenVerifier } from '@hydrakit/core'
import {
  authOrUndefined,
  createGuardRunner,
  createHydraAuth,
  metadataResponse,
  refusalResponse,
  type AdapterResponse,
  type Guard,
  type GuardBuilder,
  type HydraAuthOptions,
  type RequestLike,
} from '@hydrakit/core/adapter'

/** Options of {@link hydra}: a verifier configuration (or `{ verifier }`) plus the shared guard settings. */
export type HydraOptions = HydraAuthOptions

/** What a request must carry; compile once (pass the same object every time, or use {@link WebAuth.withAuth}). */
export interface Requirements extends ScopeCheckOptions {
  /** No token → anonymous (`undefined`) and the request goes on. An invalid token is still refused. Default false. */
  optional?: boolean | undefined
  /** Scopes that must all be granted (a single scope or a list). Default: none. */
  scope?: string | readonly string[] | undefined
  /** Scopes of which at least one must be granted. Default: none. */
  anyScope?: readonly string[] | undefined
  /** Claims that must match (see `ClaimRequirements` in `@hydrakit/core`). Default: none. */
  claims?: ClaimRequirements | undefined
}

/** A handler wrapped by {@link WebAuth.withAuth}: the request, its verified token (`undefined` when anonymous), then the runtime's own arguments. */
export type AuthedHandler<A extends unknown[]> = (
  request: Request,
  auth: AuthInfo | undefined,
  ...rest: A
) => Response | Promise<Response>

/** One configured instance for Web-standard `Request`/`Response` runtimes (Node 18+, Bun, Deno, Next.js route handlers). */
export interface WebAuth {
  /** The verifier every check of this instance shares (with its caches). */
  readonly verifier: TokenVerifier
  /** The guard builder behind the checks (realm, RFC 9728 document). */
  readonly guards: GuardBuilder
  /**
   * Authenticates `request` and applies `requirements`: resolves to the verified token, or to a
   * ready `Response` (400/401/403 with `WWW-Authenticate`, 503 when Hydra or the keys are out of
   * reach) to return as is. With `optional`, a request without a token resolves to `undefined`.
   */
  authenticate(
    request: Request,
    requirements?: Requirements & { optional?: false | undefined },
  ): Promise<AuthInfo | Response>
  authenticate(request: Request, requirements: Requirements): Promise<AuthInfo | undefined | Response>
  /**
   * Wraps a handler (`export const GET = auth.withAuth(handler, { scope: 'read' })` in Next.js,
   * `fetch: auth.withAuth(handler)` in `Bun.serve`): refused requests get their error `Response`,
   * others reach `handler(request, auth, ...rest)`. Requirements are checked now (TypeError).
   */
  withAuth<A extends unknown[]>(
    handler: AuthedHandler<A>,
    requirements?: Requirements,
  ): (request: Request, ...rest: A) => Promise<Response>
  /**
   * The RFC 9728 protected-resource metadata document when `request` asks for it (GET/HEAD on its
   * well-known path), else `undefined`. Requires `protectedResource`.
   */
  protectedResourceMetadata(request: Request): Response | undefined
  /** Closes the verifier (timers, connection pools). */
  close(): Promise<void>
}

/**
 * One request as the checks see it: core's view, and the object that identifies the request (its
 * `Request`, or the Node request under a Node server) for what the guards remember on it.
 */
export interface WebCall {
  request: object
  like: RequestLike
}

// What guards remember per request, shared by every check (and the Hono middleware) on it.
const remembered = new WeakMap<object, AuthInfo | null>()

/** Runs guards for one request; shared with the Hono middleware. */
export const runGuard = createGuardRunner<WebCall>({
  describe: (call) => call.like,
  read: (call) => remembered.get(call.request),
  write: (call, auth) => remembered.set(call.request, auth),
})

const FORM = /^application\/x-www-form-urlencoded\b/i
/** Largest form body read for `token: { body: true }`, in bytes; a larger or unsized body is not read. */
const MAX_FORM_BYTES = 64 * 1024

/**
 * Core's view of a Web request. `readBody` reads a small urlencoded body for `token.body` (a clone,
 * so the handler can still read it); pass `body` when something else (Hono) already parsed it.
 */
export async function describeRequest(
  request: Request,
  readBody: boolean,
  body?: unknown,
): Promise<RequestLike> {
  const headers: Record<string, string> = {}
  request.headers.forEach((value, name) => {
    headers[name] = value
  })
  const url = new URL(request.url)
  const like: RequestLike = { method: request.method, url: url.pathname + url.search, headers, body }
  if (body === undefined && readBody && request.body !== null && FORM.test(headers['content-type'] ?? '')) {
    const length = Number(headers['content-length'])
    if (length > 0 && length <= MAX_FORM_BYTES) {
      like.body = Object.fromEntries(new URLSearchParams(await request.clone().text()))
    }
  }
  return like
}

/** The guards that implement `requirements`, in order; validated now. */
export function compileRequirements(b: GuardBuilder, requirements: Requirements | undefined): Guard[] {
  const r = requirements ?? {}
  if (r === null || typeof r !== 'object') throw new TypeError('requirements must be an object')
  const guards = [b.authenticate({ optional: r.optional })]
  const strategy = { scopeStrategy: r.scopeStrategy }
  if (r.scope !== undefined)
    guards.push(b.requireScopes(typeof r.scope === 'string' ? [r.scope] : r.scope, strategy))
  if (r.anyScope !== undefined) guards.push(b.requireAnyScope(r.anyScope, strategy))
  if (r.claims !== undefined) guards.push(b.requireClaims(r.claims))
  return guards
}

/** A refusal as a Web `Response`; anything that is not a hydrakit error is rethrown. */
export function toResponse(out: AdapterResponse | undefined, err: unknown): Response {
  if (out === undefined) throw err
  return new Response(out.body === '' ? null : out.body, { status: out.status, headers: out.headers })
}

/**
 * Applies `guards` to `call`: the remembered result, or a refusal `Response`; synchronous when
 * every guard settles at once (a cached token), else a promise of the same.
 */
export function check(
  call: WebCall,
  guards: readonly Guard[],
): AuthInfo | null | Response | Promise<AuthInfo | null | Response> {
  for (let i = 0; i < guards.length; i++) {
    let waiting: Promise<void> | undefined
    try {
      waiting = runGuard(guards[i]!, call)
    } catch (err) {
      return toResponse(refusalResponse(err), err)
    }
    if (waiting !== undefined) return finish(call, guards, i, waiting)
  }
  return remembered.get(call.request) ?? null
}

async function finish(
  call: WebCall,
  guards: readonly Guard[],
  at: number,
  waiting: Promise<void>,
): Promise<AuthInfo | null | Response> {
  try {
    await waiting
    for (let i = at + 1; i < guards.length; i++) await runGuard(guards[i]!, call)
  } catch (err) {
    return toResponse(refusalResponse(err), err)
  }
  return remembered.get(call.request) ?? null
}

/**
 * Configures hydrakit for Web-standard runtimes.
 *
 * ```ts
 * const auth = hydra({ mode: 'jwt', issuer: 'https://hydra.example', audience: 'api' })
 * export const GET = auth.withAuth((request, info) => Response.json({ sub: info?.subject }), { scope: 'read' })
 * ```
 */
export function hydra(options: HydraOptions): WebAuth {
  const base = createHydraAuth(options, (guard) => guard)
  const b = base.guards
  const readBody = b.bearerMethods.includes('body')
  const compiled = new WeakMap<Requirements, Guard[]>()
  const plain = compileRequirements(b, {})
  const guardsFor = (r: Requirements | undefined): Guard[] => {
    if (r === undefined) return plain
    let guards = compiled.get(r)
    if (guards === undefined) compiled.set(r, (guards = compileRequirements(b, r)))
    return guards
  }
  const run = async (request: Request, guards: Guard[]): Promise<AuthInfo | undefined | Response> => {
    const auth = await check({ request, like: await describeRequest(request, readBody) }, guards)
    return auth ?? undefined
  }
  return {
    verifier: base.verifier,
    guards: b,
    authenticate: ((request: Request, requirements?: Requirements) =>
      run(request, guardsFor(requirements))) as WebAuth['authenticate'],
    withAuth: <A extends unknown[]>(handler: AuthedHandler<A>, requirements?: Requirements) => {
      const guards = compileRequirements(b, requirements)
      return async (request: Request, ...rest: A): Promise<Response> => {
        const auth = await run(request, guards)
        return auth instanceof Response ? auth : handler(request, auth, ...rest)
      }
    },
    protectedResourceMetadata: (request) => {
      const meta = b.resourceMetadata
      if (meta === undefined)
        throw new TypeError('protectedResourceMetadata() needs the protectedResource option')
      const out = metadataResponse(meta, request.method, new URL(request.url).pathname)
      return out === undefined ? undefined : new Response(out.body === '' ? null : out.body, out)
    },
    close: () => base.close(),
  }
}

/** The verified token a check remembered for this request, or `undefined` (anonymous, or not checked). */
export function getAuth<Ext extends Record<string, unknown> = Record<string, unknown>>(
  request: Request,
): AuthInfo<Ext> | undefined {
  return authOrUndefined<Ext>(remembered.get(request))
}
