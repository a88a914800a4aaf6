// The built-in pages: small, accessible HTML (lang, labels, no external assets, no script), every
// value HTML-escaped, the one inline stylesheet allowed by the response's CSP nonce.

import type {
  ClientView,
  ConsentItem,
  ConsentPageData,
  ErrorPageData,
  FlowPage,
  FlowPageData,
  LoginPageData,
  LogoutPageData,
  RenderContext,
} from './types.js'

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f5f7;color:#1d2330}
main{max-width:26rem;margin:3rem auto;padding:2rem;background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.15)}
h1{font-size:1.4rem;margin:0 0 .5rem}
p{margin:.5rem 0}
label{display:block;margin:.75rem 0 .25rem;font-weight:600}
input[type=text],input[type=password]{width:100%;padding:.55rem;border:1px solid #8a93a5;border-radius:4px;font:inherit}
input:focus,button:focus{outline:3px solid #7aa7ff;outline-offset:1px}
.check{display:flex;align-items:center;gap:.5rem;margin:.5rem 0}
.check label{display:inline;margin:0;font-weight:400}
fieldset{border:1px solid #d5d9e0;border-radius:4px;margin:1rem 0;padding:.5rem 1rem}
legend{font-weight:600;padding:0 .25rem}
.actions{display:flex;gap:.75rem;margin-top:1.25rem}
button{padding:.6rem 1.1rem;border:0;border-radius:4px;font:inherit;cursor:pointer;background:#2456c9;color:#fff}
button.secondary{background:#e4e7ec;color:#1d2330}
.error{padding:.6rem .8rem;border-radius:4px;background:#fdecea;color:#8a1c12}
.client{display:flex;align-items:center;gap:.75rem}
.client img{width:48px;height:48px;object-fit:contain}
.links{font-size:.9rem}
.muted{color:#5b6475;font-size:.9rem}
.check code{font-size:.85rem;background:#eef0f3;padding:0 .3rem;border-radius:3px}
`

/** The built-in stylesheet (for a custom renderer that wants the same look). */
export const BUILT_IN_STYLE: string = STYLE

/**
 * Renders one of the built-in pages. Every value from the data is escaped; the page has no script
 * and no external resource except a client logo over https.
 */
export function renderBuiltInPage(page: FlowPage, data: FlowPageData, context: RenderContext): string {
  switch (data.page) {
    case 'login':
      return layout('Sign in', context, loginBody(data))
    case 'consent':
      return layout('Allow access', context, consentBody(data))
    case 'logout':
      return layout('Sign out', context, logoutBody(data))
    case 'error':
      return layout(data.title, context, errorBody(data))
  }
  return layout('Error', context, `<h1>Error</h1><p>Unknown page ${escapeHtml(page)}.</p>`)
}

function layout(title: string, context: RenderContext, body: string): string {
  return (
    `<!doctype html>\n<html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<meta name="referrer" content="no-referrer">` +
    `<title>${escapeHtml(title)}</title>` +
    `<style nonce="${escapeHtml(context.nonce)}">${STYLE}</style></head>` +
    `<body><main>${body}</main></body></html>\n`
  )
}

function hidden(data: { challenge: string; csrfToken: string }): string {
  return (
    `<input type="hidden" name="challenge" value="${escapeHtml(data.challenge)}">` +
    `<input type="hidden" name="csrf_token" value="${escapeHtml(data.csrfToken)}">`
  )
}

function clientHeader(client: ClientView, text: string): string {
  const logo =
    client.logoUri === undefined
      ? ''
      : `<img src="${escapeHtml(client.logoUri)}" alt="" referrerpolicy="no-referrer">`
  return `<div class="client">${logo}<p>${text} <strong>${escapeHtml(client.name)}</strong></p></div>`
}

function clientLinks(client: ClientView): string {
  const links: string[] = []
  const a = (href: string, label: string): string =>
    `<a href="${escapeHtml(href)}" rel="noopener noreferrer" target="_blank">${label}</a>`
  if (client.policyUri !== undefined) links.push(a(client.policyUri, 'Privacy policy'))
  if (client.tosUri !== undefined) links.push(a(client.tosUri, 'Terms of service'))
  return links.length === 0 ? '' : `<p class="links">${links.join(' · ')}</p>`
}

function loginBody(d: LoginPageData): string {
  const error =
    d.error === undefined ? '' : `<p class="error" role="alert" id="login-error">${escapeHtml(d.error)}</p>`
  const remember = d.offerRemember
    ? `<div class="check"><input type="checkbox" id="remember" name="remember" value="1"${d.remember ? ' checked' : ''}>` +
      `<label for="remember">Keep me signed in</label></div>`
    : ''
  const describedBy = d.error === undefined ? '' : ' aria-describedby="login-error"'
  return (
    `<h1>Sign in</h1>${clientHeader(d.client, 'to continue to')}${error}` +
    `<form method="post">${hidden(d)}` +
    `<label for="username">Username or email</label>` +
    `<input type="text" id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required maxlength="256" value="${escapeHtml(d.username)}"${describedBy}>` +
    `<label for="password">Password</label>` +
    `<input type="password" id="password" name="password" autocomplete="current-password" required maxlength="1024"${describedBy}>` +
    remember +
    `<div class="actions"><button type="submit" name="action" value="accept">Sign in</button>` +
    `<button type="submit" name="action" value="deny" class="secondary" formnovalidate>Cancel</button></div>` +
    `</form>${clientLinks(d.client)}`
  )
}

function items(name: 'grant_scope' | 'grant_audience', prefix: string, list: ConsentItem[]): string {
  return list
    .map(
      (item, i) =>
        `<div class="check"><input type="checkbox" id="${prefix}-${i}" name="${name}" value="${escapeHtml(item.value)}"${item.checked ? ' checked' : ''}>` +
        `<label for="${prefix}-${i}">${itemText(item)}</label></div>`,
    )
    .join('')
}

/**
 * A checkbox's text: the description with the scope or audience itself beside it, so that the name
 * a user reads in docs ("untick write") is on the page; just the value when there is no description.
 */
function itemText(item: ConsentItem): string {
  if (item.label === item.value) return `<code>${escapeHtml(item.value)}</code>`
  return `${escapeHtml(item.label)} <code>${escapeHtml(item.value)}</code>`
}

function consentBody(d: ConsentPageData): string {
  const scopes =
    d.scopes.length === 0
      ? ''
      : `<fieldset><legend>Permissions</legend>${items('grant_scope', 'scope', d.scopes)}</fieldset>`
  const audiences =
    d.audiences.length === 0
      ? ''
      : `<fieldset><legend>Services it may call for you</legend>${items('grant_audience', 'audience', d.audiences)}</fieldset>`
  const remember = d.offerRemember
    ? `<div class="check"><input type="checkbox" id="remember" name="remember" value="1">` +
      `<label for="remember">Remember this decision</label></div>`
    : ''
  return (
    `<h1>Allow access?</h1>${clientHeader(d.client, 'Requested by')}` +
    `<p class="muted">Signed in as ${escapeHtml(d.subject)}</p>` +
    `<form method="post">${hidden(d)}${scopes}${audiences}${remember}` +
    `<div class="actions"><button type="submit" name="action" value="accept">Allow</button>` +
    `<button type="submit" name="action" value="deny" class="secondary">Deny</button></div>` +
    `</form>${clientLinks(d.client)}`
  )
}

function logoutBody(d: LogoutPageData): string {
  const from = d.client === undefined ? '' : clientHeader(d.client, 'Requested by')
  const deny = d.allowReject
    ? `<button type="submit" name="action" value="deny" class="secondary">No, stay signed in</button>`
    : ''
  return (
    `<h1>Sign out?</h1>${from}` +
    (d.subject === '' ? '' : `<p class="muted">Signed in as ${escapeHtml(d.subject)}</p>`) +
    `<form method="post">${hidden(d)}` +
    `<div class="actions"><button type="submit" name="action" value="accept">Yes, sign out</button>${deny}</div>` +
    `</form>`
  )
}

function errorBody(d: ErrorPageData): string {
  // Always a way back: to the client when it is known, else words that say where to go (a page that
  // runs no script cannot send the browser back itself).
  const back =
    d.restartUrl === undefined
      ? `<p class="muted">Go back to the application you came from and start again.</p>`
      : `<p><a href="${escapeHtml(d.restartUrl)}" rel="noreferrer">Return to ${escapeHtml(d.restartLabel ?? 'the application')}</a></p>`
  return `<h1>${escapeHtml(d.title)}</h1><p role="alert">${escapeHtml(d.message)}</p>${back}`
}
