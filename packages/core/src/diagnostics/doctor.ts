import { randomBytes } from 'node:crypto'
import { sanitizeText } from '../text/sanitize.js'
import { httpRequest, type HttpResponse } from '../upstream/request.js'
import { isJwtShaped } from '../verify/token-shape.js'
import { createJwtVerifier } from '../verify/jwt.js'
import { HydrakitError } from '../errors/errors.js'
import { differByTrailingSlash, OPAQUE_IN_JWT_MODE_HINT, upstreamHint } from './hints.js'

// `hydrakit doctor`: checks a Hydra setup from the resource server's side and says what is
// wrong, in words. Every check talks to the real endpoints; nothing here is cached.

/** What {@link runDoctor} checks. */
export interface DoctorOptions {
  /** Hydra's issuer URL as the API is configured with it (`urls.self.issuer`). Required. */
  issuer: string
  /** Hydra's admin API base URL (`http://hydra:4445`). Default: admin checks are skipped. */
  adminUrl?: string | undefined
  /** Credentials for the admin API, sent as the `Authorization` header value. Default: none. */
  adminAuthorization?: string | undefined
  /** An access token to examine. Default: token checks are skipped. */
  token?: string | undefined
  /** Audiences the API will require; the token must carry one. Default: not checked. */
  audience?: readonly string[] | undefined
  /** Scopes the API will require; the token must carry all. Default: not checked. */
  scopes?: readonly string[] | undefined
  /** Clock skew tolerated between this host and Hydra, in seconds. Default `5`. */
  clockTolerance?: number | undefined
  /** Deadline of each request, in milliseconds. Default `5000`. */
  timeoutMs?: number | undefined
}

/** One line of the report. */
export interface DoctorCheck {
  /** What was checked (`discovery`, `jwks`, `issuer`, `clock`, `admin`, `token`, …). */
  name: string
  /** `ok`; `warn` (works, but worth a look); `fail` (this will break verification). */
  status: 'ok' | 'warn' | 'fail'
  /** What was found, and for problems what to do. */
  detail: string
}

/** The outcome of {@link runDoctor}. */
export interface DoctorReport {
  checks: DoctorCheck[]
  /** Whether any check failed. */
  failed: boolean
}

type Claims = Record<string, unknown>

function decodePart(part: string | undefined): Claims | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8'))
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Claims)
      : undefined
  } catch {
    return undefined
  }
}
const list = (v: unknown): string[] =>
  typeof v === 'string'
    ? v.split(' ').filter(Boolean)
    : Array.isArray(v)
      ? v.filter((x) => typeof x === 'string')
      : []
const show = (v: unknown): string =>
  sanitizeText(typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v)), 200)
const slashless = (url: string): string => url.replace(/\/+$/, '')

/** Runs every check that the options allow and returns the report (never throws for a broken setup). */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const checks: DoctorCheck[] = []
  const add = (name: string, status: DoctorCheck['status'], detail: string): void => {
    checks.push({ name, status, detail })
  }
  const timeoutMs = options.timeoutMs ?? 5000
  const tolerance = options.clockTolerance ?? 5
  const get = async (url: string): Promise<HttpResponse | string> => {
    try {
      return await httpRequest({ method: 'GET', url, timeoutMs, headers: { accept: 'application/json' } })
    } catch (err) {
      return sanitizeText(err instanceof Error ? err.message : err, 200)
    }
  }
  const json = (res: HttpResponse): Claims | undefined => {
    try {
      const v: unknown = JSON.parse(res.body)
      return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Claims) : undefined
    } catch {
      return undefined
    }
  }

  // Discovery and the issuer string.
  const discoveryUrl = `${slashless(options.issuer)}/.well-known/openid-configuration`
  const discovery = await get(discoveryUrl)
  let jwksUri = `${slashless(options.issuer)}/.well-known/jwks.json`
  let hydraDate: string | undefined
  if (typeof discovery === 'string') {
    add('discovery', 'fail', `${discoveryUrl}: ${discovery} (is the issuer reachable from this host?)`)
  } else if (discovery.status !== 200 || json(discovery) === undefined) {
    add('discovery', 'fail', `${discoveryUrl}: HTTP ${discovery.status} (is the issuer right?)`)
  } else {
    const doc = json(discovery)!
    const date = discovery.headers.date
    hydraDate = typeof date === 'string' ? date : undefined
    add('discovery', 'ok', `${discoveryUrl}`)
    if (typeof doc.jwks_uri === 'string') jwksUri = doc.jwks_uri
    if (doc.issuer === options.issuer) {
      add('issuer', 'ok', `matches the discovery document exactly: ${show(doc.issuer)}`)
    } else if (differByTrailingSlash(doc.issuer, options.issuer)) {
      add(
        'issuer',
        'fail',
        `trailing slash: Hydra's issuer is ${show(doc.issuer)}, configured ${show(options.issuer)}; tokens carry ` +
          "Hydra's exactly: copy it, or set jwt.tolerateIssuerTrailingSlash: true",
      )
    } else {
      add('issuer', 'fail', `Hydra's issuer is ${show(doc.issuer)}, configured ${show(options.issuer)}`)
    }
  }

  // The key set.
  const jwks = await get(jwksUri)
  if (typeof jwks === 'string') {
    add('jwks', 'fail', `${jwksUri}: ${jwks} (${upstreamHint('jwks', jwksUri, undefined)})`)
  } else if (jwks.status !== 200) {
    const hint = upstreamHint('jwks', jwksUri, jwks.status)
    add('jwks', 'fail', `${jwksUri}: HTTP ${jwks.status}${hint === undefined ? '' : ` (${hint})`}`)
  } else {
    hydraDate ??= typeof jwks.headers.date === 'string' ? jwks.headers.date : undefined
    const keys = json(jwks)?.keys
    const count = Array.isArray(keys) ? keys.length : 0
    add('jwks', count > 0 ? 'ok' : 'fail', `${jwksUri}: ${count > 0 ? `${count} key(s)` : 'no keys'}`)
  }

  // Clock skew against Hydra's Date header (one-second resolution).
  if (hydraDate !== undefined && Number.isFinite(Date.parse(hydraDate))) {
    const skew = Math.round((Date.now() - Date.parse(hydraDate)) / 1000)
    const detail = `this host is ${Math.abs(skew)} s ${skew >= 0 ? 'ahead of' : 'behind'} Hydra`
    add(
      'clock',
      Math.abs(skew) > tolerance ? 'fail' : 'ok',
      Math.abs(skew) > tolerance
        ? `${detail}: sync the clock (NTP); tokens will look expired or not yet valid`
        : detail,
    )
  }

  // The admin API: reachable, the admin port, accepts our credentials, introspection works.
  let introspect: ((token: string) => Promise<Claims | undefined>) | undefined
  if (options.adminUrl !== undefined) {
    const url = `${slashless(options.adminUrl)}/admin/oauth2/introspect`
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    }
    if (options.adminAuthorization !== undefined) headers.authorization = options.adminAuthorization
    const call = async (token: string): Promise<HttpResponse | string> => {
      try {
        return await httpRequest({
          method: 'POST',
          url,
          headers,
          body: new URLSearchParams({ token }).toString(),
          timeoutMs,
        })
      } catch (err) {
        return sanitizeText(err instanceof Error ? err.message : err, 200)
      }
    }
    const probe = await call(`hydrakit_doctor_probe_${randomBytes(12).toString('hex')}`)
    if (typeof probe === 'string') {
      add('admin', 'fail', `${url}: ${probe} (${upstreamHint('introspection', url, undefined)})`)
    } else if (probe.status !== 200) {
      const hint = upstreamHint('introspection', url, probe.status)
      add('admin', 'fail', `${url}: HTTP ${probe.status}${hint === undefined ? '' : ` (${hint})`}`)
    } else if (json(probe)?.active !== false) {
      add(
        'admin',
        'fail',
        `${url}: did not answer {"active":false} for a made-up token: is it Hydra's admin API?`,
      )
    } else {
      add('admin', 'ok', `${url}: reachable, credentials accepted, introspection answers`)
      introspect = async (token) => {
        const res = await call(token)
        return typeof res === 'string' || res.status !== 200 ? undefined : json(res)
      }
    }
  }

  if (options.token !== undefined) await examineToken(options, add, introspect)
  return { checks, failed: checks.some((c) => c.status === 'fail') }
}

async function examineToken(
  options: DoctorOptions,
  add: (name: string, status: DoctorCheck['status'], detail: string) => void,
  introspect: ((token: string) => Promise<Claims | undefined>) | undefined,
): Promise<void> {
  const token = options.token!.replace(/^Bearer\s+/i, '').trim()
  let claims: Claims | undefined
  if (isJwtShaped(token)) {
    const [head, body] = token.split('.')
    const header = decodePart(head) ?? {}
    claims = decodePart(body) ?? {}
    add(
      'token format',
      'ok',
      `JWT (alg ${show(header.alg)}, typ ${show(header.typ)}, kid ${show(header.kid)})`,
    )
    const idToken =
      claims.scp === undefined &&
      claims.scope === undefined &&
      ['at_hash', 'nonce', 'auth_time', 'sid'].some((c) => claims![c] !== undefined)
    if (idToken) {
      add(
        'token kind',
        'fail',
        'an ID token, not an access token: send the access_token from the token response',
      )
    }
    const verifier = createJwtVerifier({
      issuer: options.issuer,
      audience: false,
      warnings: false,
      tolerateIssuerTrailingSlash: false,
    })
    try {
      await verifier.verify(token)
      add('token signature', 'ok', 'signature, issuer and lifetime verify against the JWKS')
    } catch (err) {
      const reason = err instanceof HydrakitError ? (err.reason ?? err.error) : 'error'
      add(
        'token signature',
        'fail',
        `refused by the JWT verifier: ${show(reason)}${reason === 'issuer' ? ` (token iss ${show(claims.iss)})` : ''}`,
      )
    } finally {
      await verifier.close()
    }
  } else {
    const opaque = token.startsWith('ory_at_')
    add(
      'token format',
      opaque ? 'warn' : 'fail',
      opaque
        ? `opaque Hydra access token: ${OPAQUE_IN_JWT_MODE_HINT}`
        : 'neither a JWT nor a Hydra access token (ory_at_...)',
    )
    if (introspect === undefined) {
      add('token', 'warn', 'pass --admin-url to introspect it')
      return
    }
    claims = await introspect(token)
    if (claims === undefined) {
      add('token', 'fail', 'introspection did not answer')
      return
    }
    if (claims.active !== true) {
      add(
        'token',
        'fail',
        'introspection says it is not active (expired, revoked, or never issued by this Hydra)',
      )
      return
    }
    if (claims.token_use !== undefined && claims.token_use !== 'access_token') {
      add('token kind', 'fail', `a ${show(claims.token_use)}, not an access token`)
    }
  }

  const aud = list(claims.aud)
  if (options.audience !== undefined && options.audience.length > 0) {
    const ok = options.audience.some((a) => aud.includes(a))
    add(
      'token audience',
      ok ? 'ok' : 'fail',
      ok
        ? `aud ${show(aud)}`
        : `aud ${show(aud)} has none of ${show(options.audience)}: request the token with audience=${options.audience[0]}`,
    )
  } else {
    add('token audience', 'ok', `aud ${show(aud)} (configure the API with one of these as audience)`)
  }
  const granted = list(claims.scp ?? claims.scope)
  if (options.scopes !== undefined && options.scopes.length > 0) {
    const missing = options.scopes.filter((s) => !granted.includes(s))
    add(
      'token scopes',
      missing.length === 0 ? 'ok' : 'fail',
      missing.length === 0
        ? `granted ${show(granted)}`
        : `missing ${show(missing)} (granted ${show(granted)})`,
    )
  } else {
    add('token scopes', 'ok', `granted ${show(granted)}`)
  }
  if (typeof claims.exp === 'number') {
    const left = Math.round(claims.exp - Date.now() / 1000)
    add(
      'token expiry',
      left > 0 ? 'ok' : 'fail',
      left > 0 ? `expires in ${left} s` : `expired ${-left} s ago`,
    )
  } else {
    add('token expiry', 'fail', 'no exp claim')
  }
}

/** The report as text, one line per check, and a closing line with the number of problems. */
export function formatDoctorReport(report: DoctorReport): string {
  const width = Math.max(...report.checks.map((c) => c.name.length), 5)
  const mark = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' } as const
  const lines = report.checks.map((c) => `${mark[c.status]}  ${c.name.padEnd(width)}  ${c.detail}`)
  const problems = report.checks.filter((c) => c.status === 'fail').length
  lines.push('', problems === 0 ? 'No problems found.' : `${problems} problem(s) found.`)
  return lines.join('\n')
}
