/** After a second factor changes: cached tokens of the user forgotten, and a security notice mailed. */
import type { Context } from "hono";
import type { AppEnv } from "../context";
import { recordActivity } from "../http/activity";
import { runInBackground } from "../http/background";
import { type SecurityEvent, securityNoticeMessage } from "../mail/messages";
import type { AuthenticatedSession } from "../store/tokens";
import { sendMail } from "./mail";

/**
 * Call after the store revoked the user's other tokens (`revoked`: their digests, read just before): drops them
 * from the session cache's layers and mails the owner (when they have an address) after the response.
 */
export async function factorChanged(
  c: Context<AppEnv>,
  user: AuthenticatedSession["user"],
  event: SecurityEvent,
  revoked: readonly string[],
): Promise<void> {
  await c.get("sessionCache").forgetUser(user.id, revoked);
  recordActivity(c, "mfa_changed", user.id);
  const to = user.email;
  if (!to) return;
  runInBackground(c, "security notice", () => sendMail(c, securityNoticeMessage(to, user.username, event)));
}
