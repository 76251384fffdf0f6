/**
 * The "Two-step verification" section: whether an authenticator app is on (`mfa/`), setting one up (a new
 * secret shown as its key and a QR code drawn here, confirmed with a code), the ten recovery codes shown once
 * with a "Download" button, new recovery codes and turning the app off (each with the password). Secrets
 * and codes live only in the page's DOM while shown, and are removed on "I have saved them" or sign-out.
 */
import type { MfaStatus } from "../../client/index";
import { announce, byId, element, setFormMessage } from "./dom";
import { qrSvg } from "./qr";
import { api, fail, hooks, state } from "./session";
import type { Values } from "./submit";

let shownCodes: string[] = [];

export async function loadFactors(): Promise<void> {
  const result = await api.mfa.status();
  if (!result.ok) {
    fail(result);
    return;
  }
  renderStatus(result.data);
}
hooks.loadFactors = loadFactors;

function renderStatus(status: MfaStatus): void {
  const setup = !byId("totp-setup").hidden;
  byId("totp-on").hidden = !status.totp;
  byId("totp-off").hidden = status.totp || setup;
  byId("mfa-summary").textContent = status.totp
    ? "On: after your password, you enter a code from your authenticator app."
    : status.passkeys > 0
      ? "After your password, you confirm with a passkey. Add an authenticator app as another way."
      : "Off: your password alone signs you in.";
  const left = status.recovery_codes_left;
  byId("recovery-left").textContent =
    `${left} recovery ${left === 1 ? "code" : "codes"} left. ` +
    "Create new ones if you have used or lost them: the old ones stop working.";
}

/** "Set up an authenticator app": a pending secret, shown until confirmed or cancelled. */
export async function startTotp(button: HTMLButtonElement): Promise<void> {
  button.disabled = true;
  const result = await api.mfa.startTotp();
  button.disabled = false;
  if (!result.ok) {
    fail(result);
    return;
  }
  byId("totp-secret").textContent = result.data.secret;
  byId("totp-qr").replaceChildren(qrSvg(result.data.otpauth_url));
  byId("totp-off").hidden = true;
  byId("totp-setup").hidden = false;
  byId("totp-code").focus();
}

export function cancelTotp(): void {
  closeSetup();
  byId("totp-off").hidden = false;
}

function closeSetup(): void {
  byId("totp-setup").hidden = true;
  byId("totp-secret").textContent = "";
  byId("totp-qr").replaceChildren();
  byId<HTMLFormElement>("form-totp-confirm").reset();
}

export async function confirmTotp(form: HTMLFormElement, values: Values): Promise<void> {
  const result = await api.mfa.confirmTotp((values.code ?? "").replace(/\s+/g, ""));
  if (!result.ok) {
    fail(result, form);
    return;
  }
  closeSetup();
  showCodes(result.data.recovery_codes);
  announce("Two-step verification is on. Your other devices have been signed out.", "success");
  await Promise.all([loadFactors(), hooks.loadDevices(), hooks.loadActivity()]);
}

export async function regenerateCodes(form: HTMLFormElement, values: Values): Promise<void> {
  const result = await api.mfa.regenerateRecoveryCodes(values.password ?? "");
  if (!result.ok) {
    fail(result, form);
    return;
  }
  form.reset();
  showCodes(result.data.recovery_codes);
  announce("New recovery codes created; the old ones no longer work.", "success");
  await Promise.all([loadFactors(), hooks.loadDevices(), hooks.loadActivity()]);
}

export async function disableTotp(form: HTMLFormElement, values: Values): Promise<void> {
  const result = await api.mfa.disableTotp({ password: values.password ?? "" });
  if (!result.ok) {
    fail(result, form);
    return;
  }
  form.reset();
  hideCodes();
  await Promise.all([loadFactors(), hooks.loadDevices(), hooks.loadActivity()]);
  announce("The authenticator app has been turned off. Your other devices have been signed out.", "success");
}

function showCodes(codes: string[]): void {
  shownCodes = codes;
  byId("recovery-codes").replaceChildren(...codes.map((code) => element("li", "", code)));
  byId("recovery-codes-box").hidden = false;
  byId("mfa-title").focus();
}

function hideCodes(): void {
  shownCodes = [];
  byId("recovery-codes").replaceChildren();
  byId("recovery-codes-box").hidden = true;
}

/** "Download": the codes as a text file, made in the page (a Blob), never fetched from anywhere. */
export function downloadCodes(): void {
  const who = state.user?.username ?? "account";
  const text = [
    `Recovery codes for ${who} (${location.host})`,
    "Each code signs you in once, instead of a code from your authenticator app.",
    "",
    ...shownCodes,
    "",
  ].join("\n");
  const url = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
  const link = element("a");
  link.href = url;
  link.download = `recovery-codes-${location.hostname}.txt`;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The click has started the download; the object URL is not needed after this task.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

export function codesSaved(): void {
  hideCodes();
  byId("mfa-title").focus();
}

/** Forgets every secret and code on the page (sign-out, a session that ended). */
export function clearFactors(): void {
  hideCodes();
  closeSetup();
  byId("passkeys").replaceChildren();
  for (const id of ["form-recovery-codes", "form-totp-disable"]) {
    setFormMessage(byId<HTMLFormElement>(id), "", "");
  }
}
hooks.clearFactors = clearFactors;
