/**
 * The "Passkeys" section: the user's passkeys with when they were added and last used, "Add a passkey"
 * (creation options, the browser's prompt, `passkeys/`), and per passkey "Rename" and "Remove", each opening
 * a small inline form so that nothing happens on a single stray click.
 */
import type { Passkey } from "../../client/index";
import { relativeTime } from "../user-agent";
import { announce, byId, element, setFormMessage } from "./dom";
import { api, fail, hooks } from "./session";
import type { Values } from "./submit";
import { createCredential, passkeysSupported } from "./webauthn";

export async function loadPasskeys(): Promise<void> {
  const list = byId("passkeys");
  list.setAttribute("aria-busy", "true");
  const result = await api.passkeys.list();
  list.removeAttribute("aria-busy");
  if (!result.ok) {
    fail(result);
    return;
  }
  renderPasskeys(result.data);
}
hooks.loadPasskeys = loadPasskeys;

function renderPasskeys(found: Passkey[]): void {
  const now = Date.now();
  const list = byId("passkeys");
  if (found.length === 0) list.replaceChildren(element("li", "empty", "No passkeys yet."));
  else list.replaceChildren(...found.map((passkey) => passkeyItem(passkey, now)));
}

function passkeyItem(passkey: Passkey, now: number): HTMLLIElement {
  const item = element("li", "device passkey");
  item.dataset.passkeyId = passkey.id;
  const icon = element("span", "device-icon passkey-icon");
  icon.setAttribute("aria-hidden", "true");
  const body = element("div", "device-body");
  const name = element("p", "device-name");
  name.append(element("span", "passkey-name", passkey.name));
  const used = passkey.last_used ? `last used ${relativeTime(Date.parse(passkey.last_used), now)}` : "never used";
  body.append(
    name,
    element("p", "device-meta", `Added ${relativeTime(Date.parse(passkey.created), now)} \u00b7 ${used}`),
  );
  const actions = element("div", "passkey-actions");
  actions.append(
    actionButton("Rename", `Rename ${passkey.name}`, () => openEdit(item, body, passkey, "rename")),
    actionButton("Remove", `Remove ${passkey.name}`, () => openEdit(item, body, passkey, "remove")),
  );
  item.append(icon, body, actions);
  return item;
}

function actionButton(text: string, label: string, onClick: () => void, tone = "btn-secondary"): HTMLButtonElement {
  const button = element("button", `btn ${tone} btn-small`, text);
  button.type = "button";
  button.setAttribute("aria-label", label);
  button.addEventListener("click", onClick);
  return button;
}

/** The inline "rename" or "remove" form under a passkey's name (one at a time). */
function openEdit(item: HTMLLIElement, body: HTMLElement, passkey: Passkey, kind: "rename" | "remove"): void {
  for (const open of document.querySelectorAll(".passkey-edit")) open.remove();
  const edit = element("form", "passkey-edit");
  edit.noValidate = true;
  const close = () => edit.remove();
  if (kind === "rename") {
    const input = element("input");
    input.name = "name";
    input.value = passkey.name;
    input.maxLength = 64;
    input.autocomplete = "off";
    input.setAttribute("aria-label", `New name for ${passkey.name}`);
    edit.append(input, submitButton("Save", "btn-primary"), actionButton("Cancel", "Cancel renaming", close));
    edit.addEventListener("submit", (event) => {
      event.preventDefault();
      void rename(passkey, input.value, edit);
    });
    body.append(edit);
    input.select();
  } else {
    edit.append(
      element("span", "device-meta", `Remove \u201c${passkey.name}\u201d? Other devices will be signed out.`),
      submitButton("Remove", "btn-danger"),
      actionButton("Cancel", "Keep the passkey", close),
    );
    edit.addEventListener("submit", (event) => {
      event.preventDefault();
      void remove(passkey, edit);
    });
    body.append(edit);
    edit.querySelector("button")?.focus();
  }
  item.scrollIntoView({ block: "nearest" });
}

function submitButton(text: string, tone: string): HTMLButtonElement {
  const button = element("button", `btn ${tone} btn-small`, text);
  button.type = "submit";
  return button;
}

async function rename(passkey: Passkey, name: string, edit: HTMLFormElement): Promise<void> {
  disable(edit, true);
  const result = await api.passkeys.rename(passkey.id, name.trim());
  disable(edit, false);
  if (!result.ok) {
    if (result.status === 404) {
      await loadPasskeys();
      announce("That passkey was already removed.", "error");
      return;
    }
    const found = fail(result);
    // A bad name comes back as a field error: said in the status line, as the inline form has no slot for it.
    if (!found.sessionEnded && found.general.length === 0) {
      announce(Object.values(found.fields).flat().join(" "), "error");
    }
    return;
  }
  await loadPasskeys();
  announce(`The passkey is now called \u201c${result.data.name}\u201d.`, "success");
}

async function remove(passkey: Passkey, edit: HTMLFormElement): Promise<void> {
  disable(edit, true);
  const result = await api.passkeys.delete(passkey.id);
  disable(edit, false);
  if (!result.ok && result.status !== 404) {
    fail(result);
    return;
  }
  await Promise.all([loadPasskeys(), hooks.loadFactors(), hooks.loadDevices(), hooks.loadActivity()]);
  announce(
    result.ok
      ? `\u201c${passkey.name}\u201d has been removed. Your other devices have been signed out.`
      : "That passkey was already removed.",
    "success",
  );
  byId("passkeys-title").focus();
}

function disable(form: HTMLFormElement, disabled: boolean): void {
  for (const control of form.querySelectorAll<HTMLInputElement | HTMLButtonElement>("input, button")) {
    control.disabled = disabled;
  }
}

/** "Add a passkey": creation options, the browser's prompt, then `passkeys/` with the optional name. */
export async function addPasskey(form: HTMLFormElement, values: Values): Promise<void> {
  if (!passkeysSupported()) {
    setFormMessage(form, "This browser cannot create passkeys.", "error");
    return;
  }
  const options = await api.passkeys.registrationOptions();
  if (!options.ok) {
    fail(options, form);
    return;
  }
  const credential = await createCredential(options.data);
  if (typeof credential === "string") {
    setFormMessage(form, credential, "error");
    return;
  }
  const result = await api.passkeys.add(credential, (values.name ?? "").trim());
  if (!result.ok) {
    fail(result, form);
    return;
  }
  form.reset();
  await Promise.all([loadPasskeys(), hooks.loadFactors(), hooks.loadDevices(), hooks.loadActivity()]);
  setFormMessage(
    form,
    `Passkey \u201c${result.data.name}\u201d added. Your other devices have been signed out.`,
    "success",
  );
}
