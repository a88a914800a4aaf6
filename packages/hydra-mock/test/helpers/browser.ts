import { createHash, randomBytes } from 'node:crypto'

/** Parsed JSON of a response, loosely typed for assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any

/**
 * A minimal browser for tests: plain fetch with `redirect: 'manual'` and a per-origin cookie jar
 * (name/value only, honouring `Max-Age=0` deletion), so every hop of the OAuth flow is visible.
 */
export class TestBrowser {
  readonly jar = new Map<string, Map<string, string>>()

  cookies(url: string): Map<string, string> {
    const origin = new URL(url).origin
    let c = this.jar.get(origin)
    if (!c) {
      c = new Map()
      this.jar.set(origin, c)
    }
    return c
  }

  /** Sends a request with this browser's cookies and stores the cookies it sets. */
  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const jar = this.cookies(url)
    const headers = new Headers(init.headers)
    if (jar.size > 0) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '))
    const res = await fetch(url, { ...init, headers, redirect: 'manual' })
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';')
      const eq = pair!.indexOf('=')
      const name = pair!.slice(0, eq).trim()
      const value = pair!.slice(eq + 1).trim()
      const deleted = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a))
      if (deleted) jar.delete(name)
      else jar.set(name, value)
    }
    return res
  }

  /** GET `url` and return the `Location` of the expected 302. */
  async redirect(url: string): Promise<string> {
    const res = await this.request(url)
    await res.arrayBuffer()
    if (res.status !== 302) throw new Error(`expected 302 from ${url}, got ${res.status}`)
    return res.headers.get('location')!
  }
}

/** A PKCE verifier and its S256 challenge. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url')
  const challenge = createHash('sha256').update(verifier).digest('base64url')
  return { verifier, challenge }
}

/** JSON request against the admin API. */
export async function admin(
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Json; headers: Headers }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  })
  const text = await res.text()
  let parsed: unknown = text
  try {
    parsed = text ? JSON.parse(text) : undefined
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed, headers: res.headers }
}

/** Form POST (token, revoke, introspect). */
export async function postForm(
  url: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Json; headers: Headers }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  })
  const text = await res.text()
  let parsed: unknown = text
  try {
    parsed = text ? JSON.parse(text) : undefined
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed, headers: res.headers }
}

/** `Authorization: Basic` for client_secret_basic (RFC 6749 §2.3.1 form-encoding). */
export function basic(id: string, secret: string): Record<string, string> {
  const enc = (s: string) => encodeURIComponent(s)
  return { authorization: `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64')}` }
}
