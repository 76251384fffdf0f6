/** Sending mail from a request: the transport from the configuration, and the links the messages carry. */
import type { Context } from "hono";
import type { AppEnv } from "../context";
import { deliverMail } from "../mail/deliver";
import { fillTemplate, type MailMessage } from "../mail/messages";

/** Sends `message` through the configured transport (call from background work). */
export function sendMail(c: Context<AppEnv>, message: MailMessage): Promise<boolean> {
  return deliverMail(message, {
    webhookUrl: c.get("config").mailWebhookUrl,
    // Printing a message exposes its secret link: only done in development, never because of the request's host.
    logWhenUnsent: c.get("config").development,
    retryDelaysMs: c.get("mailRetryDelaysMs"),
  });
}

/** The link mailed for a reset: PASSWORD_RESET_URL, or the service's own account page. */
export function passwordResetLink(c: Context<AppEnv>, uid: string, token: string): string {
  const template =
    c.get("config").passwordResetUrl ?? `${c.get("serviceOrigin")}/account/reset-password?uid={uid}&token={token}`;
  return fillTemplate(template, { uid, token });
}

/** The link mailed for a verification: EMAIL_VERIFICATION_URL, or the service's own account page. */
export function emailVerificationLink(c: Context<AppEnv>, key: string): string {
  const template = c.get("config").emailVerificationUrl ?? `${c.get("serviceOrigin")}/account/verify-email?key={key}`;
  return fillTemplate(template, { key });
}
