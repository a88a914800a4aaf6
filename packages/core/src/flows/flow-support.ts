// Steps the three flows share: reading and checking the challenge, the CSRF check of a POST,
// guarded redirects to Hydra's redirect_to, and turning Hydra's failures into error pages.

import { emit } from '../hooks.js'
import { HydraError } from '../hydra/hydra-error.js'
import { checkChallenge } from './challenge.js'
import { errorPage, type FlowKind } from './error-pages.js'
import type { FlowContext } from './options.js'
import type { ClientView, FlowErrorCode, FlowRedirect, FlowRender, FlowRequest, FlowResult } from './types.js'

/** An error page result, reported to `onError`. */
export function fail(
  ctx: FlowContext,
  flow: FlowKind | undefined,
  code: FlowErrorCode,
  error?: unknown,
  restart?: ClientView,
): FlowRender {
  if (ctx.onError !== undefined) emit(ctx.onError, { flow, code, error })
  return errorPage(code, flow, restart)
}

/** True for a POST (the flows accept GET and POST only). */
export function isPost(req: FlowRequest): boolean {
  return req.method.toUpperCase() === 'POST'
}

/**
 * The challenge of a request: `<flow>_challenge` from the query on GET, the `challenge` form field
 * on POST. Returns the challenge or the error page for a missing/malformed one.
 */
export function readChallenge(ctx: FlowContext, flow: FlowKind, req: FlowRequest): string | FlowRender {
  const raw = isPost(req) ? req.form?.get('challenge') : req.query.get(`${flow}_challenge`)
  const checked = checkChallenge(raw, ctx.maxChallengeLength)
  return checked.ok ? checked.challenge : fail(ctx, flow, checked.reason)
}

/** The `action` field of a POST: `accept` (default, e.g. Enter in a text field), `deny`, or invalid. */
export function readAction(req: FlowRequest): 'accept' | 'deny' | undefined {
  const action = req.form?.get('action') ?? 'accept'
  return action === 'accept' || action === 'deny' ? action : undefined
}

/** True for the values a checkbox posts when ticked (`1`, `on`, `true`, `yes`). */
export function isTicked(value: string | null | undefined): boolean {
  return value === '1' || value === 'on' || value === 'true' || value === 'yes'
}

/** The CSRF check of a POST; the error page when it fails, else undefined. */
export function checkCsrf(
  ctx: FlowContext,
  flow: FlowKind,
  req: FlowRequest,
  challenge: string,
): FlowRender | undefined {
  return ctx.csrf.verify(req, flow, challenge, req.form?.get('csrf_token'))
    ? undefined
    : fail(ctx, flow, 'csrf')
}

/**
 * A redirect to a URL Hydra returned, when the redirect guard allows it (Hydra's public origin or
 * an allowed one); otherwise the `unsafe_redirect` error page. 303 after a POST, 302 after a GET.
 */
export function redirectTo(
  ctx: FlowContext,
  flow: FlowKind,
  req: FlowRequest,
  url: string,
  cookies: string[] = [],
): FlowResult {
  const location = ctx.guard.check(url)
  if (location === undefined) return fail(ctx, flow, 'unsafe_redirect')
  const redirect: FlowRedirect = { type: 'redirect', location, status: isPost(req) ? 303 : 302, cookies }
  return redirect
}

/**
 * Turns a failed Hydra call into a result: 410 with a `redirect_to` is followed (guarded), 404 is
 * `unknown_challenge`, 401 `expired_challenge`, 409 `used_challenge`, an outage `hydra_unavailable`
 * (503), anything else from Hydra `hydra_error` (502). Errors that are not a `HydraError` (a bug,
 * a throwing hook) are rethrown.
 */
export function hydraFailure(
  ctx: FlowContext,
  flow: FlowKind,
  req: FlowRequest,
  err: unknown,
  client?: ClientView,
): FlowResult {
  if (!(err instanceof HydraError)) throw err
  if (err.kind === 'http') {
    if (err.hydraStatus === 410) {
      return err.redirectTo === undefined
        ? fail(ctx, flow, 'used_challenge', err, client)
        : redirectTo(ctx, flow, req, err.redirectTo)
    }
    if (err.hydraStatus === 404) return fail(ctx, flow, 'unknown_challenge', err, client)
    if (err.hydraStatus === 401) return fail(ctx, flow, 'expired_challenge', err, client)
    if (err.hydraStatus === 409) return fail(ctx, flow, 'used_challenge', err, client)
  }
  if (err.isUnavailable) {
    const page = fail(ctx, flow, 'hydra_unavailable', err)
    page.headers = { 'retry-after': err.retryAfter ?? '5' }
    return page
  }
  return fail(ctx, flow, 'hydra_error', err)
}

/** Runs a Hydra call; a failure becomes the result of {@link hydraFailure}. */
export async function callHydra<T>(
  ctx: FlowContext,
  flow: FlowKind,
  req: FlowRequest,
  run: () => Promise<T>,
  client?: ClientView,
): Promise<{ ok: true; value: T } | { ok: false; result: FlowResult }> {
  try {
    return { ok: true, value: await run() }
  } catch (err) {
    return { ok: false, result: hydraFailure(ctx, flow, req, err, client) }
  }
}
