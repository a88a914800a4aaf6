// The login flow (Hydra `urls.login`): GET shows the form or accepts a remembered login at once,
// POST checks the CSRF token and the credentials (through the app's `authenticate` hook) and accepts
// or rejects the login request. The browser only goes where Hydra's redirect_to says.

import type { AcceptOAuth2LoginRequest, OAuth2LoginRequest } from '../hydra/types.js'
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
import type { AuthenticateResult, FlowContext, LoginSkipResult } from './options.js'
import type { FlowRender, FlowRequest, FlowResult, LoginPageData } from './types.js'

const MAX_USERNAME = 256
const MAX_PASSWORD = 1024

/** Handles GET and POST of the login route. */
export async function handleLogin(ctx: FlowContext, req: FlowRequest): Promise<FlowResult> {
  return isPost(req) ? submitLogin(ctx, req) : showLogin(ctx, req)
}

async function showLogin(ctx: FlowContext, req: FlowRequest): Promise<FlowResult> {
  const challenge = readChallenge(ctx, 'login', req)
  if (typeof challenge !== 'string') return challenge
  const got = await callHydra(ctx, 'login', req, () => ctx.admin.getOAuth2LoginRequest(challenge, ctx.call))
  if (!got.ok) return got.result
  if (got.value.status === 'handled') return redirectTo(ctx, 'login', req, got.value.redirectTo)
  const request = got.value.request
  if (request.skip && request.subject !== '') {
    let extra: LoginSkipResult | void | false = undefined
    if (ctx.login.onSkip !== undefined) {
      extra = await ctx.login.onSkip({ subject: request.subject, loginRequest: request })
    }
    if (extra !== false) {
      const body: AcceptOAuth2LoginRequest = { subject: request.subject, ...skipFields(extra) }
      const accepted = await callHydra(
        ctx,
        'login',
        req,
        () => ctx.admin.acceptOAuth2LoginRequest(challenge, body, ctx.call),
        toClientView(request.client),
      )
      if (!accepted.ok) return accepted.result
      return redirectTo(ctx, 'login', req, accepted.value.redirect_to)
    }
  }
  const hint = request.oidc_context?.login_hint
  return loginPage(ctx, req, challenge, request, {
    username: typeof hint === 'string' ? hint.slice(0, MAX_USERNAME) : '',
    remember: false,
  })
}

async function submitLogin(ctx: FlowContext, req: FlowRequest): Promise<FlowResult> {
  const challenge = readChallenge(ctx, 'login', req)
  if (typeof challenge !== 'string') return challenge
  const csrf = checkCsrf(ctx, 'login', req, challenge)
  if (csrf !== undefined) return csrf
  const action = readAction(req)
  if (action === undefined) return fail(ctx, 'login', 'invalid_request')
  if (action === 'deny') {
    const rejected = await callHydra(ctx, 'login', req, () =>
      ctx.admin.rejectOAuth2LoginRequest(
        challenge,
        { error: 'access_denied', error_description: 'The resource owner denied the request' },
        ctx.call,
      ),
    )
    return rejected.ok ? redirectTo(ctx, 'login', req, rejected.value.redirect_to) : rejected.result
  }

  const got = await callHydra(ctx, 'login', req, () => ctx.admin.getOAuth2LoginRequest(challenge, ctx.call))
  if (!got.ok) return got.result
  if (got.value.status === 'handled') return redirectTo(ctx, 'login', req, got.value.redirectTo)
  const request = got.value.request
  const form = req.form ?? new URLSearchParams()
  const username = (form.get('username') ?? '').trim()
  const password = form.get('password') ?? ''
  const remember = ctx.login.offerRemember && isTicked(form.get('remember'))
  const again = (error: string): FlowRender =>
    loginPage(ctx, req, challenge, request, { username: username.slice(0, MAX_USERNAME), remember, error })
  if (username === '' || password === '') return again('Enter your username and password.')
  if (username.length > MAX_USERNAME || password.length > MAX_PASSWORD) {
    return again('The username or password is incorrect.')
  }

  const result = await ctx.authenticate({ username, password, remember, loginRequest: request })
  if (result === null || result === undefined) return again('The username or password is incorrect.')
  const body = acceptBody(ctx, result, remember)
  const client = toClientView(request.client)
  const accepted = await callHydra(
    ctx,
    'login',
    req,
    () => ctx.admin.acceptOAuth2LoginRequest(challenge, body, ctx.call),
    client,
  )
  return accepted.ok ? redirectTo(ctx, 'login', req, accepted.value.redirect_to) : accepted.result
}

function loginPage(
  ctx: FlowContext,
  req: FlowRequest,
  challenge: string,
  request: OAuth2LoginRequest,
  state: { username: string; remember: boolean; error?: string },
): FlowRender {
  const { token, cookies } = ctx.csrf.issue(req, 'login', challenge)
  const data: LoginPageData = {
    page: 'login',
    challenge,
    csrfToken: token,
    client: toClientView(request.client),
    username: state.username,
    offerRemember: ctx.login.offerRemember,
    remember: state.remember,
    error: state.error,
    loginRequest: request,
  }
  return { type: 'render', status: 200, page: 'login', data, cookies }
}

function skipFields(extra: LoginSkipResult | void | undefined): Partial<AcceptOAuth2LoginRequest> {
  if (extra === undefined || extra === null) return {}
  if (typeof extra !== 'object') throw new TypeError('login.onSkip() must return an object, false or nothing')
  const out: Partial<AcceptOAuth2LoginRequest> = {}
  if (extra.acr !== undefined) out.acr = str(extra.acr, 'login.onSkip() result acr')
  if (extra.amr !== undefined) out.amr = strings(extra.amr, 'login.onSkip() result amr')
  if (extra.context !== undefined) out.context = extra.context
  return out
}

function acceptBody(
  ctx: FlowContext,
  result: AuthenticateResult,
  remember: boolean,
): AcceptOAuth2LoginRequest {
  if (typeof result !== 'object' || typeof result.subject !== 'string' || result.subject === '') {
    throw new TypeError('authenticate() must resolve with { subject: non-empty string } or null')
  }
  const body: AcceptOAuth2LoginRequest = { subject: result.subject }
  const keep = result.remember ?? remember
  if (typeof keep !== 'boolean') throw new TypeError('authenticate() result remember must be a boolean')
  body.remember = keep
  if (keep) {
    const rememberFor = result.rememberFor ?? ctx.login.rememberFor
    if (!Number.isInteger(rememberFor) || rememberFor < 0) {
      throw new TypeError('authenticate() result rememberFor must be an integer number of seconds >= 0')
    }
    body.remember_for = rememberFor
  }
  if (result.acr !== undefined) body.acr = str(result.acr, 'authenticate() result acr')
  if (result.amr !== undefined) body.amr = strings(result.amr, 'authenticate() result amr')
  if (result.context !== undefined) body.context = result.context
  return body
}

function str(value: unknown, name: string): string {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string`)
  return value
}

function strings(value: unknown, name: string): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new TypeError(`${name} must be an array of strings`)
  }
  return [...value]
}
