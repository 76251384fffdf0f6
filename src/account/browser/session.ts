/**
 * The account page's core: the typed client (cookie mode: the service sets the HttpOnly cookie, the page
 * never reads or stores the key; same-origin POSTs carry an `Origin`, which passes the CSRF check), the
 * signed-in user, and the moves between signed in and signed out.
 */
import { type ApiFailure, createAuthClient, type User } from "../../client/index";
import { explain, flagMismatch, type Problem } from "../problems";
import { announce, byId, resetForms, showProblem, showView, type Tone } from "./dom";

export const api = createAuthClient({ baseUrl: location.origin, auth: { mode: "cookie" }, clientName: "web" });

export const state: { user: User | null; resetLink: { uid: string; token: string } | null } = {
  user: null,
  resetLink: null,
};

/** Where the page lives (`/account`): mail links come in below it and are replaced by it once used. */
export const home = location.pathname.replace(/\/(reset-password|verify-email)\/?$/, "").replace(/\/$/, "") || "/";

/**
 * Loads the devices list, the recent activity, the linked providers, the second factors and passkeys, and
 * forgets what the factor sections showed (recovery codes, a pending secret); set by ./devices, ./activity,
 * ./social, ./factors and ./passkeys
 * (kept as hooks so this module does not import them back).
 */
export const hooks: {
  loadDevices: () => Promise<void>;
  loadActivity: () => Promise<void>;
  loadSocialAccounts: () => Promise<void>;
  loadFactors: () => Promise<void>;
  loadPasskeys: () => Promise<void>;
  clearFactors: () => void;
} = {
  loadDevices: async () => {},
  loadActivity: async () => {},
  loadSocialAccounts: async () => {},
  loadFactors: async () => {},
  loadPasskeys: async () => {},
  clearFactors: () => {},
};

/** A form's confirmation input: the API field it reports under, the service's mismatch message, and whether it matches. */
export interface Confirmation {
  field: string;
  message: string;
  matches: boolean;
}

/**
 * Shows a failed call's problem on its form (or in the status region); an ended session goes to sign-in.
 * With `confirmation`, a password confirmation that differs is flagged even where the service did not say so.
 */
export function fail(failure: ApiFailure<unknown>, form?: HTMLFormElement, confirmation?: Confirmation): Problem {
  const explained = explain(failure);
  const found = confirmation ? flagMismatch(explained, confirmation) : explained;
  if (found.sessionEnded) endSession(found.general.join(" "), "error");
  else if (form) showProblem(form, found);
  else announce(found.general.join(" "), "error");
  return found;
}

export function renderProfile(user: User): void {
  state.user = user;
  byId("whoami-name").textContent = user.username;
  byId("account-username").textContent = user.username;
  byId("profile-username").textContent = user.username;
  byId("profile-email").textContent = user.email || "Not set";
  byId<HTMLInputElement>("profile-first-name").value = user.first_name;
  byId<HTMLInputElement>("profile-last-name").value = user.last_name;
}

export function enterAccount(user: User, message = ""): Promise<void> {
  renderProfile(user);
  showView("account");
  if (message) announce(message, "success");
  return Promise.all([
    hooks.loadDevices(),
    hooks.loadActivity(),
    hooks.loadSocialAccounts(),
    hooks.loadFactors(),
    hooks.loadPasskeys(),
  ]).then(() => {});
}

export function endSession(message: string, tone: Tone): void {
  state.user = null;
  resetForms();
  byId("devices").replaceChildren();
  byId("activity").replaceChildren();
  byId("social-accounts").replaceChildren();
  byId("social-card").hidden = true;
  hooks.clearFactors();
  showView("signin");
  announce(message, tone);
}

/** The signed-in view when the cookie is good, else sign-in (with a message if the service refused it). */
export async function loadAccount(): Promise<void> {
  const result = await api.user.get();
  if (result.ok) return enterAccount(result.data);
  if (result.status === 401) {
    // No cookie at all is simply "signed out"; a cookie the service refuses is a session that ended.
    const refused = typeof result.error === "object" && result.error !== null && "error" in result.error;
    return endSession(refused ? explain(result).general.join(" ") : "", refused ? "error" : "");
  }
  showView("loading");
  byId("loading-title").textContent = "We could not load your account.";
  byId("loading-retry").hidden = false;
  announce(explain(result).general.join(" "), "error");
}
