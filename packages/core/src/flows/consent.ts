// The consent flow (Hydra `urls.consent`): GET accepts at once when Hydra or the app may skip the
// screen, else shows the requested scopes; POST checks the CSRF token and grants only what the user
// ticked AND the client requested (a forged form cannot grant more), with session claims from the
// app's `claims` hook.

import type { AcceptOAuth2ConsentRequest, OAuth2ConsentRequest } from '../hydra/types.js'
import { toClientView } from './client-view.js'
import {
  callHydra,
  checkCsrf,
  fail,
  isPost,
  isTicked,
  readAction,
  readChallenge,
  redirectTo,
} from './flow-support.js'
import type { FlowContext, SessionClaims } from './options.js'
import type { ConsentItem, ConsentPageData, FlowRequest, FlowResult } from './types.js'

/** Handles GET and POST of the consent route. */
export async function handleConsent(ctx: FlowContext, req: FlowRequest): Promise<FlowResult> {
  const challenge = readChallenge(ctx, 'consent', req)
  if (typeof challenge !== 'string') return challenge
  const post = isPost(req)
  let action: 'accept' | 'deny' | undefined
  if (post) {
    const csrf = checkCsrf(ctx, 'consent', req, challenge)
    if (csrf !== undefined) return csrf
    action = readAction(req)
    if (action === undefined) return fail(ctx, 'consent', 'invalid_request')
    if (action === 'deny') {
      const rejected = await callHydra(ctx, 'consent', req, () =>
        ctx.admin.rejectOAuth2ConsentRequest(
          challenge,
          { error: 'access_denied', error_description: 'The resource owner denied the request' },
          ctx.call,
        ),
      )
      return rejected.ok ? redirectTo(ctx, 'consent', req, rejected.value.redirect_to) : rejected.result
    }
  }

  const got = await callHydra(ctx, 'consent', req, () =>
    ctx.admin.getOAuth2ConsentRequest(challenge, ctx.call),
  )
  if (!got.ok) return got.result
  if (got.value.status === 'handled') return redirectTo(ctx, 'consent', req, got.value.redirectTo)
  const request = got.value.request
  const requestedScopes = unique(request.requested_scope)
  const requestedAudience = unique(request.requested_access_token_audience)

  if (!post) {
    const skip = request.skip || (ctx.consent.skipFirstParty && request.client.skip_consent === true)
    if (!skip) return consentPage(ctx, req, challenge, request, requestedScopes, requestedAudience)
    return accept(ctx, req, challenge, request, requestedScopes, requestedAudience, undefined)
  }

  const form = req.form ?? new URLSearchParams()
  // Only what was requested can be granted, whatever the form says.
  const ticked = new Set(form.getAll('grant_scope'))
  const tickedAudience = new Set(form.getAll('grant_audience'))
  const grantScope = requestedScopes.filter((s) => ticked.has(s))
  const grantAudience = requestedAudience.filter((a) => tickedAudience.has(a))
  const remember = ctx.consent.offerRemember && isTicked(form.get('remember'))
  return accept(ctx, req, challenge, request, grantScope, grantAudience, remember)
}

async function accept(
  ctx: FlowContext,
  req: FlowRequest,
  challenge: string,
  request: OAuth2ConsentRequest,
  grantScope: string[],
  grantAudience: string[],
  remember: boolean | undefined,
): Promise<FlowResult> {
  const body: AcceptOAuth2ConsentRequest = {
    grant_scope: grantScope,
    grant_access_token_audience: grantAudience,
  }
  if (remember !== undefined) {
    body.remember = remember
    if (remember) body.remember_for = ctx.consent.rememberFor
  }
  if (ctx.claims !== undefined) {
    const claims = await ctx.claims({
      subject: request.subject,
      grantedScopes: [...grantScope],
      grantedAudience: [...grantAudience],
      consentRequest: request,
    })
    const session = toSession(claims)
    if (session !== undefined) body.session = session
  }
  const accepted = await callHydra(
    ctx,
    'consent',
    req,
    () => ctx.admin.acceptOAuth2ConsentRequest(challenge, body, ctx.call),
    toClientView(request.client),
  )
  return accepted.ok ? redirectTo(ctx, 'consent', req, accepted.value.redirect_to) : accepted.result
}

function consentPage(
  ctx: FlowContext,
  req: FlowRequest,
  challenge: string,
  request: OAuth2ConsentRequest,
  scopes: string[],
  audiences: string[],
): FlowResult {
  const { token, cookies } = ctx.csrf.issue(req, 'consent', challenge)
  const item = (value: string, labels?: ReadonlyMap<string, string>): ConsentItem => ({
    value,
    label: labels?.get(value) ?? value,
    checked: true,
  })
  const data: ConsentPageData = {
    page: 'consent',
    challenge,
    csrfToken: token,
    client: toClientView(request.client),
    subject: request.subject,
    scopes: scopes.map((s) => item(s, ctx.consent.scopeDescriptions)),
    audiences: audiences.map((a) => item(a)),
    offerRemember: ctx.consent.offerRemember,
    consentRequest: request,
  }
  return { type: 'render', status: 200, page: 'consent', data, cookies }
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values.filter((v) => typeof v === 'string' && v !== ''))]
}

function toSession(claims: SessionClaims | undefined | void): AcceptOAuth2ConsentRequest['session'] {
  if (claims === undefined || claims === null) return undefined
  if (typeof claims !== 'object' || Array.isArray(claims)) {
    throw new TypeError('claims() must return { idToken?, accessToken? } or nothing')
  }
  const session: NonNullable<AcceptOAuth2ConsentRequest['session']> = {}
  const part = (value: unknown, name: string): Record<string, unknown> | undefined => {
    if (value === undefined) return undefined
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new TypeError(`claims() result ${name} must be an object`)
    }
    return value as Record<string, unknown>
  }
  const idToken = part(claims.idToken, 'idToken')
  const accessToken = part(claims.accessToken, 'accessToken')
  if (idToken !== undefined) session.id_token = idToken
  if (accessToken !== undefined) session.access_token = accessToken
  return idToken === undefined && accessToken === undefined ? undefined : session
}
