// Error pages a person understands, and the mapping of Hydra's answers (404 unknown, 401 expired,
// 409 used, 5xx/timeout unavailable, ...) onto them. Never shows Hydra's text, a challenge or a stack.

import type { ClientView, ErrorPageData, FlowErrorCode, FlowRender } from './types.js'

/** The flow an error happened in; decides the wording ("sign-in request", ...). */
export type FlowKind = 'login' | 'consent' | 'logout'

const NOUN: Record<FlowKind, string> = {
  login: 'sign-in request',
  consent: 'authorization request',
  logout: 'sign-out request',
}

const STATUS: Record<FlowErrorCode, number> = {
  missing_challenge: 400,
  invalid_challenge: 400,
  unknown_challenge: 404,
  expired_challenge: 401,
  used_challenge: 409,
  csrf: 403,
  invalid_request: 400,
  body_too_large: 413,
  unsupported_media_type: 415,
  method_not_allowed: 405,
  not_found: 404,
  reject_not_allowed: 400,
  hydra_unavailable: 503,
  hydra_error: 502,
  unsafe_redirect: 502,
}

function texts(code: FlowErrorCode, flow: FlowKind | undefined): { title: string; message: string } {
  const noun = flow === undefined ? 'request' : NOUN[flow]
  const again = 'Go back to the application and start again.'
  switch (code) {
    case 'missing_challenge':
      return { title: 'Incomplete link', message: `This page needs a ${noun} from an application. ${again}` }
    case 'invalid_challenge':
      return { title: 'Invalid link', message: `This link does not contain a valid ${noun}. ${again}` }
    case 'unknown_challenge':
      return { title: 'Request not found', message: `This ${noun} is unknown or no longer valid. ${again}` }
    case 'expired_challenge':
      return { title: 'Request expired', message: `This ${noun} took too long and has expired. ${again}` }
    case 'used_challenge':
      return { title: 'Already completed', message: `This ${noun} was already completed. ${again}` }
    case 'csrf':
      return {
        title: 'Form expired',
        message:
          'This form could not be verified: it may be old, from another window, or your browser blocked cookies. Reload the page and try again.',
      }
    case 'invalid_request':
      return {
        title: 'Invalid request',
        message: 'The form was not filled in as expected. Reload the page and try again.',
      }
    case 'body_too_large':
      return { title: 'Request too large', message: 'The form sent too much data.' }
    case 'unsupported_media_type':
      return {
        title: 'Unsupported form',
        message: 'The form must be sent as application/x-www-form-urlencoded.',
      }
    case 'method_not_allowed':
      return { title: 'Method not allowed', message: 'This page only supports GET and POST.' }
    case 'not_found':
      return { title: 'Page not found', message: 'There is no page at this address.' }
    case 'reject_not_allowed':
      return { title: 'Not possible', message: 'Signing out cannot be cancelled here.' }
    case 'hydra_unavailable':
      return {
        title: 'Temporarily unavailable',
        message: 'The sign-in service cannot be reached right now. Please try again in a moment.',
      }
    case 'hydra_error':
      return {
        title: 'Something went wrong',
        message: 'The sign-in service answered unexpectedly. Please try again later.',
      }
    case 'unsafe_redirect':
      return {
        title: 'Something went wrong',
        message:
          'The sign-in service asked to send you to an address this site does not trust, so you were not sent there.',
      }
  }
}

/**
 * The error page result for `code`. `restart` (a client whose `client_uri` is known) adds a link
 * back to the client for the errors where starting again is the way out.
 */
export function errorPage(
  code: FlowErrorCode,
  flow: FlowKind | undefined,
  restart?: ClientView,
  cookies: string[] = [],
): FlowRender {
  const status = STATUS[code]
  const data: ErrorPageData = { page: 'error', status, error: code, ...texts(code, flow) }
  const restartable =
    code === 'expired_challenge' ||
    code === 'unknown_challenge' ||
    code === 'used_challenge' ||
    code === 'csrf'
  if (restartable && restart?.clientUri !== undefined) {
    data.restartUrl = restart.clientUri
    data.restartLabel = restart.name
  }
  const render: FlowRender = { type: 'render', status, page: 'error', data, cookies }
  if (code === 'method_not_allowed') render.headers = { allow: 'GET, POST' }
  if (code === 'body_too_large') render.headers = { connection: 'close' }
  return render
}
