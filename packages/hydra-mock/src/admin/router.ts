import { oauthError } from '../errors.js'
import type { MockRequest, MockResponse } from '../http/message.js'
import { emptyResponse, jsonResponse } from '../http/message.js'
import type { Route } from '../http/route.js'
import { NOT_FOUND, only } from '../http/route.js'
import type { MockState } from '../state.js'
import {
  createClient,
  deleteClient,
  getClient,
  listClients,
  patchClient,
  setClient,
  setClientLifespans,
} from './clients-api.js'
import {
  acceptConsentRequest,
  acceptLoginRequest,
  getConsentRequest,
  getLoginRequest,
  rejectConsentRequest,
  rejectLoginRequest,
} from './flows-api.js'
import { introspectEndpoint } from './introspect.js'
import { createKeySet, deleteKey, deleteKeySet, getKey, getKeySet, setKey, setKeySet } from './keys-api.js'
import { acceptLogoutRequest, getLogoutRequest, rejectLogoutRequest } from './logout-api.js'
import { flushInactiveTokens, prometheusMetrics } from './maintenance-api.js'
import { listConsentSessions, revokeConsentSessions, revokeLoginSessions } from './sessions-api.js'
import { deleteTrustedIssuer, getTrustedIssuer, listTrustedIssuers, trustIssuer } from './trust-api.js'

/**
 * Hydra v26's admin path handling: one trailing slash is trimmed and paths without the `/admin`
 * prefix get it (`httprouterx.AddAdminPrefixIfNotPresentNegroni`), so `/clients` and
 * `/admin/clients` are the same endpoint.
 */
export function normalizeAdminPath(pathname: string): string {
  let p = pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname
  if (p !== '/admin' && !p.startsWith('/admin/')) p = `/admin${p === '/' ? '' : p}`
  return p
}

function segment(raw: string): string | undefined {
  try {
    const s = decodeURIComponent(raw)
    return s === '' ? undefined : s
  } catch {
    return undefined
  }
}

/** Routes a request of the admin listener. */
export function routeAdmin(state: MockState, req: MockRequest): Route {
  const path = normalizeAdminPath(req.url.pathname)
  const health = (): MockResponse => jsonResponse(200, { status: 'ok' })
  switch (path) {
    case '/admin/health/alive':
      return only(req, ['GET'], 'isAlive', health)
    case '/admin/health/ready':
      return only(req, ['GET'], 'isReady', health)
    case '/admin/version':
      return only(req, ['GET'], 'getVersion', () => jsonResponse(200, { version: state.options.version }))
    case '/admin/clients':
      if (req.method === 'POST')
        return { operation: 'createOAuth2Client', run: () => createClient(state, req) }
      return only(req, ['GET', 'POST'], 'listOAuth2Clients', () => listClients(state, req))
    case '/admin/oauth2/auth/requests/login':
      return only(req, ['GET'], 'getOAuth2LoginRequest', () => getLoginRequest(state, req))
    case '/admin/oauth2/auth/requests/login/accept':
      return only(req, ['PUT'], 'acceptOAuth2LoginRequest', () => acceptLoginRequest(state, req))
    case '/admin/oauth2/auth/requests/login/reject':
      return only(req, ['PUT'], 'rejectOAuth2LoginRequest', () => rejectLoginRequest(state, req))
    case '/admin/oauth2/auth/requests/consent':
      return only(req, ['GET'], 'getOAuth2ConsentRequest', () => getConsentRequest(state, req))
    case '/admin/oauth2/auth/requests/consent/accept':
      return only(req, ['PUT'], 'acceptOAuth2ConsentRequest', () => acceptConsentRequest(state, req))
    case '/admin/oauth2/auth/requests/consent/reject':
      return only(req, ['PUT'], 'rejectOAuth2ConsentRequest', () => rejectConsentRequest(state, req))
    case '/admin/oauth2/auth/requests/logout':
      return only(req, ['GET'], 'getOAuth2LogoutRequest', () => getLogoutRequest(state, req))
    case '/admin/oauth2/auth/requests/logout/accept':
      return only(req, ['PUT'], 'acceptOAuth2LogoutRequest', () => acceptLogoutRequest(state, req))
    case '/admin/oauth2/auth/requests/logout/reject':
      return only(req, ['PUT'], 'rejectOAuth2LogoutRequest', () => rejectLogoutRequest(state, req))
    case '/admin/oauth2/auth/sessions/consent':
      if (req.method === 'DELETE') {
        return { operation: 'revokeOAuth2ConsentSessions', run: () => revokeConsentSessions(state, req) }
      }
      return only(req, ['GET', 'DELETE'], 'listOAuth2ConsentSessions', () => listConsentSessions(state, req))
    case '/admin/oauth2/auth/sessions/login':
      return only(req, ['DELETE'], 'revokeOAuth2LoginSessions', () => revokeLoginSessions(state, req))
    case '/admin/oauth2/introspect':
      return only(req, ['POST'], 'introspectOAuth2Token', () => introspectEndpoint(state, req))
    case '/admin/oauth2/tokens':
      return only(req, ['DELETE'], 'deleteOAuth2Token', () => {
        const clientId = req.url.searchParams.get('client_id')
        if (!clientId) {
          throw oauthError(
            'invalid_request',
            "Query parameter 'client_id' is not defined but it should have been.",
          )
        }
        state.tokens.deleteAccessTokensOf(clientId)
        return emptyResponse(204)
      })
    case '/admin/oauth2/flush':
      return only(req, ['POST'], 'flushInactiveOAuth2Tokens', () => flushInactiveTokens(state, req))
    case '/admin/metrics/prometheus':
      return only(req, ['GET'], 'getPrometheusMetrics', () => prometheusMetrics(state))
    case '/admin/trust/grants/jwt-bearer/issuers':
      if (req.method === 'POST')
        return { operation: 'trustOAuth2JwtGrantIssuer', run: () => trustIssuer(state, req) }
      return only(req, ['GET', 'POST'], 'listTrustedOAuth2JwtGrantIssuers', () =>
        listTrustedIssuers(state, req),
      )
  }

  const trusted = /^\/admin\/trust\/grants\/jwt-bearer\/issuers\/([^/]+)$/.exec(path)
  if (trusted) {
    const id = segment(trusted[1]!)
    if (id === undefined) return NOT_FOUND
    if (req.method === 'DELETE') {
      return { operation: 'deleteTrustedOAuth2JwtGrantIssuer', run: () => deleteTrustedIssuer(state, id) }
    }
    return only(req, ['GET', 'DELETE'], 'getTrustedOAuth2JwtGrantIssuer', () => getTrustedIssuer(state, id))
  }

  const lifespans = /^\/admin\/clients\/([^/]+)\/lifespans$/.exec(path)
  if (lifespans) {
    const id = segment(lifespans[1]!)
    if (id === undefined) return NOT_FOUND
    return only(req, ['PUT'], 'setOAuth2ClientLifespans', () => setClientLifespans(state, req, id))
  }

  const client = /^\/admin\/clients\/([^/]+)$/.exec(path)
  if (client) {
    const id = segment(client[1]!)
    if (id === undefined) return NOT_FOUND
    switch (req.method) {
      case 'GET':
        return { operation: 'getOAuth2Client', run: () => getClient(state, id) }
      case 'PUT':
        return { operation: 'setOAuth2Client', run: () => setClient(state, req, id) }
      case 'PATCH':
        return { operation: 'patchOAuth2Client', run: () => patchClient(state, req, id) }
      case 'DELETE':
        return { operation: 'deleteOAuth2Client', run: () => deleteClient(state, id) }
      default:
        return only(req, ['GET', 'PUT', 'PATCH', 'DELETE'], 'getOAuth2Client', () => getClient(state, id))
    }
  }

  const keys = /^\/admin\/keys\/([^/]+)(?:\/([^/]+))?$/.exec(path)
  if (keys) {
    const set = segment(keys[1]!)
    const kid = keys[2] === undefined ? undefined : segment(keys[2])
    if (set === undefined || (keys[2] !== undefined && kid === undefined)) return NOT_FOUND
    if (kid === undefined) {
      switch (req.method) {
        case 'GET':
          return { operation: 'getJsonWebKeySet', run: () => getKeySet(state, set) }
        case 'POST':
          return { operation: 'createJsonWebKeySet', run: () => createKeySet(state, req, set) }
        case 'PUT':
          return { operation: 'setJsonWebKeySet', run: () => setKeySet(state, req, set) }
        case 'DELETE':
          return { operation: 'deleteJsonWebKeySet', run: () => deleteKeySet(state, set) }
        default:
          return only(req, ['GET', 'POST', 'PUT', 'DELETE'], 'getJsonWebKeySet', () => getKeySet(state, set))
      }
    }
    switch (req.method) {
      case 'GET':
        return { operation: 'getJsonWebKey', run: () => getKey(state, set, kid) }
      case 'PUT':
        return { operation: 'setJsonWebKey', run: () => setKey(state, req, set, kid) }
      case 'DELETE':
        return { operation: 'deleteJsonWebKey', run: () => deleteKey(state, set, kid) }
      default:
        return only(req, ['GET', 'PUT', 'DELETE'], 'getJsonWebKey', () => getKey(state, set, kid))
    }
  }
  return NOT_FOUND
}
