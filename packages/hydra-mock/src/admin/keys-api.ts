import { notFound, oauthError } from '../errors.js'
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
