/**
 * The account page's DOM helpers: elements by id, the status region, form messages and field errors, and
 * switching views. Everything the service returns is written with `textContent`, never as HTML.
 */
import type { Problem } from "../problems";

const TITLES: Record<string, string> = {
  loading: "Account",
  signin: "Sign in",
  "second-step": "Verify it is you",
  signup: "Create your account",
  forgot: "Forgot your password",
  resend: "Verify your e-mail",
  reset: "Choose a new password",
  verify: "E-mail verification",
  account: "Your account",
};
const FIELD_NAMES: Record<string, string> = {
  username: "Username",
  email: "E-mail",
  password: "Password",
  old_password: "Current password",
  new_password1: "New password",
  new_password2: "New password, again",
  first_name: "First name",
  last_name: "Last name",
  key: "Verification link",
  code: "Code",
  mfa_token: "Sign-in",
  webauthn: "Passkey",
  credential: "Passkey",
  name: "Name",
};

export type Tone = "success" | "error" | "";

/** Set once the first view is settled: from then on a view change moves the focus to its heading. */
export const viewState = { ready: false };

/** The element with `id`; the markup (src/account/markup.ts) guarantees it exists. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the page has no #${id}`);
  return found as T;
}

export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className = "",
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** The page-wide status line (a live region). */
export function announce(message: string, tone: Tone): void {
  const status = byId("status");
  status.className = tone ? `status ${tone}` : "status";
  status.textContent = message;
}

export function setFormMessage(form: HTMLFormElement, message: string, tone: Tone): void {
  const box = form.querySelector<HTMLElement>(".form-message");
  if (!box) return;
  box.className = tone ? `form-message ${tone}` : "form-message";
  box.textContent = message;
}

function errorSlot(input: HTMLInputElement): HTMLElement {
  return byId(`${input.id}-error`);
}

export function clearFormErrors(form: HTMLFormElement): void {
  setFormMessage(form, "", "");
  // Inputs without an id (a passkey's inline rename) have no error slot.
  for (const input of form.querySelectorAll<HTMLInputElement>("input[id]")) {
    input.removeAttribute("aria-invalid");
    errorSlot(input).textContent = "";
    errorSlot(input).hidden = true;
  }
}

/** The input showing errors of API field `name`: its own name, or one listed in its data-fields. */
function inputFor(form: HTMLFormElement, name: string): HTMLInputElement | null {
  for (const input of form.querySelectorAll("input")) {
    if ((input.dataset.fields ?? input.name).split(" ").includes(name)) return input;
  }
  return null;
}

/** Field errors next to their inputs, everything else at the top of the form; focus the first bad input. */
export function showProblem(form: HTMLFormElement, found: Problem): void {
  const loose: string[] = [];
  let first: HTMLInputElement | null = null;
  for (const [name, messages] of Object.entries(found.fields)) {
    const input = inputFor(form, name);
    if (!input) {
      loose.push(`${FIELD_NAMES[name] ?? name}: ${messages.join(" ")}`);
      continue;
    }
    errorSlot(input).textContent = messages.join(" ");
    errorSlot(input).hidden = false;
    input.setAttribute("aria-invalid", "true");
    first = first ?? input;
  }
  setFormMessage(form, [...found.general, ...loose].filter(Boolean).join(" "), "error");
  first?.focus();
}

export function showView(name: string): void {
  for (const view of document.querySelectorAll<HTMLElement>("[data-view]")) view.hidden = view.dataset.view !== name;
  document.title = `${TITLES[name] ?? TITLES.loading} \u00b7 Edge Token Auth`;
  byId("main").classList.toggle("wide", name === "account");
  byId("whoami").hidden = name !== "account";
  announce("", "");
  if (viewState.ready) document.querySelector<HTMLElement>(`[data-view="${name}"] h1`)?.focus();
}

export function resetForms(): void {
  for (const form of document.querySelectorAll("form")) {
    form.reset();
    clearFormErrors(form);
  }
  byId("signin-unverified").hidden = true;
  byId("reset-new-link").hidden = true;
}
