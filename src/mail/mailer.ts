/** Sending mail from a request: the transport from the configuration, and the links the messages carry. */
import type { Config } from "../config";
import { deliverMail } from "./deliver";
import { fillTemplate, type MailMessage } from "./messages";

/** Sends a message through the configured transport; resolves either way (call from background work). */
export type Mailer = (message: MailMessage) => Promise<boolean>;

/**
 * The mailer for `config`. `retryDelaysMs` are the waits between delivery attempts (createApp's option:
 * tests shorten them); default 1 s then 4 s.
 */
export function createMailer(
  config: Pick<Config, "mailWebhookUrl" | "development">,
  retryDelaysMs?: readonly number[],
): Mailer {
  return (message) =>
    deliverMail(message, {
      webhookUrl: config.mailWebhookUrl,
      // Printing a message exposes its secret link: only done in development, never because of the request's host.
      logWhenUnsent: config.development,
      retryDelaysMs,
    });
}

export interface MailLinks {
  /** The link mailed for a reset: PASSWORD_RESET_URL, or the service's own account page. */
  passwordReset(uid: string, token: string): string;
  /** The link mailed for a verification: EMAIL_VERIFICATION_URL, or the service's own account page. */
  emailVerification(key: string): string;
}

/** The links for `config`, pointing at `serviceOrigin` (SERVICE_ORIGIN, or a loopback request's own). */
export function mailLinks(
  config: Pick<Config, "passwordResetUrl" | "emailVerificationUrl">,
  serviceOrigin: string,
): MailLinks {
  return {
    passwordReset: (uid, token) =>
      fillTemplate(config.passwordResetUrl ?? `${serviceOrigin}/account/reset-password?uid={uid}&token={token}`, {
        uid,
        token,
      }),
    emailVerification: (key) =>
      fillTemplate(config.emailVerificationUrl ?? `${serviceOrigin}/account/verify-email?key={key}`, { key }),
  };
}
