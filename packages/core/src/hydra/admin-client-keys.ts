import {
  parseHealthReadiness,
  parseHealthStatus,
  parseHydraVersion,
  parseJsonWebKey,
  parseJsonWebKeySet,
  parseTrustedOAuth2JwtGrantIssuer,
  parseTrustedOAuth2JwtGrantIssuers,
  readJson,
} from './response-shapes.js'
import { parseJsonSafe } from '../upstream/request.js'
import { optionalString, requireObject, requireString, segment, type AdminCalls } from './admin-calls.js'
import type { HydraAdminClient, ListTrustedOAuth2JwtGrantIssuersParams } from './admin-client-types.js'
import { pageQuery } from './pagination.js'

/** The JWK members Hydra's spec requires when a key is written (setJsonWebKey(Set), trusted issuers). */
const JWK_REQUIRED = ['kty', 'kid', 'alg', 'use'] as const

// The admin client's JSON Web Key, trusted JWT grant issuer and health/version methods.

/** Methods of {@link HydraAdminClient} for keys, trusted JWT grant issuers, health and version. */
export type KeyTrustHealthMethods = Pick<
  HydraAdminClient,
  | 'createJsonWebKeySet'
  | 'getJsonWebKeySet'
  | 'getJsonWebKey'
  | 'setJsonWebKeySet'
  | 'setJsonWebKey'
  | 'deleteJsonWebKeySet'
  | 'deleteJsonWebKey'
  | 'trustOAuth2JwtGrantIssuer'
  | 'getTrustedOAuth2JwtGrantIssuer'
  | 'listTrustedOAuth2JwtGrantIssuers'
  | 'deleteTrustedOAuth2JwtGrantIssuer'
  | 'isAlive'
  | 'isReady'
  | 'getVersion'
  | 'getPrometheusMetrics'
>

/** Builds the key, trust and health methods on `calls`. */
export function keyTrustHealthMethods(calls: AdminCalls): KeyTrustHealthMethods {
  const { admin, version, send, json, nothing, page, listParams } = calls
  return {
    async createJsonWebKeySet(set, body, options) {
      const path = `${admin}/keys/${segment(set, 'set')}`
      const b = requireObject(body, 'body')
      requireString(b.alg, 'body.alg')
      requireString(b.use, 'body.use')
      if (typeof b.kid !== 'string') throw new TypeError('body.kid must be a string')
      return json(
        { operation: 'createJsonWebKeySet', method: 'POST', path, json: b, eventKind: 'admin', options },
        parseJsonWebKeySet,
      )
    },

    async getJsonWebKeySet(set, options) {
      const path = `${admin}/keys/${segment(set, 'set')}`
      return json(
        { operation: 'getJsonWebKeySet', method: 'GET', path, eventKind: 'admin', options },
        parseJsonWebKeySet,
      )
    },

    async getJsonWebKey(set, kid, options) {
      const path = `${admin}/keys/${segment(set, 'set')}/${segment(kid, 'kid')}`
      return json(
        { operation: 'getJsonWebKey', method: 'GET', path, eventKind: 'admin', options },
        parseJsonWebKeySet,
      )
    },

    async setJsonWebKeySet(set, jwks, options) {
      const path = `${admin}/keys/${segment(set, 'set')}`
      const b = requireObject(jwks, 'jwks')
      if (!Array.isArray(b.keys)) throw new TypeError('jwks.keys must be an array')
      b.keys.forEach((k: unknown, i) => {
        const key = requireObject(k, `jwks.keys[${i}]`)
        for (const f of JWK_REQUIRED) requireString(key[f], `jwks.keys[${i}].${f}`)
      })
      return json(
        { operation: 'setJsonWebKeySet', method: 'PUT', path, json: b, eventKind: 'admin', options },
        parseJsonWebKeySet,
      )
    },

    async setJsonWebKey(set, kid, jwk, options) {
      const path = `${admin}/keys/${segment(set, 'set')}/${segment(kid, 'kid')}`
      const b = requireObject(jwk, 'jwk')
      for (const f of JWK_REQUIRED) requireString(b[f], `jwk.${f}`)
      return json(
        { operation: 'setJsonWebKey', method: 'PUT', path, json: b, eventKind: 'admin', options },
        parseJsonWebKey,
      )
    },

    async deleteJsonWebKeySet(set, options) {
      const path = `${admin}/keys/${segment(set, 'set')}`
      return nothing({
        operation: 'deleteJsonWebKeySet',
        method: 'DELETE',
        path,
        eventKind: 'admin',
        options,
      })
    },

    async deleteJsonWebKey(set, kid, options) {
      const path = `${admin}/keys/${segment(set, 'set')}/${segment(kid, 'kid')}`
      return nothing({ operation: 'deleteJsonWebKey', method: 'DELETE', path, eventKind: 'admin', options })
    },

    async trustOAuth2JwtGrantIssuer(body, options) {
      const b = requireObject(body, 'body')
      requireString(b.issuer, 'body.issuer')
      const k = requireObject(b.jwk, 'body.jwk')
      for (const f of JWK_REQUIRED) requireString(k[f], `body.jwk.${f}`)
      return json(
        {
          operation: 'trustOAuth2JwtGrantIssuer',
          method: 'POST',
          path: `${admin}/trust/grants/jwt-bearer/issuers`,
          json: b,
          eventKind: 'admin',
          options,
        },
        parseTrustedOAuth2JwtGrantIssuer,
      )
    },

    async getTrustedOAuth2JwtGrantIssuer(id, options) {
      const path = `${admin}/trust/grants/jwt-bearer/issuers/${segment(id, 'id')}`
      return json(
        { operation: 'getTrustedOAuth2JwtGrantIssuer', method: 'GET', path, eventKind: 'admin', options },
        parseTrustedOAuth2JwtGrantIssuer,
      )
    },

    async listTrustedOAuth2JwtGrantIssuers(params, options) {
      const p = listParams(params, 'params') as ListTrustedOAuth2JwtGrantIssuersParams
      const query = { ...pageQuery(p, version, 'params'), issuer: optionalString(p.issuer, 'params.issuer') }
      return page(
        {
          operation: 'listTrustedOAuth2JwtGrantIssuers',
          method: 'GET',
          path: `${admin}/trust/grants/jwt-bearer/issuers`,
          query,
          eventKind: 'admin',
          options,
        },
        parseTrustedOAuth2JwtGrantIssuers,
      )
    },

    async deleteTrustedOAuth2JwtGrantIssuer(id, options) {
      const path = `${admin}/trust/grants/jwt-bearer/issuers/${segment(id, 'id')}`
      return nothing({
        operation: 'deleteTrustedOAuth2JwtGrantIssuer',
        method: 'DELETE',
        path,
        eventKind: 'admin',
        options,
      })
    },

    async isAlive(options) {
      return json(
        { operation: 'isAlive', method: 'GET', path: '/health/alive', eventKind: 'admin', options },
        parseHealthStatus,
      )
    },

    async isReady(options) {
      const operation = 'isReady'
      const res = await send({
        operation,
        method: 'GET',
        path: '/health/ready',
        answers: [503],
        eventKind: 'admin',
        options,
      })
      const body = res.status === 503 ? parseJsonSafe(res.body) : readJson(operation, res.body)
      return parseHealthReadiness(operation, res.status, body)
    },

    async getVersion(options) {
      return json(
        { operation: 'getVersion', method: 'GET', path: '/version', eventKind: 'admin', options },
        parseHydraVersion,
      )
    },

    async getPrometheusMetrics(options) {
      const res = await send({
        operation: 'getPrometheusMetrics',
        method: 'GET',
        path: `${admin}/metrics/prometheus`,
        accept: 'text/plain',
        eventKind: 'admin',
        options,
      })
      return res.body
    },
  }
}
