// The logout flow (Hydra `urls.logout`): GET shows a confirmation (or signs out at once when a client
// started the logout and the app opted in), POST checks the CSRF token and accepts (follow Hydra's
// redirect_to) or, when the app allows it, rejects (go to the app's configured URL; Hydra gives none).

import { toClientView } from './client-view.js'
import { callHydra, checkCsrf, fail, isPost, readAction, readChallenge, redirectTo } from './flow-support.js'
import type { FlowContext } from './options.js'
import type { FlowRedirect, FlowRequest, FlowResult, LogoutPageData } from './types.js'

/** Handles GET and POST of the logout route. */
export async function handleLogout(ctx: FlowContext, req: FlowRequest): Promise<FlowResult> {
  const challenge = readChallenge(ctx, 'logout', req)
  if (typeof challenge !== 'string') return challenge
  if (isPost(req)) {
    const csrf = checkCsrf(ctx, 'logout', req, challenge)
    if (csrf !== undefined) return csrf
    const action = readAction(req)
    if (action === undefined) return fail(ctx, 'logout', 'invalid_request')
    if (action === 'accept') return accept(ctx, req, challenge)
    const target = ctx.logout.allowReject ? ctx.logout.rejectRedirectUrl : undefined
    if (target === undefined) return fail(ctx, 'logout', 'reject_not_allowed')
    const rejected = await callHydra(ctx, 'logout', req, () =>
      ctx.admin.rejectOAuth2LogoutRequest(challenge, ctx.call),
    )
    if (!rejected.ok) return rejected.result
    const redirect: FlowRedirect = { type: 'redirect', location: target, status: 303, cookies: [] }
    return redirect
  }

  const got = await callHydra(ctx, 'logout', req, () => ctx.admin.getOAuth2LogoutRequest(challenge, ctx.call))
  if (!got.ok) return got.result
  if (got.value.status === 'handled') return redirectTo(ctx, 'logout', req, got.value.redirectTo)
  const request = got.value.request
  if (request.rp_initiated === true && ctx.logout.autoAcceptRpInitiated) return accept(ctx, req, challenge)
  const { token, cookies } = ctx.csrf.issue(req, 'logout', challenge)
  const data: LogoutPageData = {
    page: 'logout',
    challenge,
    csrfToken: token,
    subject: typeof request.subject === 'string' ? request.subject : '',
    client:
      request.client === null || request.client === undefined ? undefined : toClientView(request.client),
    allowReject: ctx.logout.allowReject,
    logoutRequest: request,
  }
  return { type: 'render', status: 200, page: 'logout', data, cookies }
}

async function accept(ctx: FlowContext, req: FlowRequest, challenge: string): Promise<FlowResult> {
  const accepted = await callHydra(ctx, 'logout', req, () =>
    ctx.admin.acceptOAuth2LogoutRequest(challenge, ctx.call),
  )
  return accepted.ok ? redirectTo(ctx, 'logout', req, accepted.value.redirect_to) : accepted.result
}
