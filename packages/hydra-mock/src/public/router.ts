import { oauthError } from '../errors.js'
import type { MockRequest, MockResponse } from '../http/message.js'
import { jsonResponse } from '../http/message.js'
import type { Route } from '../http/route.js'
import { NOT_FOUND, only } from '../http/route.js'
import type { MockState } from '../state.js'
import { authorize } from './authorize.js'
import { discovery, jwks } from './discovery.js'
import { logoutEndpoint } from './logout.js'
import { errorPage, indexPage, loggedOutPage, unconfiguredPage } from './pages.js'
import { revokeEndpoint } from './revoke.js'
import { tokenEndpoint } from './token-endpoint.js'
import { userinfoEndpoint } from './userinfo.js'

const health = (): MockResponse => jsonResponse(200, { status: 'ok' })

/** Routes a request of the public listener. */
export function routePublic(state: MockState, req: MockRequest): Route {
  const path = req.url.pathname.length > 1 ? req.url.pathname.replace(/\/$/, '') : req.url.pathname
  switch (path) {
    case '/':
      return only(req, ['GET'], 'fallbackPage', () => indexPage(state.urls.public))
    case '/.well-known/openid-configuration':
      return only(req, ['GET'], 'discoverOidcConfiguration', () => discovery(state))
    case '/.well-known/jwks.json':
      return only(req, ['GET'], 'discoverJsonWebKeys', () => jwks(state))
    case '/oauth2/auth':
      return only(req, ['GET'], 'oAuth2Authorize', () => authorize(state, req))
    case '/oauth2/token':
      return only(req, ['POST'], 'oauth2TokenExchange', () => tokenEndpoint(state, req))
    case '/oauth2/revoke':
      return only(req, ['POST'], 'revokeOAuth2Token', () => revokeEndpoint(state, req))
    case '/userinfo':
      return only(req, ['GET', 'POST'], 'getOidcUserInfo', () => userinfoEndpoint(state, req))
    case '/oauth2/sessions/logout':
      return only(req, ['GET', 'POST'], 'revokeOidcSession', () => logoutEndpoint(state, req))
    case '/oauth2/device/auth':
      return only(req, ['POST'], 'oAuth2DeviceFlow', () => {
        throw oauthError('invalid_request', 'The device authorization grant is not supported by the mock.')
      })
    case '/oauth2/fallbacks/error':
      return only(req, ['GET'], 'fallbackPage', () => errorPage(req.url.searchParams))
    case '/oauth2/fallbacks/login':
      return only(req, ['GET'], 'fallbackPage', () => unconfiguredPage('login'))
    case '/oauth2/fallbacks/consent':
      return only(req, ['GET'], 'fallbackPage', () => unconfiguredPage('consent'))
    case '/oauth2/fallbacks/logout':
      return only(req, ['GET'], 'fallbackPage', () => unconfiguredPage('logout'))
    case '/oauth2/fallbacks/logout/callback':
      return only(req, ['GET'], 'fallbackPage', () => loggedOutPage())
    case '/health/alive':
      return only(req, ['GET'], 'isAlive', health)
    case '/health/ready':
      return only(req, ['GET'], 'isReady', health)
    default:
      return NOT_FOUND
  }
}
