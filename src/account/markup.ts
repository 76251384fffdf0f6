/**
 * The account page's markup: a top bar, one status region, and one `<section data-view>` per view, all
 * hidden until the page's script (src/account/script.ts) picks the view for the address and the session.
 * Only static text lives here; everything the service returns is put in with `textContent` by the script.
 */
import { SOCIAL_SIGN_IN_MARKER } from "./social-markup";

interface FieldOptions {
  id: string;
  /** The form value's name; also the API field whose errors show under the input. */
  name: string;
  label: string;
  type?: "text" | "email" | "password";
  autocomplete: string;
  /** Other API field names whose errors belong to this input (space-separated). */
  fields?: string;
  hint?: string;
  /** A control shown on the label's line (e.g. "Forgot password?"). */
  aside?: string;
}

function field({ id, name, label, type = "text", autocomplete, fields, hint, aside }: FieldOptions): string {
  const describedBy = [hint ? `${id}-hint` : "", `${id}-error`].filter(Boolean).join(" ");
  const labelHtml = `<label for="${id}">${label}</label>`;
  const text = type === "password" ? "" : ' autocapitalize="none" spellcheck="false"';
  return `<div class="field">
  ${aside ? `<div class="row-between">${labelHtml}${aside}</div>` : labelHtml}
  <input id="${id}" name="${name}" type="${type}" autocomplete="${autocomplete}"${text}${fields ? ` data-fields="${fields}"` : ""} aria-describedby="${describedBy}">
  ${hint ? `<p class="hint" id="${id}-hint">${hint}</p>` : ""}
  <p class="field-error" id="${id}-error" hidden></p>
</div>`;
}

function goto(view: string, text: string): string {
  return `<button type="button" class="link" data-goto="${view}">${text}</button>`;
}

function submit(text: string, busy: string): string {
  return `<button type="submit" class="btn btn-primary btn-block" data-busy="${busy}">${text}</button>`;
}

/** A form: its message box first (field-independent errors and successes), then its fields. */
function form(id: string, body: string): string {
  return `<form id="${id}" novalidate>
<div class="form-message" aria-live="polite"></div>
${body}
</form>`;
}

const PASSWORD_HINT = "At least 8 characters, not only digits, and not a common password.";

const SIGN_IN = `<section data-view="signin" aria-labelledby="signin-title" hidden>
<div class="card">
<h1 id="signin-title" tabindex="-1">Sign in</h1>
<p class="lead">Welcome back. Sign in to manage your account and devices.</p>
${form(
  "form-signin",
  `${field({ id: "signin-login", name: "login", label: "Username or e-mail", autocomplete: "username", fields: "username email" })}
${field({ id: "signin-password", name: "password", label: "Password", type: "password", autocomplete: "current-password", aside: goto("forgot", "Forgot password?") })}
${submit("Sign in", "Signing in…")}
<p id="signin-unverified" class="form-footer" hidden>Lost the verification e-mail? ${goto("resend", "Send a new link")}</p>`,
)}
<div class="divider"><span>or</span></div>
<button type="button" class="btn btn-secondary btn-block" data-action="passkey-sign-in" id="passkey-sign-in">Sign in with a passkey</button>
${SOCIAL_SIGN_IN_MARKER}
<div class="form-footer">
<p>New here? ${goto("signup", "Create an account")}</p>
</div>
</div>
</section>`;

const SECOND_STEP = `<section data-view="second-step" aria-labelledby="second-step-title" hidden>
<div class="card">
<h1 id="second-step-title" tabindex="-1">Verify it is you</h1>
<p class="lead" id="second-step-lead">Your account has two-step verification on.</p>
${form(
  "form-second-step",
  `${field({ id: "second-step-code", name: "code", label: "Code", autocomplete: "one-time-code", hint: "The 6-digit code from your authenticator app, or one of your recovery codes." })}
${submit("Verify", "Verifying…")}`,
)}
<div id="second-step-passkey" hidden>
<div class="divider"><span>or</span></div>
<button type="button" class="btn btn-secondary btn-block" data-action="second-step-passkey">Use a passkey</button>
</div>
<div class="form-footer"><p>${goto("signin", "Back to sign in")}</p></div>
</div>
</section>`;

const SIGN_UP = `<section data-view="signup" aria-labelledby="signup-title" hidden>
<div class="card">
<h1 id="signup-title" tabindex="-1">Create your account</h1>
<p class="lead">It takes a minute. You can sign in on as many devices as you like.</p>
${form(
  "form-signup",
  `${field({ id: "signup-username", name: "username", label: "Username", autocomplete: "username", hint: "Letters, digits and @ . + - _ only." })}
${field({ id: "signup-email", name: "email", label: "E-mail", type: "email", autocomplete: "email", hint: "For password resets. Required if this service verifies addresses." })}
${field({ id: "signup-password1", name: "password1", label: "Password", type: "password", autocomplete: "new-password", hint: PASSWORD_HINT })}
${field({ id: "signup-password2", name: "password2", label: "Confirm password", type: "password", autocomplete: "new-password" })}
${submit("Create account", "Creating account…")}`,
)}
<div class="form-footer"><p>Already have an account? ${goto("signin", "Sign in")}</p></div>
</div>
</section>`;

const FORGOT = `<section data-view="forgot" aria-labelledby="forgot-title" hidden>
<div class="card">
<h1 id="forgot-title" tabindex="-1">Forgot your password?</h1>
<p class="lead">Enter the e-mail address of your account and we will send you a link to choose a new password.</p>
${form(
  "form-forgot",
  `${field({ id: "forgot-email", name: "email", label: "E-mail", type: "email", autocomplete: "email" })}
${submit("Send reset link", "Sending…")}`,
)}
<div class="form-footer"><p>Remembered it? ${goto("signin", "Back to sign in")}</p></div>
</div>
</section>`;

const RESEND = `<section data-view="resend" aria-labelledby="resend-title" hidden>
<div class="card">
<h1 id="resend-title" tabindex="-1">Verify your e-mail</h1>
<p class="lead">Enter the address you signed up with and we will send you a new verification link.</p>
${form(
  "form-resend",
  `${field({ id: "resend-email", name: "email", label: "E-mail", type: "email", autocomplete: "email" })}
${submit("Send verification link", "Sending…")}`,
)}
<div class="form-footer"><p>${goto("signin", "Back to sign in")}</p></div>
</div>
</section>`;

const RESET = `<section data-view="reset" aria-labelledby="reset-title" hidden>
<div class="card">
<h1 id="reset-title" tabindex="-1">Choose a new password</h1>
<p class="lead">Setting a new password signs you out on every device.</p>
${form(
  "form-reset",
  `${field({ id: "reset-password1", name: "new_password1", label: "New password", type: "password", autocomplete: "new-password", hint: PASSWORD_HINT })}
${field({ id: "reset-password2", name: "new_password2", label: "New password, again", type: "password", autocomplete: "new-password" })}
${submit("Set new password", "Saving…")}
<p id="reset-new-link" class="form-footer" hidden>${goto("forgot", "Request a new reset link")}</p>`,
)}
<div class="form-footer"><p>${goto("signin", "Back to sign in")}</p></div>
</div>
</section>`;

const VERIFY = `<section data-view="verify" aria-labelledby="verify-title" hidden>
<div class="card">
<h1 id="verify-title" tabindex="-1">E-mail verification</h1>
<p class="lead" id="verify-text">Checking your verification link…</p>
<div class="inline-actions">
<button type="button" class="btn btn-primary" data-action="continue" id="verify-continue" hidden>Continue</button>
<button type="button" class="btn btn-secondary" data-action="verify-retry" id="verify-retry" hidden>Try again</button>
<button type="button" class="btn btn-secondary" data-goto="resend" id="verify-resend" hidden>Send a new link</button>
</div>
</div>
</section>`;

const ACCOUNT = `<section data-view="account" aria-labelledby="account-title" hidden>
<div class="page-head">
<h1 id="account-title" tabindex="-1">Your account</h1>
<p>Signed in as <strong id="account-username"></strong></p>
</div>
<section class="card" aria-labelledby="profile-title">
<div class="section-head"><h2 id="profile-title">Profile</h2></div>
<dl class="details">
<dt>Username</dt><dd id="profile-username"></dd>
<dt>E-mail</dt><dd id="profile-email"></dd>
</dl>
${form(
  "form-profile",
  `<div class="name-fields">
${field({ id: "profile-first-name", name: "first_name", label: "First name", autocomplete: "given-name" })}
${field({ id: "profile-last-name", name: "last_name", label: "Last name", autocomplete: "family-name" })}
</div>
<div class="form-actions"><button type="submit" class="btn btn-secondary" data-busy="Saving…">Save name</button></div>`,
)}
</section>
<section class="card" aria-labelledby="devices-title">
<div class="section-head">
<div><h2 id="devices-title" tabindex="-1">Your devices</h2><p id="devices-summary">Where your account is signed in.</p></div>
<button type="button" class="btn btn-secondary btn-small" data-action="refresh-devices">Refresh</button>
</div>
<ul id="devices" class="devices" aria-labelledby="devices-title"></ul>
<div class="devices-actions">
<button type="button" class="btn btn-secondary" data-action="sign-out-others" id="sign-out-others">Sign out other devices</button>
<button type="button" class="btn btn-danger" data-action="sign-out-everywhere">Sign out everywhere</button>
</div>
</section>
<section class="card" aria-labelledby="activity-title">
<div class="section-head"><div><h2 id="activity-title" tabindex="-1">Recent activity</h2><p id="activity-summary">Sign-ins and changes to your account, newest first.</p></div></div>
<ol id="activity" class="devices activity" aria-labelledby="activity-title"></ol>
<div class="devices-actions" id="older-activity" hidden><button type="button" class="btn btn-secondary" data-action="older-activity">Show older activity</button></div>
</section>
<section class="card" aria-labelledby="social-title" id="social-card" hidden>
<div class="section-head"><div><h2 id="social-title" tabindex="-1">Sign-in providers</h2><p>Other accounts you can sign in with.</p></div></div>
<ul id="social-accounts" class="devices" aria-labelledby="social-title"></ul>
</section>
<section class="card" aria-labelledby="mfa-title">
<div class="section-head"><div><h2 id="mfa-title" tabindex="-1">Two-step verification</h2><p id="mfa-summary">A code from an authenticator app after your password.</p></div></div>
<div id="totp-off" hidden>
<p class="section-text">Add a second step to signing in with a password: a 6-digit code from an authenticator app on your phone.</p>
<div class="form-actions"><button type="button" class="btn btn-primary" data-action="totp-start">Set up an authenticator app</button></div>
</div>
<div id="totp-setup" hidden>
<p class="section-text">Scan this QR code with your authenticator app, or type the key into it. Then enter the code it shows.</p>
<div class="totp-setup">
<div id="totp-qr" class="qr" role="img" aria-label="QR code of your authenticator key"></div>
<div>
<p class="section-text">Key: <code id="totp-secret" class="secret"></code></p>
${form(
  "form-totp-confirm",
  `${field({ id: "totp-code", name: "code", label: "Code from the app", autocomplete: "one-time-code" })}
<div class="form-actions"><button type="submit" class="btn btn-primary" data-busy="Checking…">Turn on</button>
<button type="button" class="btn btn-secondary" data-action="totp-cancel">Cancel</button></div>`,
)}
</div>
</div>
</div>
<div id="recovery-codes-box" hidden>
<p class="section-text"><strong>Save your recovery codes.</strong> Each one signs you in once if you lose your authenticator. They will not be shown again.</p>
<ol id="recovery-codes" class="codes"></ol>
<div class="form-actions"><button type="button" class="btn btn-primary" data-action="download-codes">Download</button>
<button type="button" class="btn btn-secondary" data-action="codes-saved">I have saved them</button></div>
</div>
<div id="totp-on" hidden>
<p class="section-text" id="recovery-left"></p>
<div class="factor-forms">
${form(
  "form-recovery-codes",
  `<h3>New recovery codes</h3>
${field({ id: "recovery-password", name: "password", label: "Password", type: "password", autocomplete: "current-password" })}
<div class="form-actions"><button type="submit" class="btn btn-secondary" data-busy="Creating…">Create new codes</button></div>`,
)}
${form(
  "form-totp-disable",
  `<h3>Turn off the authenticator app</h3>
${field({ id: "totp-disable-password", name: "password", label: "Password", type: "password", autocomplete: "current-password", fields: "password code" })}
<div class="form-actions"><button type="submit" class="btn btn-danger" data-busy="Turning off…">Turn off</button></div>`,
)}
</div>
</div>
</section>
<section class="card" aria-labelledby="passkeys-title">
<div class="section-head"><div><h2 id="passkeys-title" tabindex="-1">Passkeys</h2><p id="passkeys-summary">Sign in with your fingerprint, face or screen lock instead of a password.</p></div></div>
<ul id="passkeys" class="devices" aria-labelledby="passkeys-title"></ul>
${form(
  "form-passkey-add",
  `${field({ id: "passkey-name", name: "name", label: "Name of the new passkey", autocomplete: "off", fields: "name credential", hint: "Optional, e.g. Work laptop." })}
<div class="form-actions"><button type="submit" class="btn btn-primary" data-busy="Waiting for your passkey…">Add a passkey</button></div>`,
)}
</section>
<section class="card" aria-labelledby="password-title">
<div class="section-head"><div><h2 id="password-title">Change password</h2><p>Your other devices will be signed out; this one stays signed in.</p></div></div>
${form(
  "form-password",
  `${field({ id: "password-old", name: "old_password", label: "Current password", type: "password", autocomplete: "current-password" })}
${field({ id: "password-new1", name: "new_password1", label: "New password", type: "password", autocomplete: "new-password", hint: PASSWORD_HINT })}
${field({ id: "password-new2", name: "new_password2", label: "New password, again", type: "password", autocomplete: "new-password" })}
<div class="form-actions"><button type="submit" class="btn btn-primary" data-busy="Saving…">Change password</button></div>`,
)}
</section>
</section>`;

const LOADING = `<section data-view="loading" class="loading" aria-labelledby="loading-title">
<h1 id="loading-title" class="lead" tabindex="-1">Loading your account…</h1>
<button type="button" class="btn btn-secondary" data-action="continue" id="loading-retry" hidden>Try again</button>
<noscript><p class="noscript">This page needs JavaScript to sign you in.</p></noscript>
</section>`;

/** Everything inside `<body>` before the script. */
export const PAGE_BODY = `<header class="topbar">
<div class="topbar-inner">
<div class="brand"><span class="brand-mark" aria-hidden="true">ET</span><span>Edge Token Auth</span></div>
<div class="whoami" id="whoami" hidden>
<span class="whoami-name" id="whoami-name"></span>
<button type="button" class="btn btn-secondary btn-small" data-action="sign-out">Sign out</button>
</div>
</div>
</header>
<main id="main">
<div id="status" class="status" role="status" aria-live="polite"></div>
${LOADING}
${SIGN_IN}
${SECOND_STEP}
${SIGN_UP}
${FORGOT}
${RESEND}
${RESET}
${VERIFY}
${ACCOUNT}
</main>`;
