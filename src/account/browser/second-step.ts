/**
 * Signing in beyond the password: the second step (`login/` answered `mfa_required`: a TOTP or recovery code,
 * or a passkey, sent with the single-use `mfa_token` to `login/mfa/`), and the passwordless "Sign in with a
 * passkey" (`passkeys/login/options/`, then `passkeys/login/`). The `mfa_token` is kept in memory only, and
 * forgotten once used or when the person goes back.
 */
import type { MfaRequired } from "../../client/index";
import { explain } from "../problems";
import { announce, byId, clearFormErrors, setFormMessage, showProblem, showView } from "./dom";
import { api, enterAccount, fail } from "./session";
import type { Values } from "./submit";
import { getAssertion, passkeysSupported } from "./webauthn";

let pending: MfaRequired | null = null;

/** Shows the second step for a password that was right: the code form, and "Use a passkey" if one is set up. */
export function startSecondStep(required: MfaRequired): void {
  pending = required;
  const codes = required.methods.filter((method) => method !== "webauthn");
  const form = byId<HTMLFormElement>("form-second-step");
  form.reset();
  clearFormErrors(form);
  form.hidden = codes.length === 0;
  byId("second-step-passkey").hidden = !required.methods.includes("webauthn");
  byId("second-step-lead").textContent =
    codes.length === 0
      ? "Your account has two-step verification on. Confirm with your passkey."
      : required.methods.includes("totp")
        ? "Your account has two-step verification on. Enter the code from your authenticator app, or a recovery code."
        : "Your account has two-step verification on. Enter one of your recovery codes.";
  showView("second-step");
  if (!form.hidden) byId("second-step-code").focus();
}

/**
 * A second step handed over in the address's fragment (`#mfa_token=…&methods=totp,recovery_code`): where a sign-in
 * through another provider lands when the account has a second factor. The fragment never reaches a server; it is
 * removed from the address at once.
 */
export function secondStepFromAddress(): MfaRequired | null {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const token = fragment.get("mfa_token");
  if (!token) return null;
  history.replaceState(null, "", `${location.pathname}${location.search}`);
  const methods = (fragment.get("methods") ?? "").split(",").filter(Boolean) as MfaRequired["methods"];
  return { mfa_required: true, mfa_token: token, methods };
}

/** Forgets the pending second step (its token dies at the service in five minutes anyway). */
export function forgetSecondStep(): void {
  pending = null;
}

/** The code form's handler: `login/mfa/` with the code as typed, trimmed (the service drops inner spaces itself). */
export async function verifyCode(form: HTMLFormElement, values: Values): Promise<void> {
  if (!pending) return expired(form);
  const result = await api.loginMfa({ mfa_token: pending.mfa_token, code: (values.code ?? "").trim() });
  if (!result.ok) {
    secondStepProblem(form, result);
    return;
  }
  pending = null;
  form.reset();
  await enterAccount(result.data.user);
}

/** "Use a passkey" on the second step: request options for the user's passkeys, the browser's prompt, `login/mfa/`. */
export async function verifyWithPasskey(button: HTMLButtonElement): Promise<void> {
  const form = byId<HTMLFormElement>("form-second-step");
  if (!pending) return expired(form);
  const mfaToken = pending.mfa_token;
  button.disabled = true;
  try {
    clearFormErrors(form);
    const options = await api.loginMfaOptions(mfaToken);
    if (!options.ok) return secondStepProblem(form, options);
    const credential = await getAssertion(options.data);
    if (typeof credential === "string") {
      if (form.hidden) announce(credential, "error");
      else setFormMessage(form, credential, "error");
      return;
    }
    const result = await api.loginMfa({ mfa_token: mfaToken, webauthn: credential });
    if (!result.ok) return secondStepProblem(form, result);
    pending = null;
    await enterAccount(result.data.user);
  } finally {
    button.disabled = false;
  }
}

/**
 * A failed second step: a refused `mfa_token` (expired after five minutes, already used) ends it, back to
 * sign in, since no code can help; anything else is shown on the visible form, or in the status line when only
 * the passkey is offered.
 */
function secondStepProblem(form: HTMLFormElement, failure: Parameters<typeof fail>[0]): void {
  if (explain(failure).fields.mfa_token) {
    expired(form);
    return;
  }
  if (form.hidden) {
    const found = explain(failure);
    announce([...found.general, ...Object.values(found.fields).flat()].join(" "), "error");
  } else fail(failure, form);
}

function expired(form: HTMLFormElement): void {
  pending = null;
  form.reset();
  showView("signin");
  const message = "This sign-in took too long or has already been used. Please sign in again.";
  setFormMessage(byId<HTMLFormElement>("form-signin"), message, "error");
}

/** "Sign in with a passkey": a discoverable passkey, no username or password. */
export async function signInWithPasskey(button: HTMLButtonElement): Promise<void> {
  const form = byId<HTMLFormElement>("form-signin");
  clearFormErrors(form);
  if (!passkeysSupported()) {
    setFormMessage(form, "This browser cannot use passkeys.", "error");
    return;
  }
  button.disabled = true;
  try {
    const options = await api.passkeys.loginOptions();
    if (!options.ok) {
      showProblem(form, explain(options));
      return;
    }
    const credential = await getAssertion(options.data.options);
    if (typeof credential === "string") {
      setFormMessage(form, credential, "error");
      return;
    }
    const result = await api.passkeys.login(options.data.challenge_id, credential);
    if (!result.ok) {
      const found = explain(result);
      setFormMessage(form, [...found.general, ...Object.values(found.fields).flat()].join(" "), "error");
      return;
    }
    form.reset();
    await enterAccount(result.data.user);
  } finally {
    button.disabled = false;
  }
}
