/**
 * HTML of the sandbox's sign-in pages. Plain forms with stable ids and names, so that Playwright
 * (and tests posting forms by HTTP) can fill them:
 *
 * Login page (`GET /{tenant}/login/{uid}`):
 *   form#loginForm (POST .../login/{uid}/login) · input#user[name=user] (prefilled from login_hint)
 *   · input#password[name=password] · button#signIn[type=submit] · p#loginError (after a bad try)
 * Consent page (`GET /{tenant}/login/{uid}`, after sign-in):
 *   form#consentForm (POST .../login/{uid}/consent) · button#accept[name=decision][value=accept]
 *   · button#deny[name=decision][value=deny] · ul#scopes (one li per permission)
 * Device code entry (`GET /{tenant}/oauth2/v2.0/deviceauth`):
 *   input#userCode[name=user_code] · button#continue (both bound to form#op.deviceInputForm)
 *   · p#deviceError (wrong code)
 * Device confirmation: button#confirm · button#abort (form#op.deviceConfirmForm)
 * Device success: h1#deviceSuccess
 * Error page: h1#errorTitle · p#errorCode (e.g. "AADSTS50011") · p#errorMessage (full text)
 *   · the page's title starts with the AADSTS code.
 */

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

const STYLE = `body{font-family:Segoe UI,Arial,sans-serif;background:#f2f2f2;margin:0}
main{max-width:440px;margin:60px auto;background:#fff;padding:36px 44px;box-shadow:0 2px 6px rgba(0,0,0,.2)}
h1{font-size:24px;font-weight:600;margin:0 0 16px}label{display:block;margin:12px 0 4px}
input[type=text],input[type=email],input[type=password]{width:100%;box-sizing:border-box;padding:6px;font-size:15px;border:0;border-bottom:1px solid #666}
button{margin:20px 8px 0 0;padding:6px 22px;font-size:15px;border:1px solid #0067b8;background:#0067b8;color:#fff;cursor:pointer}
button.secondary{background:#ccc;border-color:#ccc;color:#000}.error{color:#e81123}.small{color:#666;font-size:13px}`;

export function page(title: string, body: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}</style></head>
<body><main><p class="small">Contoso (sandbox) · not Microsoft</p>${body}</main></body></html>`;
}

export function loginPage(opts: { action: string; appName: string; loginHint?: string; error?: string }): string {
  return page(
    'Sign in to your account',
    `<h1 id="title">Sign in</h1>
<p class="small">to continue to ${escapeHtml(opts.appName)}</p>
${opts.error ? `<p id="loginError" class="error">${escapeHtml(opts.error)}</p>` : ''}
<form id="loginForm" method="post" action="${escapeHtml(opts.action)}" autocomplete="off">
<label for="user">Email, phone, or Skype</label>
<input id="user" name="user" type="email" value="${escapeHtml(opts.loginHint ?? '')}" autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password">
<button id="signIn" type="submit">Sign in</button>
</form>`
  );
}

export function consentPage(opts: { action: string; appName: string; user: string; permissions: string[] }): string {
  return page(
    'Permissions requested',
    `<h1 id="title">Permissions requested</h1>
<p><strong id="appName">${escapeHtml(opts.appName)}</strong> (unverified) would like to:</p>
<ul id="scopes">${opts.permissions.map((p) => `<li>${escapeHtml(p)}</li>`).join('')}</ul>
<p class="small">Signed in as <span id="signedInUser">${escapeHtml(opts.user)}</span>. Accepting lets this app use your data as described.</p>
<form id="consentForm" method="post" action="${escapeHtml(opts.action)}">
<button id="deny" class="secondary" type="submit" name="decision" value="deny">Cancel</button>
<button id="accept" type="submit" name="decision" value="accept">Accept</button>
</form>`
  );
}

export function errorPage(opts: { code: number; message: string; error: string }): string {
  return page(
    `AADSTS${opts.code}: ${opts.error}`,
    `<h1 id="errorTitle">Sorry, but we're having trouble signing you in.</h1>
<p id="errorCode">AADSTS${opts.code}</p>
<p id="errorMessage" class="error">AADSTS${opts.code}: ${escapeHtml(opts.message)}</p>
<p class="small" id="errorName">${escapeHtml(opts.error)}</p>`
  );
}

/** oidc-provider's form has the code field itself; it gets the id tests and users look for. */
export function deviceInputPage(form: string, error?: string): string {
  return page(
    'Enter code',
    `<h1 id="title">Enter code</h1>
<p>Enter the code displayed in your app or on your device.</p>
${error ? `<p id="deviceError" class="error">${escapeHtml(error)}</p>` : ''}
${form.replace('name="user_code"', 'id="userCode" name="user_code"')}
<button id="continue" type="submit" form="op.deviceInputForm">Next</button>`
  );
}

export function deviceConfirmPage(form: string, appName: string, userCode: string): string {
  return page(
    'Are you trying to sign in?',
    `<h1 id="title">Are you trying to sign in to ${escapeHtml(appName)}?</h1>
<p>Code: <code id="confirmCode">${escapeHtml(userCode)}</code>. Only continue if you started this sign-in from a device or app you trust.</p>
${form}
<button id="abort" class="secondary" type="submit" form="op.deviceConfirmForm" name="abort" value="yes">Cancel</button>
<button id="confirm" type="submit" form="op.deviceConfirmForm">Continue</button>`
  );
}

export function deviceSuccessPage(appName: string): string {
  return page(
    'Signed in',
    `<h1 id="deviceSuccess">You have signed in to ${escapeHtml(appName)}</h1>
<p>You may now close this window.</p>`
  );
}
