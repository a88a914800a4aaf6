import type { JWK } from 'jose'
import { notFound, OAuth2Error, oauthError } from '../errors.js'
import { readJson } from '../http/body.js'
import type { MockRequest, MockResponse } from '../http/message.js'
import { emptyResponse, jsonResponse } from '../http/message.js'
import type { MockState } from '../state.js'
import { ACCESS_TOKEN_SET, ID_TOKEN_SET, SUPPORTED_KEY_ALGS } from '../store/keys.js'
import { asObject, optString } from './fields.js'

/** `GET /admin/keys/{set}`: the set's keys including private parameters, as Hydra's admin API returns them. */
export function getKeySet(state: MockState, set: string): MockResponse {
  const keys = state.keys.get(set)
  if (!keys) throw notFound()
  return jsonResponse(200, { keys: keys.map((k) => k.privateJwk) })
}

/** `GET /admin/keys/{set}/{kid}`. */
export function getKey(state: MockState, set: string, kid: string): MockResponse {
  const key = state.keys.get(set)?.find((k) => k.kid === kid)
  if (!key) throw notFound()
  return jsonResponse(200, { keys: [key.privateJwk] })
}

/**
 * `POST /admin/keys/{set}` `{alg, use, kid?}`: generates a key; it becomes the newest (signing)
 * key of the set. The built-in sets accept asymmetric algorithms only. 201.
 */
export async function createKeySet(state: MockState, req: MockRequest, set: string): Promise<MockResponse> {
  const body = asObject(await readJson(req))
  const alg = optString(body, 'alg') ?? ''
  const use = optString(body, 'use') || 'sig'
  const kid = optString(body, 'kid') || undefined
  if (!(SUPPORTED_KEY_ALGS as readonly string[]).includes(alg)) {
    throw oauthError('invalid_request', `Field 'alg' must be one of ${SUPPORTED_KEY_ALGS.join(', ')}.`)
  }
  if (use !== 'sig') throw oauthError('invalid_request', "The mock only creates keys with use 'sig'.")
  if ((set === ACCESS_TOKEN_SET || set === ID_TOKEN_SET) && alg.startsWith('HS')) {
    throw oauthError(
      'invalid_request',
      `Key set '${set}' signs public tokens and needs an asymmetric algorithm.`,
    )
  }
  const key = await state.keys.generate(set, alg, use, kid)
  return jsonResponse(201, { keys: [key.privateJwk] })
}

/** `DELETE /admin/keys/{set}`: 204; a built-in set is re-created with a fresh key on next use. */
export function deleteKeySet(state: MockState, set: string): MockResponse {
  if (!state.keys.deleteSet(set)) throw notFound()
  return emptyResponse(204)
}

/** `DELETE /admin/keys/{set}/{kid}`. */
export function deleteKey(state: MockState, set: string, kid: string): MockResponse {
  if (!state.keys.deleteKey(set, kid)) throw notFound()
  return emptyResponse(204)
}

type CompleteJwk = JWK & { kty: string; kid: string; alg: string; use: string }

/** Checks one JWK of a request body: an object with string `kty`, `kid`, `alg` and `use` (the spec requires all four). */
function readJwk(value: unknown, where: string): CompleteJwk {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw oauthError('invalid_request', `${where} must be a JSON Web Key object.`)
  }
  const jwk = value as Record<string, unknown>
  for (const f of ['kty', 'kid', 'alg', 'use']) {
    if (typeof jwk[f] !== 'string' || jwk[f] === '') {
      throw oauthError('invalid_request', `${where} must have a non-empty string '${f}'.`)
    }
  }
  if (jwk.use !== 'sig' && jwk.use !== 'enc') {
    throw oauthError('invalid_request', `${where}.use must be 'sig' or 'enc'.`)
  }
  return structuredClone(jwk) as CompleteJwk
}

async function importOrFail<T>(where: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (e) {
    if (e instanceof OAuth2Error) throw e
    const reason = e instanceof Error ? e.message : String(e)
    throw oauthError('invalid_request', `${where} could not be imported: ${reason}.`)
  }
}

/**
 * `PUT /admin/keys/{set}` `{keys: [...]}`: replaces the whole set with the given keys (the first
 * one signs, when it has a private part). Every key needs `kty`, `kid`, `alg` and `use`. 200 with
 * the set.
 */
export async function setKeySet(state: MockState, req: MockRequest, set: string): Promise<MockResponse> {
  const body = asObject(await readJson(req))
  if (!Array.isArray(body.keys)) throw oauthError('invalid_request', "Field 'keys' must be an array.")
  const keys = body.keys.map((k, i) => readJwk(k, `keys[${i}]`))
  await importOrFail('A key', () => state.keys.replaceSet(set, keys))
  return jsonResponse(200, { keys: state.keys.get(set)!.map((k) => k.privateJwk) })
}

/**
 * `PUT /admin/keys/{set}/{kid}` with a JWK: replaces (or adds) that key. The body's `kid` must be
 * the path's. 200 with the key.
 */
export async function setKey(
  state: MockState,
  req: MockRequest,
  set: string,
  kid: string,
): Promise<MockResponse> {
  const jwk = readJwk(await readJson(req), 'The body')
  if (jwk.kid !== kid) {
    throw oauthError(
      'invalid_request',
      `The key's 'kid' (${jwk.kid}) must equal the 'kid' of the path (${kid}).`,
    )
  }
  const key = await importOrFail('The key', () => state.keys.put(set, jwk))
  return jsonResponse(200, key.privateJwk)
}
