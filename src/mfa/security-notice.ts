/** After a second factor changes: cached tokens of the user forgotten, and a security notice mailed. */
import type { Context } from "hono";
import type { AppEnv } from "../context";
import { recordActivity } from "../http/activity";
import { type SecurityEvent, securityNoticeMessage } from "../mail/messages";
import type { AuthenticatedSession } from "../store/tokens";

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
  const auth = c.get("auth");
  await auth.forgetRevoked(user.id, revoked);
  recordActivity(c, "mfa_changed", user.id);
  const to = user.email;
  if (!to) return;
  auth.background("security notice", () => auth.mailer(securityNoticeMessage(to, user.username, event)));
}
