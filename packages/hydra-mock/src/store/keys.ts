import { exportJWK, generateKeyPair, generateSecret, importJWK, SignJWT } from 'jose'
import type { CryptoKey, JWK, JWTPayload } from 'jose'
import { uuid } from '../util/random.js'

/** Hydra's key set that signs JWT access tokens (`strategies.access_token: jwt`). */
export const ACCESS_TOKEN_SET = 'hydra.jwt.access-token'
/** Hydra's key set that signs OpenID Connect ID tokens. */
export const ID_TOKEN_SET = 'hydra.openid.id-token'

/** Algorithms `POST /admin/keys/{set}` accepts. Symmetric ones only outside the two built-in sets. */
export const SUPPORTED_KEY_ALGS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'HS256',
  'HS384',
  'HS512',
] as const

/** One stored key. */
export interface StoredKey {
  readonly kid: string
  readonly alg: string
  readonly use: string
  /** Key that signs with this entry; `undefined` for a public key stored through the admin API. */
  readonly signingKey: CryptoKey | Uint8Array | undefined
  /** Public JWK (for symmetric keys: none, they are never published). */
  readonly publicJwk: JWK | undefined
  /** Full JWK including private parameters, as Hydra's admin API returns it. */
  readonly privateJwk: JWK
}

/**
 * Named JSON Web Key sets, newest key first. The newest key of a set is its signing key; older
 * keys stay published until deleted, so tokens signed before a rotation still verify.
 */
export class KeyStore {
  private readonly sets = new Map<string, StoredKey[]>()

  /** Creates the two built-in sets with one RS256 key each. */
  async init(): Promise<void> {
    await this.generate(ACCESS_TOKEN_SET, 'RS256', 'sig')
    await this.generate(ID_TOKEN_SET, 'RS256', 'sig')
  }

  /** Generates a key and puts it first in `set` (creating the set). */
  async generate(set: string, alg: string, use: string, kid: string = uuid()): Promise<StoredKey> {
    let key: StoredKey
    if (alg.startsWith('HS')) {
      const secret = (await generateSecret(alg, { extractable: true })) as CryptoKey
      const jwk = await exportJWK(secret)
      key = { kid, alg, use, signingKey: secret, publicJwk: undefined, privateJwk: { ...jwk, kid, alg, use } }
    } else {
      const options = alg === 'EdDSA' ? { extractable: true, crv: 'Ed25519' } : { extractable: true }
      const pair = await generateKeyPair(alg, options)
      const pub = await exportJWK(pair.publicKey)
      const priv = await exportJWK(pair.privateKey)
      key = {
        kid,
        alg,
        use,
        signingKey: pair.privateKey,
        publicJwk: { ...pub, kid, alg, use },
        privateJwk: { ...priv, kid, alg, use },
      }
    }
    const list = this.sets.get(set) ?? []
    this.sets.set(set, [key, ...list.filter((k) => k.kid !== kid)])
    return key
  }

  /**
   * Stores a key given as a JWK (`setJsonWebKey`, `setJsonWebKeySet`): replaces the key with the
   * same `kid` in place, or adds it as the newest key. Rejects (a jose error) when the JWK cannot be
   * imported for its `alg`.
   */
  async put(set: string, jwk: JWK & { kid: string; alg: string; use: string }): Promise<StoredKey> {
    const key = await this.fromJwk(jwk)
    const list = this.sets.get(set) ?? []
    const at = list.findIndex((k) => k.kid === key.kid)
    if (at >= 0)
      this.sets.set(
        set,
        list.map((k, i) => (i === at ? key : k)),
      )
    else this.sets.set(set, [key, ...list])
    return key
  }

  /** Replaces the whole set with `jwks` (first key newest). Nothing changes when a key fails to import. */
  async replaceSet(set: string, jwks: (JWK & { kid: string; alg: string; use: string })[]): Promise<void> {
    const keys = await Promise.all(jwks.map((j) => this.fromJwk(j)))
    this.sets.set(set, keys)
  }

  private async fromJwk(jwk: JWK & { kid: string; alg: string; use: string }): Promise<StoredKey> {
    const { kid, alg, use } = jwk
    const imported = await importJWK({ ...jwk, ext: true }, alg)
    const isPrivate = jwk.kty === 'oct' || typeof jwk.d === 'string'
    let publicJwk: JWK | undefined
    if (jwk.kty !== 'oct') {
      const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, oth: _oth, ...pub } = jwk
      publicJwk = { ...pub, kid, alg, use }
    }
    return {
      kid,
      alg,
      use,
      signingKey: isPrivate && use === 'sig' ? imported : undefined,
      publicJwk,
      privateJwk: structuredClone(jwk),
    }
  }

  /** The keys of `set`, newest first, or `undefined` when the set does not exist. */
  get(set: string): readonly StoredKey[] | undefined {
    return this.sets.get(set)
  }

  /** Deletes a whole set. Returns false when it did not exist. */
  deleteSet(set: string): boolean {
    return this.sets.delete(set)
  }

  /** Deletes one key. Returns false when it did not exist. */
  deleteKey(set: string, kid: string): boolean {
    const list = this.sets.get(set)
    if (!list) return false
    const next = list.filter((k) => k.kid !== kid)
    if (next.length === list.length) return false
    if (next.length === 0) this.sets.delete(set)
    else this.sets.set(set, next)
    return true
  }

  /** Drops every key of `set` except the newest. */
  keepNewest(set: string): void {
    const list = this.sets.get(set)
    if (list && list.length > 1) this.sets.set(set, [list[0]!])
  }

  /**
   * The signing key of a built-in set: its newest key with a private part; regenerates one when the
   * set was deleted (or holds public keys only), as Hydra does.
   */
  async signingKey(set: string): Promise<StoredKey & { signingKey: CryptoKey | Uint8Array }> {
    const current = this.sets.get(set)?.find((k) => k.signingKey !== undefined)
    if (current?.signingKey) return { ...current, signingKey: current.signingKey }
    const fresh = await this.generate(set, 'RS256', 'sig')
    return { ...fresh, signingKey: fresh.signingKey! }
  }

  /** Signs `claims` as a JWT with the newest key of `set`, header `typ: "JWT"` and the key's `kid`. */
  async sign(set: string, claims: JWTPayload): Promise<{ jwt: string; kid: string }> {
    const key = await this.signingKey(set)
    const jwt = await new SignJWT(claims)
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
      .sign(key.signingKey)
    return { jwt, kid: key.kid }
  }

  /** Public keys published at `/.well-known/jwks.json`: the ID-token set, then the access-token set. */
  wellKnown(): { keys: JWK[] } {
    const keys: JWK[] = []
    for (const set of [ID_TOKEN_SET, ACCESS_TOKEN_SET]) {
      for (const k of this.sets.get(set) ?? []) if (k.publicJwk) keys.push(k.publicJwk)
    }
    return { keys }
  }

  /** Public keys of one set (for verifying an `id_token_hint`). */
  publicKeys(set: string): { keys: JWK[] } {
    return { keys: (this.sets.get(set) ?? []).flatMap((k) => (k.publicJwk ? [k.publicJwk] : [])) }
  }
}
