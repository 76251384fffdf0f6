/** The account page opened from a mailed link: `/account/reset-password?uid&token`, `/account/verify-email?key`. */
import { explain } from "../problems";
import { announce, byId, showView, type Tone } from "./dom";
import { api, home, state } from "./session";

export function startReset(): void {
  const params = new URLSearchParams(location.search);
  const uid = params.get("uid");
  const token = params.get("token");
  if (!uid || !token) {
    showView("forgot");
    announce("This password reset link is incomplete. Request a new one below.", "error");
    return;
  }
  state.resetLink = { uid, token };
  showView("reset");
}

export async function startVerify(): Promise<void> {
  const key = new URLSearchParams(location.search).get("key");
  showView("verify");
  for (const id of ["verify-continue", "verify-retry", "verify-resend"]) byId(id).hidden = true;
  if (!key) return verified("This verification link is incomplete.", "error", "verify-resend");
  byId("verify-text").textContent = "Checking your verification link\u2026";
  const result = await api.email.verify(key);
  // The key is spent (or worthless): keep it out of the address bar and history.
  if (result.ok || result.status === 404) history.replaceState(null, "", home);
  if (result.ok) return verified("Your e-mail address has been verified.", "success", "verify-continue");
  if (result.status === 404) {
    return verified("This verification link is invalid or has expired.", "error", "verify-resend");
  }
  verified(explain(result).general.join(" "), "error", "verify-retry");
}

function verified(message: string, tone: Tone, action: string): void {
  byId("verify-text").textContent = tone === "success" ? "Thank you." : "We could not verify your address.";
  announce(message, tone);
  byId(action).hidden = false;
}
