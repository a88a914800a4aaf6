import { oauthError } from '../errors.js'
import { randomToken, secretsEqual, sha256, uuid } from '../util/random.js'
import type { OAuth2Client, StoredClient } from './client-model.js'
import { authMethod } from './client-model.js'
import { ClientMetadataError, LIFESPAN_FIELDS, normalizeClient } from './client-validation.js'

/** A client as create/update return it: with `client_secret` when one was set by this call. */
export type IssuedClient = OAuth2Client & { client_id: string }

/** In-memory OAuth 2.0 client registry. */
export class ClientStore {
  private readonly clients = new Map<string, StoredClient>()

  constructor(private readonly nowIso: () => string) {}

  /**
   * Registers a client. Generates the id (UUID) unless one is given and, for confidential clients,
   * a secret unless one is given. Throws `ClientMetadataError`, or a 409 `OAuth2Error` for a taken id.
   */
  create(input: unknown): IssuedClient {
    const { client, secret } = normalizeClient(input, { clientId: uuid(), nowIso: this.nowIso() })
    if (this.clients.has(client.client_id)) {
      throw oauthError('Conflict')
    }
    let plain = secret
    if (authMethod(client) !== 'none') plain ??= randomToken(24)
    this.clients.set(client.client_id, { client, secretHash: plain ? sha256(plain) : undefined })
    return plain ? { ...structuredClone(client), client_secret: plain } : structuredClone(client)
  }

  /** True when a client with this id exists. */
  has(id: string): boolean {
    return this.clients.has(id)
  }

  /** The stored client, or `undefined`. */
  get(id: string): StoredClient | undefined {
    return this.clients.get(id)
  }

  /** All clients in insertion order. */
  list(): StoredClient[] {
    return [...this.clients.values()]
  }

  /**
   * Replaces a client (PUT semantics). The id comes from the path; the secret is kept unless the
   * body sets a new one, in which case it is returned once.
   */
  replace(id: string, input: unknown): IssuedClient | undefined {
    const previous = this.clients.get(id)
    if (!previous) return undefined
    const body: unknown =
      typeof input === 'object' && input !== null && !Array.isArray(input)
        ? { ...input, client_id: id }
        : input
    const { client, secret } = normalizeClient(body, {
      clientId: id,
      nowIso: this.nowIso(),
      previous: previous.client,
    })
    let secretHash = secret ? sha256(secret) : previous.secretHash
    let issued = secret
    if (authMethod(client) === 'none') secretHash = undefined
    else if (secretHash === undefined) {
      issued = randomToken(24)
      secretHash = sha256(issued)
    }
    this.clients.set(id, { client, secretHash })
    return issued ? { ...structuredClone(client), client_secret: issued } : structuredClone(client)
  }

  /**
   * Sets a client's token lifespans (`setOAuth2ClientLifespans`): only the lifespan fields of
   * `input` are read, every other field stays. Throws `ClientMetadataError` for a bad duration.
   */
  setLifespans(id: string, input: unknown): IssuedClient | undefined {
    const previous = this.clients.get(id)
    if (!previous) return undefined
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new ClientMetadataError('', 'must be a JSON object', 'invalid_request')
    }
    const next: Record<string, unknown> = { ...structuredClone(previous.client) }
    for (const f of LIFESPAN_FIELDS) {
      const v = (input as Record<string, unknown>)[f]
      if (v === undefined) continue
      if (v === null || v === '') delete next[f]
      else next[f] = v
    }
    const { client } = normalizeClient(next, {
      clientId: id,
      nowIso: this.nowIso(),
      previous: previous.client,
    })
    this.clients.set(id, { client, secretHash: previous.secretHash })
    return structuredClone(client)
  }

  /** Deletes a client; returns false when it did not exist. */
  delete(id: string): boolean {
    return this.clients.delete(id)
  }

  /** Checks a secret in constant time. Public clients never match. */
  secretMatches(stored: StoredClient, secret: string): boolean {
    if (stored.secretHash === undefined) return false
    return secretsEqual(sha256(secret), stored.secretHash)
  }
}
