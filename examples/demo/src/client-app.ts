import { randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import { createHydraPublicClient, type HydraPublicClient } from '@hydrakit/core/hydra'

/** What the client page needs to know. */
export interface ClientAppOptions {
  port: number
  host: string
  hydraPublicUrl: string
  clientId: string
  clientSecret: string
  apiUrl: string
  scopes: string[]
  /** Access-token audiences to request (the API checks its own). */
  audience: string[]
}

const escape = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>body{font:16px system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}pre{background:#f4f4f4;padding:.75rem;white-space:pre-wrap;overflow-wrap:anywhere}a.button{display:inline-block;padding:.5rem 1rem;background:#2b59c3;color:#fff;border-radius:4px;text-decoration:none}</style>
</head><body><h1>${escape(title)}</h1>${body}</body></html>`
}

/**
 * A tiny OAuth2 client (a "third-party app"): signs the user in through Hydra with the authorization
 * code flow + PKCE, then calls the protected API with the access token and shows what it got.
 */
export async function startClientApp(
  options: ClientAppOptions,
): Promise<{ url: string; server: Server; oauth: HydraPublicClient }> {
  const redirectUri = `http://${options.host}:${options.port}/callback`
  const oauth = createHydraPublicClient({
    publicUrl: options.hydraPublicUrl,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    redirectUri,
  })
  const pending = new Map<string, string>() // state → PKCE verifier
  // What a sign-in produced, by the random id in the browser's demo_result cookie. The callback
  // stores it and redirects to /result, so the address bar never keeps the one-time ?code=.
  const results = new Map<string, { scope: string; calls: string[]; idToken: string | undefined }>()
  const home = `http://${options.host}:${options.port}/`
  const resultId = (cookie: string | undefined): string | undefined =>
    /(?:^|;\s*)demo_result=([A-Za-z0-9_-]+)/.exec(cookie ?? '')?.[1]

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', redirectUri)
      const html = (status: number, title: string, body: string): void => {
        res
          .writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
          .end(page(title, body))
      }
      if (url.pathname === '/') {
        return html(
          200,
          'Demo client',
          `<p>This page plays a third-party app. Signing in runs Hydra's authorization code flow with PKCE
through the hydrakit login and consent screens (demo user <code>foo@bar.com</code> / <code>foobar</code>).</p>
<p><a class="button" href="/login">Sign in with Hydra</a></p>`,
        )
      }
      if (url.pathname === '/login') {
        const request = oauth.createAuthorizationRequest({
          scope: options.scopes,
          audience: options.audience,
        })
        if (pending.size > 1000) pending.clear()
        pending.set(request.state, request.codeVerifier)
        res.writeHead(302, { location: request.url }).end()
        return
      }
      if (url.pathname === '/callback') {
        const state = url.searchParams.get('state') ?? ''
        const verifier = pending.get(state)
        pending.delete(state)
        const error = url.searchParams.get('error')
        if (error !== null) {
          return html(
            200,
            'Sign-in ended',
            `<p>Hydra answered <code>${escape(error)}</code>: ${escape(url.searchParams.get('error_description') ?? '')}</p><p><a href="/">Back</a></p>`,
          )
        }
        const code = url.searchParams.get('code')
        if (verifier === undefined || code === null)
          return html(400, 'Unknown sign-in', '<p>Unknown or used state. <a href="/">Start again</a></p>')
        const tokens = await oauth.oauth2TokenExchange({
          grantType: 'authorization_code',
          code,
          codeVerifier: verifier,
        })
        const call = async (method: string, path: string): Promise<string> => {
          const r = await fetch(options.apiUrl + path, {
            method,
            headers: { authorization: `Bearer ${tokens.access_token}`, 'content-type': 'application/json' },
            body: method === 'POST' ? JSON.stringify({ name: 'from the demo client' }) : undefined,
          })
          return `${method} ${path} → ${r.status}\n${await r.text()}`
        }
        const calls = [await call('GET', '/me'), await call('GET', '/items'), await call('POST', '/items')]
        const id = randomBytes(16).toString('base64url')
        if (results.size > 1000) results.clear()
        results.set(id, { scope: tokens.scope ?? '', calls, idToken: tokens.id_token })
        res
          .writeHead(303, {
            location: '/result',
            'set-cookie': `demo_result=${id}; Path=/; HttpOnly; SameSite=Lax`,
            'cache-control': 'no-store',
          })
          .end()
        return
      }
      if (url.pathname === '/result') {
        const result = results.get(resultId(req.headers.cookie) ?? '')
        if (result === undefined) return html(404, 'Not signed in', '<p><a href="/">Sign in</a></p>')
        return html(
          200,
          'Signed in',
          `<p>Granted scopes: <code>${escape(result.scope)}</code></p>
<p>The API answered (a scope you unticked on the consent page gives 403):</p>
${result.calls.map((r) => `<pre>${escape(r)}</pre>`).join('')}
<p><a href="/">Again</a> · <a href="/logout">Sign out</a></p>`,
        )
      }
      if (url.pathname === '/logout') {
        // RP-initiated logout: Hydra asks the user (the login app's logout page), then comes back here.
        // The result stays: "No, stay signed in" on the logout page comes back to /result.
        const idToken = results.get(resultId(req.headers.cookie) ?? '')?.idToken
        const target = new URL('/oauth2/sessions/logout', options.hydraPublicUrl)
        if (idToken !== undefined) {
          target.searchParams.set('id_token_hint', idToken)
          target.searchParams.set('post_logout_redirect_uri', home)
        }
        res.writeHead(302, { location: target.href }).end()
        return
      }
      html(404, 'Not found', '<p><a href="/">Home</a></p>')
    })().catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' })
      res.end(`the demo client failed: ${err instanceof Error ? err.message : String(err)}`)
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, resolve)
  })
  return { url: `http://${options.host}:${options.port}`, server, oauth }
}
