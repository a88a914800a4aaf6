import type { Server } from 'node:http'

/** Placeholder until the login/consent example is wired in: answers 503 on the login server. */
export function startLoginConsent(
  server: Server,
  _options: { hydraAdminUrl: string; hydraPublicUrl: string },
): Promise<void> {
  server.on('request', (_req, res) => {
    res.writeHead(503, { 'content-type': 'text/plain' }).end('login/consent app not wired yet')
  })
  return Promise.resolve()
}
