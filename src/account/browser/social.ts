/**
 * The account page's "Sign-in providers" card: the user's identities at other providers (shown only when there
 * is one), each with an "Unlink" button. The service refuses to unlink the last way to sign in, and its message
 * says why; the "Continue with …" links on the sign-in view are plain links rendered by the service.
 */
import type { SocialAccount } from "../../client/index";
import { providerLabel } from "../social-markup";
import { relativeTime } from "../user-agent";
import { announce, byId, element } from "./dom";
import { api, fail, hooks } from "./session";

export async function loadSocialAccounts(): Promise<void> {
  const result = await api.social.accounts();
  if (!result.ok) {
    fail(result);
    return;
  }
  const now = Date.now();
  byId("social-accounts").replaceChildren(...result.data.map((account) => accountItem(account, now)));
  byId("social-card").hidden = result.data.length === 0;
}
hooks.loadSocialAccounts = loadSocialAccounts;

function accountItem(account: SocialAccount, now: number): HTMLLIElement {
  const item = element("li", "device");
  item.dataset.identityId = account.id;
  const icon = element("span", "device-icon desktop");
  icon.setAttribute("aria-hidden", "true");
  const body = element("div", "device-body");
  const label = providerLabel(account.provider);
  body.append(
    element("p", "device-name", label),
    element("p", "device-meta", account.email || account.uid),
    element("p", "device-meta", `Last used ${relativeTime(Date.parse(account.last_login), now)}`),
  );
  const button = element("button", "btn btn-secondary btn-small", "Unlink");
  button.type = "button";
  button.setAttribute("aria-label", `Unlink ${label}`);
  button.addEventListener("click", () => unlink(account, label, button));
  item.append(icon, body, button);
  return item;
}

async function unlink(account: SocialAccount, label: string, button: HTMLButtonElement): Promise<void> {
  button.disabled = true;
  const result = await api.social.unlink(account.id);
  if (!result.ok && result.status !== 404) {
    button.disabled = false;
    fail(result);
    return;
  }
  await loadSocialAccounts();
  announce(`${label} is no longer linked to your account.`, "success");
  byId("social-title").focus();
}
