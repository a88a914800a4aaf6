import { createAdminAuthProvider } from '../upstream/admin-auth.js'
import { createUpstreamClient } from '../upstream/client.js'
import {
  createAdminCalls,
  optionalString,
  requireObject,
  requireString,
  scopeString,
  segment,
} from './admin-calls.js'
import { keyTrustHealthMethods } from './admin-client-keys.js'
import type {
  HydraAdminClient,
  HydraAdminClientOptions,
  ListOAuth2ClientsParams,
  ListOAuth2ConsentSessionsParams,
} from './admin-client-types.js'
import { CLIENT_POOL, createHydraTransport, normalizeBaseUrl, resolveHttpOptions } from './hydra-transport.js'
import { pageQuery } from './pagination.js'
import {
  parseIntrospectedOAuth2Token,
  parseOAuth2Client,
  parseOAuth2ClientList,
  parseOAuth2ConsentRequest,
  parseOAuth2ConsentSessions,
  parseOAuth2LoginRequest,
  parseOAuth2LogoutRequest,
  parseOAuth2RedirectTo,
} from './response-shapes.js'

export type {
  FlowRequestResult,
  HydraAdminClient,
  HydraAdminClientOptions,
  ListOAuth2ClientsParams,
  ListOAuth2ConsentSessionsParams,
  ListTrustedOAuth2JwtGrantIssuersParams,
  RevokeOAuth2ConsentSessionsTarget,
  RevokeOAuth2LoginSessionsTarget,
} from './admin-client-types.js'

/**
 * Creates a typed client of Hydra's admin API. Options are validated now: a bad one throws a
 * TypeError naming it (e.g. `adminUrl must be an absolute URL`).
 *
 * @example
 * ```ts
 * const admin = createHydraAdminClient({ adminUrl: 'http://hydra:4445' })
 * const login = await admin.getOAuth2LoginRequest(challenge)
 * if (login.status === 'handled') return redirect(login.redirectTo)
 * const { redirect_to } = await admin.acceptOAuth2LoginRequest(challenge, { subject: user.id, remember: true })
 * ```
 */
export function createHydraAdminClient(options: HydraAdminClientOptions): HydraAdminClient {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object')
  const adminUrl = normalizeBaseUrl(options.adminUrl, 'adminUrl')
  const version = options.apiVersion ?? 'v2'
  if (version !== 'v2' && version !== 'v1') throw new TypeError(`apiVersion must be 'v2' or 'v1'`)
  const http = resolveHttpOptions(options, adminUrl, '')
  const upstream = createUpstreamClient({ dispatcher: http.dispatcher, pool: CLIENT_POOL, hooks: http.hooks })
  const authProvider = createAdminAuthProvider(options.auth, { timeoutMs: http.timeoutMs, upstream })
  const transport = createHydraTransport(
    { ...http, upstream },
    { credentials: authProvider, refreshable: options.auth?.type === 'client_credentials' },
  )

  const calls = createAdminCalls(transport, adminUrl, version)
  const { admin, v1, json, nothing, page, flowGet, flowPut, listParams, unsupported } = calls

  const client: HydraAdminClient = {
    apiVersion: version,
    adminUrl,

    async createOAuth2Client(body, options) {
      const c = requireObject(body, 'client')
      return json(
        {
          operation: 'createOAuth2Client',
          method: 'POST',
          path: `${admin}/clients`,
          json: c,
          eventKind: 'admin',
          options,
        },
        parseOAuth2Client,
      )
    },

    async getOAuth2Client(id, options) {
      const path = `${admin}/clients/${segment(id, 'id')}`
      return json(
        { operation: 'getOAuth2Client', method: 'GET', path, eventKind: 'admin', options },
        parseOAuth2Client,
      )
    },

    async listOAuth2Clients(params, options) {
      const p = listParams(params, 'params') as ListOAuth2ClientsParams
      const query = {
        ...pageQuery(p, version, 'params'),
        client_name: optionalString(p.clientName, 'params.clientName'),
        owner: optionalString(p.owner, 'params.owner'),
      }
      return page(
        {
          operation: 'listOAuth2Clients',
          method: 'GET',
          path: `${admin}/clients`,
          query,
          eventKind: 'admin',
          options,
        },
        parseOAuth2ClientList,
      )
    },

    async setOAuth2Client(id, body, options) {
      const path = `${admin}/clients/${segment(id, 'id')}`
      const c = requireObject(body, 'client')
      return json(
        { operation: 'setOAuth2Client', method: 'PUT', path, json: c, eventKind: 'admin', options },
        parseOAuth2Client,
      )
    },

    async patchOAuth2Client(id, patch, options) {
      const path = `${admin}/clients/${segment(id, 'id')}`
      if (!Array.isArray(patch)) throw new TypeError('patch must be a JSON Patch array')
      patch.forEach((p, i) => {
        const o = requireObject(p, `patch[${i}]`)
        requireString(o.op, `patch[${i}].op`)
        if (typeof o.path !== 'string') throw new TypeError(`patch[${i}].path must be a string`)
      })
      return json(
        { operation: 'patchOAuth2Client', method: 'PATCH', path, json: patch, eventKind: 'admin', options },
        parseOAuth2Client,
      )
    },

    async deleteOAuth2Client(id, options) {
      const path = `${admin}/clients/${segment(id, 'id')}`
      return nothing({ operation: 'deleteOAuth2Client', method: 'DELETE', path, eventKind: 'admin', options })
    },

    async setOAuth2ClientLifespans(id, lifespans, options) {
      const path = `${admin}/clients/${segment(id, 'id')}/lifespans`
      const body = requireObject(lifespans, 'lifespans')
      return json(
        {
          operation: 'setOAuth2ClientLifespans',
          method: 'PUT',
          path,
          json: body,
          eventKind: 'admin',
          options,
        },
        parseOAuth2Client,
      )
    },

    async getOAuth2LoginRequest(challenge, options) {
      const c = requireString(challenge, 'loginChallenge')
      return flowGet('getOAuth2LoginRequest', 'login', c, parseOAuth2LoginRequest, options)
    },

    async acceptOAuth2LoginRequest(challenge, body, options) {
      const operation = 'acceptOAuth2LoginRequest'
      const c = requireString(challenge, 'loginChallenge')
      const b = requireObject(body, 'body')
      requireString(b.subject, 'body.subject')
      if (v1) {
        for (const field of ['extend_session_lifespan', 'identity_provider_session_id']) {
          if (b[field] !== undefined) throw unsupported(operation, `body.${field}`)
        }
      }
      return json(flowPut(operation, 'login', 'accept', c, b, options), parseOAuth2RedirectTo)
    },

    async rejectOAuth2LoginRequest(challenge, body, options) {
      const c = requireString(challenge, 'loginChallenge')
      const b = body === undefined ? {} : requireObject(body, 'body')
      return json(
        flowPut('rejectOAuth2LoginRequest', 'login', 'reject', c, b, options),
        parseOAuth2RedirectTo,
      )
    },

    async getOAuth2ConsentRequest(challenge, options) {
      const c = requireString(challenge, 'consentChallenge')
      return flowGet('getOAuth2ConsentRequest', 'consent', c, parseOAuth2ConsentRequest, options)
    },

    async acceptOAuth2ConsentRequest(challenge, body, options) {
      const operation = 'acceptOAuth2ConsentRequest'
      const c = requireString(challenge, 'consentChallenge')
      const b = requireObject(body, 'body')
      if (v1 && b.context !== undefined) throw unsupported(operation, 'body.context')
      return json(flowPut(operation, 'consent', 'accept', c, b, options), parseOAuth2RedirectTo)
    },

    async rejectOAuth2ConsentRequest(challenge, body, options) {
      const c = requireString(challenge, 'consentChallenge')
      const b = body === undefined ? {} : requireObject(body, 'body')
      return json(
        flowPut('rejectOAuth2ConsentRequest', 'consent', 'reject', c, b, options),
        parseOAuth2RedirectTo,
      )
    },

    async getOAuth2LogoutRequest(challenge, options) {
      const c = requireString(challenge, 'logoutChallenge')
      return flowGet('getOAuth2LogoutRequest', 'logout', c, parseOAuth2LogoutRequest, options)
    },

    async acceptOAuth2LogoutRequest(challenge, options) {
      const c = requireString(challenge, 'logoutChallenge')
      return json(
        flowPut('acceptOAuth2LogoutRequest', 'logout', 'accept', c, undefined, options),
        parseOAuth2RedirectTo,
      )
    },

    async rejectOAuth2LogoutRequest(challenge, options) {
      const c = requireString(challenge, 'logoutChallenge')
      return nothing(flowPut('rejectOAuth2LogoutRequest', 'logout', 'reject', c, undefined, options))
    },

    async listOAuth2ConsentSessions(subject, params, options) {
      const operation = 'listOAuth2ConsentSessions'
      const s = requireString(subject, 'subject')
      const p = listParams(params, 'params') as ListOAuth2ConsentSessionsParams
      const loginSessionId = optionalString(p.loginSessionId, 'params.loginSessionId')
      if (v1 && loginSessionId !== undefined) throw unsupported(operation, 'params.loginSessionId')
      const query = { ...pageQuery(p, version, 'params', 500), subject: s, login_session_id: loginSessionId }
      return page(
        {
          operation,
          method: 'GET',
          path: `${admin}/oauth2/auth/sessions/consent`,
          query,
          eventKind: 'admin',
          options,
        },
        parseOAuth2ConsentSessions,
      )
    },

    async revokeOAuth2ConsentSessions(target, options) {
      const operation = 'revokeOAuth2ConsentSessions'
      const t = requireObject(target, 'target')
      let query: Record<string, string | undefined>
      if (t.consentRequestId !== undefined) {
        const id = requireString(t.consentRequestId, 'target.consentRequestId')
        if (t.subject !== undefined || t.client !== undefined || t.all !== undefined) {
          throw new TypeError('target.consentRequestId cannot be combined with subject, client or all')
        }
        if (v1) throw unsupported(operation, 'target.consentRequestId')
        query = { consent_request_id: id }
      } else {
        const subject = requireString(t.subject, 'target.subject')
        if (t.client !== undefined && t.all !== undefined) {
          throw new TypeError('target.client and target.all cannot be combined')
        }
        if (t.client !== undefined) query = { subject, client: requireString(t.client, 'target.client') }
        else if (t.all === true) query = { subject, all: 'true' }
        else throw new TypeError('target must have client, all: true, or consentRequestId')
      }
      return nothing({
        operation,
        method: 'DELETE',
        path: `${admin}/oauth2/auth/sessions/consent`,
        query,
        eventKind: 'admin',
        options,
      })
    },

    async revokeOAuth2LoginSessions(target, options) {
      const operation = 'revokeOAuth2LoginSessions'
      const t = requireObject(target, 'target')
      if ((t.subject === undefined) === (t.sid === undefined)) {
        throw new TypeError('target must have exactly one of subject or sid')
      }
      let query: Record<string, string>
      if (t.sid !== undefined) {
        const sid = requireString(t.sid, 'target.sid')
        if (v1) throw unsupported(operation, 'target.sid')
        query = { sid }
      } else {
        query = { subject: requireString(t.subject, 'target.subject') }
      }
      return nothing({
        operation,
        method: 'DELETE',
        path: `${admin}/oauth2/auth/sessions/login`,
        query,
        eventKind: 'admin',
        options,
      })
    },

    async introspectOAuth2Token(token, params, options) {
      const t = requireString(token, 'token')
      const p = params === undefined ? {} : requireObject(params, 'params')
      const form = new URLSearchParams({ token: t })
      const scope = scopeString(p.scope, 'params.scope')
      if (scope !== undefined) form.set('scope', scope)
      return json(
        {
          operation: 'introspectOAuth2Token',
          method: 'POST',
          path: `${admin}/oauth2/introspect`,
          form,
          eventKind: 'introspection',
          options,
        },
        parseIntrospectedOAuth2Token,
      )
    },

    async deleteOAuth2Token(clientId, options) {
      const query = { client_id: requireString(clientId, 'clientId') }
      return nothing({
        operation: 'deleteOAuth2Token',
        method: 'DELETE',
        path: `${admin}/oauth2/tokens`,
        query,
        eventKind: 'admin',
        options,
      })
    },

    async flushInactiveOAuth2Tokens(params, options) {
      const operation = 'flushInactiveOAuth2Tokens'
      const p = params === undefined ? {} : requireObject(params, 'params')
      let notAfter: string | undefined
      if (p.notAfter instanceof Date) {
        if (Number.isNaN(p.notAfter.getTime())) throw new TypeError('params.notAfter must be a valid Date')
        notAfter = p.notAfter.toISOString()
      } else if (p.notAfter !== undefined) {
        notAfter = requireString(p.notAfter, 'params.notAfter')
      }
      if (!v1) throw unsupported(operation, 'this operation (v1 only; use `hydra janitor` on v2)')
      return nothing({
        operation,
        method: 'POST',
        path: '/oauth2/flush',
        json: notAfter === undefined ? {} : { notAfter },
        eventKind: 'admin',
        options,
      })
    },

    ...keyTrustHealthMethods(calls),

    close: () => transport.close(),
  }
  return client
}
