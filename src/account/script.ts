/**
 * The account page's script, inlined in a `<script>` element and allowed by its SHA-256 in the page's
 * Content-Security-Policy (src/account/page.ts). Plain browser JavaScript, no framework, in three parts
 * sharing one function scope: this core (calls to the service, messages, views), the devices list
 * (src/account/script-devices.ts) and the forms (src/account/script-forms.ts).
 *
 * It signs in with the HttpOnly cookie flow: `fetch()` with `credentials: "same-origin"`, the service sets
 * the auth cookie, and the page never sees or stores the key. Same-origin POSTs carry an `Origin` header,
 * which passes the service's CSRF check. Everything the service returns is written with `textContent`.
 *
 * The user-agent parser and relative-time helper are the tested functions of src/account/user-agent.ts,
 * inlined by their source so the logic exists once.
 */
import { DEVICES_SCRIPT } from "./script-devices";
import { FORMS_SCRIPT } from "./script-forms";
import { describeDevice, relativeTime } from "./user-agent";

const CORE_SCRIPT = String.raw`
const SESSION_EXPIRED = "Your session has expired, please sign in again.";
const ACCOUNT_INACTIVE = "This account has been deactivated. Please contact support.";
const NETWORK_DOWN = "Could not reach the server. Check your connection and try again.";
const UNAVAILABLE = "Service temporarily unavailable, try again later.";
const RESET_LINK_INVALID = "This password reset link is invalid, has expired or was already used.";
const TITLES = {
  loading: "Account", signin: "Sign in", signup: "Create your account", forgot: "Forgot your password",
  resend: "Verify your e-mail", reset: "Choose a new password", verify: "E-mail verification", account: "Your account",
};
const FIELD_NAMES = {
  username: "Username", email: "E-mail", password: "Password", old_password: "Current password",
  new_password1: "New password", new_password2: "New password, again", key: "Verification link",
};
const state = { user: null, sessions: [], resetLink: null, ready: false };
const home = location.pathname.replace(/\/(reset-password|verify-email)\/?$/, "").replace(/\/$/, "") || "/";

function byId(id) {
  return document.getElementById(id);
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// ---- talking to the service ----

/** One API call: {ok, status, data}; status 0 when the network failed. */
async function api(method, path, body) {
  const init = { method, credentials: "same-origin", headers: { accept: "application/json" } };
  if (body !== undefined) {
    init.headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    return { ok: false, status: 0, data: null };
  }
  return { ok: response.ok, status: response.status, data: await readJson(response) };
}

async function readJson(response) {
  if (!(response.headers.get("content-type") || "").includes("json")) return null;
  try {
    return await response.json();
  } catch {
    return null;
  }
}

/** What went wrong, in words: {message, fields: {name: [messages]}, sessionEnded}. */
function explain(result) {
  const data = isObject(result.data) ? result.data : {};
  if (result.status === 0) return problem(NETWORK_DOWN);
  if (result.status === 401) {
    return { message: data.error === "Invalid user" ? ACCOUNT_INACTIVE : SESSION_EXPIRED, fields: {}, sessionEnded: true };
  }
  if (typeof data.detail === "string") return problem(data.detail);
  if (result.status === 503) return problem(UNAVAILABLE);
  if (result.status === 429) return problem("Too many attempts. Please wait a moment and try again.");
  const fields = {};
  for (const [name, messages] of Object.entries(data)) {
    fields[name] = (Array.isArray(messages) ? messages : [messages]).map(String);
  }
  const general = fields.non_field_errors || [];
  delete fields.non_field_errors;
  if (general.length === 0 && Object.keys(fields).length === 0) {
    return problem("Something went wrong (error " + result.status + "). Please try again.");
  }
  return { message: general.join(" "), fields, sessionEnded: false };
}

function problem(message) {
  return { message, fields: {}, sessionEnded: false };
}

/** Shows a failed call's problem on its form (or in the status region); an ended session goes to sign-in. */
function fail(result, form) {
  const found = explain(result);
  if (found.sessionEnded) endSession(found.message, "error");
  else if (form) showProblem(form, found);
  else announce(found.message, "error");
  return found;
}

// ---- messages ----

function announce(message, tone) {
  const status = byId("status");
  status.className = tone ? "status " + tone : "status";
  status.textContent = message || "";
}

function setFormMessage(form, message, tone) {
  const box = form.querySelector(".form-message");
  box.className = tone ? "form-message " + tone : "form-message";
  box.textContent = message || "";
}

function errorSlot(input) {
  return byId(input.id + "-error");
}

function clearFormErrors(form) {
  setFormMessage(form, "", "");
  for (const input of form.querySelectorAll("input")) {
    input.removeAttribute("aria-invalid");
    errorSlot(input).textContent = "";
    errorSlot(input).hidden = true;
  }
}

/** The input showing errors of API field "name": its own name, or one listed in its data-fields. */
function inputFor(form, name) {
  for (const input of form.querySelectorAll("input")) {
    if ((input.dataset.fields || input.name).split(" ").includes(name)) return input;
  }
  return null;
}

/** Field errors next to their inputs, everything else at the top of the form; focus the first bad input. */
function showProblem(form, found) {
  const loose = [];
  let first = null;
  for (const [name, messages] of Object.entries(found.fields)) {
    const input = inputFor(form, name);
    if (!input) {
      loose.push((FIELD_NAMES[name] || name) + ": " + messages.join(" "));
      continue;
    }
    errorSlot(input).textContent = messages.join(" ");
    errorSlot(input).hidden = false;
    input.setAttribute("aria-invalid", "true");
    first = first || input;
  }
  setFormMessage(form, [found.message].concat(loose).filter(Boolean).join(" "), "error");
  if (first) first.focus();
}

// ---- views ----

function showView(name) {
  for (const view of document.querySelectorAll("[data-view]")) view.hidden = view.dataset.view !== name;
  document.title = TITLES[name] + " \u00b7 Edge Token Auth";
  byId("main").classList.toggle("wide", name === "account");
  byId("whoami").hidden = name !== "account";
  announce("", "");
  if (state.ready) document.querySelector('[data-view="' + name + '"] h1').focus();
}

function resetForms() {
  for (const form of document.querySelectorAll("form")) {
    form.reset();
    clearFormErrors(form);
  }
  byId("signin-unverified").hidden = true;
  byId("reset-new-link").hidden = true;
}

function enterAccount(user, message) {
  state.user = user;
  renderProfile(user);
  showView("account");
  if (message) announce(message, "success");
  return loadDevices();
}

function endSession(message, tone) {
  state.user = null;
  state.sessions = [];
  resetForms();
  byId("devices").replaceChildren();
  showView("signin");
  announce(message, tone);
}

function renderProfile(user) {
  byId("whoami-name").textContent = user.username;
  byId("account-username").textContent = user.username;
  byId("profile-username").textContent = user.username;
  byId("profile-email").textContent = user.email || "Not set";
  byId("profile-name").textContent = [user.first_name, user.last_name].filter(Boolean).join(" ") || "Not set";
}

/** The signed-in view when the cookie is good, else sign-in (with a message if the service refused it). */
async function loadAccount() {
  const result = await api("GET", "/auth/user/");
  if (result.ok) return enterAccount(result.data);
  if (result.status === 401) {
    // No cookie at all is simply "signed out"; a cookie the service refuses is a session that ended.
    const refused = isObject(result.data) && typeof result.data.error === "string";
    return endSession(refused ? explain(result).message : "", refused ? "error" : "");
  }
  showView("loading");
  byId("loading-title").textContent = "We could not load your account.";
  byId("loading-retry").hidden = false;
  announce(explain(result).message, "error");
}
`;

const START_SCRIPT = String.raw`
const ACTIONS = {
  continue: () => {
    history.replaceState(null, "", home);
    return loadAccount();
  },
  "verify-retry": () => startVerify(),
  "refresh-devices": () => loadDevices(),
  "sign-out": signOut,
  "sign-out-others": signOutOthers,
  "sign-out-everywhere": signOutEverywhere,
};

function onClick(event) {
  const button = event.target.closest("button[data-goto], button[data-action]");
  if (!button) return;
  if (button.dataset.goto) return showView(button.dataset.goto);
  ACTIONS[button.dataset.action](button);
}

function start() {
  onSubmit("form-signin", signIn);
  onSubmit("form-signup", signUp);
  onSubmit("form-forgot", requestReset);
  onSubmit("form-resend", resendVerification);
  onSubmit("form-reset", confirmReset);
  onSubmit("form-password", changePassword);
  document.addEventListener("click", onClick);
  const path = location.pathname.replace(/\/+$/, "");
  let begun;
  if (path.endsWith("/reset-password")) begun = startReset();
  else if (path.endsWith("/verify-email")) begun = startVerify();
  else begun = loadAccount();
  Promise.resolve(begun).finally(() => {
    state.ready = true;
  });
}

start();
`;

/**
 * The whole script: an IIFE holding the two pure helpers (by their source) and the page's code. Starts at
 * once; it is the last element of `<body>`.
 */
export const PAGE_SCRIPT = [
  "(function () {",
  '"use strict";',
  `const describeDevice = ${describeDevice.toString()};`,
  `const relativeTime = ${relativeTime.toString()};`,
  CORE_SCRIPT,
  DEVICES_SCRIPT,
  FORMS_SCRIPT,
  START_SCRIPT,
  "})();",
].join("\n");
