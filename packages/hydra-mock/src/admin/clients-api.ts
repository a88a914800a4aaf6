import { notFound, oauthError } from '../errors.js'
import type { OAuth2Error } from '../errors.js'
import { readJson } from '../http/body.js'
import type { MockRequest, MockResponse } from '../http/message.js'
import { emptyResponse, jsonResponse } from '../http/message.js'
import type { MockState } from '../state.js'
import { clientView } from '../store/client-model.js'
import { ClientMetadataError } from '../store/client-validation.js'
import { applyJsonPatch, JsonPatchError } from '../util/json-patch.js'
import { paginate, readPaging } from '../http/paging.js'
import { randomToken } from '../util/random.js'

const SECRET_PLACEHOLDER = `hydrakit-mock-secret-${randomToken(16)}`

/** Turns a validation failure into Hydra's 400 body (`invalid_client_metadata`, ...). */
export function metadataError(e: ClientMetadataError): OAuth2Error {
  const field = e.field ? `Field '${e.field}' ${e.message}.` : `The body ${e.message}.`
  return oauthError(e.code, field)
}

function guard<T>(fn: () => T): T {
  try {
    return fn()
  } catch (e) {
    if (e instanceof ClientMetadataError) throw metadataError(e)
    throw e
  }
}

/**
 * `GET /admin/clients`: all clients (without secrets), filtered by `client_name` / `owner`, one
 * page at a time (`page_size` 1 to 1000, default 250; opaque `page_token`), with Hydra's `Link`
 * header (`first`, `next`, `prev`, `last`, relative).
 */
export function listClients(state: MockState, req: MockRequest): MockResponse {
  const q = req.url.searchParams
  const name = q.get('client_name')
  const owner = q.get('owner')
  const paging = readPaging(req, 1000)
  const all = state.clients
    .list()
    .filter(
      (c) => (name === null || c.client.client_name === name) && (owner === null || c.client.owner === owner),
    )
  const page = paginate(all, req, paging)
  return jsonResponse(200, page.items.map(clientView), page.headers)
}

/** `POST /admin/clients`: 201 with the client and its generated (or given) secret. */
export async function createClient(state: MockState, req: MockRequest): Promise<MockResponse> {
  const body = await readJson(req)
  return jsonResponse(
    201,
    guard(() => state.clients.create(body)),
  )
}

/** `GET /admin/clients/{id}`: 404 when unknown; never returns the secret. */
export function getClient(state: MockState, id: string): MockResponse {
  const stored = state.clients.get(id)
  if (!stored) throw notFound()
  return jsonResponse(200, clientView(stored))
}

/** `PUT /admin/clients/{id}`: replaces the client; the secret is kept unless the body sets one. */
export async function setClient(state: MockState, req: MockRequest, id: string): Promise<MockResponse> {
  if (!state.clients.has(id)) throw notFound()
  const body = await readJson(req)
  const updated = guard(() => state.clients.replace(id, body))
  if (!updated) throw notFound()
  return jsonResponse(200, updated)
}

/**
 * `PATCH /admin/clients/{id}`: applies a JSON Patch (RFC 6902) to the client. Changing
 * `client_id` is refused; replacing `/client_secret` sets a new secret, returned once.
 */
export async function patchClient(state: MockState, req: MockRequest, id: string): Promise<MockResponse> {
  const stored = state.clients.get(id)
  if (!stored) throw notFound()
  const patch = await readJson(req)
  let patched: unknown
  try {
    // The stored secret is a hash: the patch sees a placeholder, so `replace /client_secret`
    // works (Hydra sets the new secret and returns it once) and an untouched one is left alone.
    patched = applyJsonPatch({ ...clientView(stored), client_secret: SECRET_PLACEHOLDER }, patch)
  } catch (e) {
    if (e instanceof JsonPatchError)
      throw oauthError('invalid_request', `Unable to apply the JSON Patch: ${e.message}.`)
    throw e
  }
  if (typeof patched === 'object' && patched !== null && 'client_secret' in patched) {
    const p = patched as { client_secret?: unknown }
    if (p.client_secret === SECRET_PLACEHOLDER) delete p.client_secret
  }
  if (
    typeof patched !== 'object' ||
    patched === null ||
    (patched as { client_id?: unknown }).client_id !== id
  ) {
    throw oauthError('invalid_request', "Field 'client_id' can not be updated.")
  }
  const updated = guard(() => state.clients.replace(id, patched))
  if (!updated) throw notFound()
  return jsonResponse(200, updated)
}

/** `DELETE /admin/clients/{id}`: 204; its tokens and consent sessions go with it. */
export function deleteClient(state: MockState, id: string): MockResponse {
  if (!state.clients.delete(id)) throw notFound()
  state.tokens.revokeWhere({ clientId: id })
  state.sessions.forgetClient(id)
  return emptyResponse(204)
}

/**
 * `PUT /admin/clients/{id}/lifespans`: sets the per-grant token lifespans (Go durations such as
 * `"1h"`; `""` restores the server default) and leaves every other field alone. 200 with the client.
 */
export async function setClientLifespans(
  state: MockState,
  req: MockRequest,
  id: string,
): Promise<MockResponse> {
  const stored = state.clients.get(id)
  if (!stored) throw notFound()
  const body = await readJson(req)
  const updated = guard(() => state.clients.setLifespans(id, body))
  if (!updated) throw notFound()
  return jsonResponse(200, updated)
}
