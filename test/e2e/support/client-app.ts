import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createHydraPublicClient, type HydraPublicClient } from '@hydrakit/core/hydra'
import { escapeHtml } from '@hydrakit/core/flows'

/** A tiny OAuth 2.0 client web app (authorization code + PKCE) that calls a protected API. */
export interface ClientApp {
  url: string
  /** Registers the Hydra client once its id and secret are known. */
  configure(clientId: string, clientSecret: string): void
  close(): Promise<void>
}

interface Pending {
  codeVerifier: string
}

/**
 * Pages: `/` (a "Sign in" link), `/signin?scope=...` (builds the authorize URL with state, nonce and
 * PKCE, redirects to Hydra), `/callback` (exchanges the code, calls `GET /items` and `POST /items`
 * of the API with the token and shows the statuses), `/signout` (RP-initiated logout at Hydra),
 * `/bye` (after logout).
 */
export async function startClientApp(hydraPublicUrl: string, apiUrl: string): Promise<ClientApp> {
  let oauth: HydraPublicClient | undefined
  const pending = new Map<string, Pending>()
  let lastIdToken: string | undefined
  let url = ''

  const page = (res: ServerResponse, body: string, status = 200): void => {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' })
    res.end(`<!doctype html><html lang="en"><head><title>Client</title></head><body>${body}</body></html>`)
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const u = new URL(req.url ?? '/', url)
    if (oauth === undefined) throw new Error('client app not configured')
    switch (u.pathname) {
      case '/':
        return page(res, '<h1>Client</h1><a id="signin" href="/signin">Sign in</a>')
      case '/signin': {
        const scope = (u.searchParams.get('scope') ?? 'openid offline_access read write').split(' ')
        const auth = oauth.createAuthorizationRequest({ scope })
        pending.set(auth.state, { codeVerifier: auth.codeVerifier })
        res.writeHead(302, { location: auth.url })
        res.end()
        return
      }
      case '/callback': {
        const error = u.searchParams.get('error')
        if (error !== null) return page(res, `<p id="error">${escapeHtml(error)}</p>`)
        const state = u.searchParams.get('state') ?? ''
        const flow = pending.get(state)
        const code = u.searchParams.get('code')
        if (flow === undefined || code === null) return page(res, '<p id="error">bad_state</p>', 400)
        pending.delete(state)
        const tokens = await oauth.oauth2TokenExchange({
          grantType: 'authorization_code',
          code,
          codeVerifier: flow.codeVerifier,
        })
        lastIdToken = tokens.id_token
        const bearer = { authorization: `Bearer ${tokens.access_token}` }
        const read = await fetch(`${apiUrl}/items`, { headers: bearer })
        await read.arrayBuffer()
        const write = await fetch(`${apiUrl}/items`, {
          method: 'POST',
          headers: { ...bearer, 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'from-e2e' }),
        })
        await write.arrayBuffer()
        return page(
          res,
          `<p>granted <span id="granted">${escapeHtml(tokens.scope ?? '')}</span></p>` +
            `<p>GET /items <span id="read">${read.status}</span></p>` +
            `<p>POST /items <span id="write">${write.status}</span></p>` +
            `<a id="signout" href="/signout">Sign out</a>`,
        )
      }
      case '/signout': {
        const logout = new URL(`${hydraPublicUrl}/oauth2/sessions/logout`)
        if (lastIdToken !== undefined) {
          logout.searchParams.set('id_token_hint', lastIdToken)
          logout.searchParams.set('post_logout_redirect_uri', `${url}/bye`)
          logout.searchParams.set('state', 'bye-state-123')
        }
        res.writeHead(302, { location: logout.href })
        res.end()
        return
      }
      case '/bye':
        return page(res, '<p id="bye">signed out</p><a id="signin" href="/signin">Sign in</a>')
      default:
        res.writeHead(404)
        res.end()
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      page(res, `<p id="error">${escapeHtml(err instanceof Error ? err.message : 'error')}</p>`, 500)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    configure(clientId, clientSecret) {
      oauth = createHydraPublicClient({
        publicUrl: hydraPublicUrl,
        clientId,
        clientSecret,
        redirectUri: `${url}/callback`,
        retries: 0,
      })
    },
    async close() {
      await oauth?.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
