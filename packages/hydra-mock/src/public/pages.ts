import type { MockResponse } from '../http/message.js'
import { htmlResponse } from '../http/message.js'

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
}

/** Wraps already-escaped HTML in the mock's page, which always says it is not for production. */
export function renderPage(status: number, title: string, bodyHtml: string): MockResponse {
  return htmlResponse(
    status,
    `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} · hydrakit mock Hydra</title>
<style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#222}
.warn{background:#fff3cd;border:1px solid #e0b400;padding:.6rem 1rem;border-radius:6px}
code{background:#f4f4f4;padding:0 .25rem}</style></head>
<body><p class="warn"><strong>hydrakit mock Hydra: NOT FOR PRODUCTION.</strong> An in-memory stand-in for
Ory Hydra, for development and tests only. Everything is lost on restart, nothing is hardened.</p>
<h1>${escapeHtml(title)}</h1>
${bodyHtml}
</body></html>
`,
  )
}

/** `/oauth2/fallbacks/error`: shows `error` and `error_description` from the query, escaped. */
export function errorPage(query: URLSearchParams): MockResponse {
  const error = query.get('error') ?? 'unknown_error'
  const description = query.get('error_description') ?? ''
  return renderPage(
    200,
    'An error occurred',
    `<p><code>${escapeHtml(error)}</code></p><p>${escapeHtml(description)}</p>`,
  )
}

/** Pages shown when no login, consent or logout app is configured. */
export function unconfiguredPage(kind: 'login' | 'consent' | 'logout'): MockResponse {
  const option = `${kind}Url`
  return renderPage(
    200,
    `No ${kind} app is configured`,
    `<p>The mock sent the browser here because the <code>${option}</code> option (Hydra
<code>urls.${kind}</code>) is not set. Point it at your ${kind} app, which reads the
<code>${kind}_challenge</code> query parameter and accepts or rejects it through the admin API.</p>`,
  )
}

/** `/oauth2/fallbacks/logout/callback`: where a logout without `post_logout_redirect_uri` ends. */
export function loggedOutPage(): MockResponse {
  return renderPage(200, 'You have been logged out', '<p>The login session was ended.</p>')
}

/** `/`: a short index of the public endpoints. */
export function indexPage(publicUrl: string): MockResponse {
  const e = escapeHtml(publicUrl)
  return renderPage(
    200,
    'hydrakit mock Hydra',
    `<ul>
<li><a href="${e}/.well-known/openid-configuration">/.well-known/openid-configuration</a></li>
<li><a href="${e}/.well-known/jwks.json">/.well-known/jwks.json</a></li>
</ul>`,
  )
}
