/** The messages the service sends, as API.md's webhook JSON. Pure: links are built from templates. */

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  kind: "password_reset" | "email_verification" | "security_notice" | "new_signin";
  data: Record<string, string | null>;
}

/** Fills `{name}` placeholders with URL-encoded values. */
export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in values ? encodeURIComponent(values[name] as string) : whole,
  );
}

export function passwordResetMessage(
  to: string,
  username: string,
  uid: string,
  token: string,
  url: string,
): MailMessage {
  return {
    to,
    subject: "Password reset",
    text: [
      "You're receiving this e-mail because you or someone else has requested a password reset for your account.",
      "It can be safely ignored if you did not request a password reset. Follow the link below to reset your password.",
      "",
      url,
      "",
      `Your username, in case you've forgotten: ${username}`,
    ].join("\n"),
    kind: "password_reset",
    data: { uid, token, url },
  };
}

export function emailVerificationMessage(to: string, username: string, key: string, url: string): MailMessage {
  return {
    to,
    subject: "Please confirm your e-mail address",
    text: [
      `You're receiving this e-mail because user ${username} has given your e-mail address to register an account.`,
      "",
      `To confirm this is correct, go to ${url}`,
    ].join("\n"),
    kind: "email_verification",
    data: { key, url },
  };
}

/** What changed, as `data.event` of a security notice. */
export type SecurityEvent =
  | "totp_enabled"
  | "totp_disabled"
  | "recovery_codes_regenerated"
  | "passkey_added"
  | "passkey_removed";

const SECURITY_EVENT_TEXT: Record<SecurityEvent, string> = {
  totp_enabled: "An authenticator app (TOTP) was added as a second factor to your account.",
  totp_disabled: "The authenticator app (TOTP) was removed from your account's second factors.",
  recovery_codes_regenerated:
    "A new set of recovery codes was generated for your account; the old codes no longer work.",
  passkey_added: "A passkey was added to your account.",
  passkey_removed: "A passkey was removed from your account.",
};

/** Tells the owner that a second factor changed (other devices were signed out); holds no secret. */
export function securityNoticeMessage(to: string, username: string, event: SecurityEvent): MailMessage {
  return {
    to,
    subject: "Security notice: your sign-in methods changed",
    text: [
      `Hello ${username},`,
      "",
      SECURITY_EVENT_TEXT[event],
      "Your other devices were signed out.",
      "",
      "If this was not you, reset your password at once and review your account's sign-in methods.",
    ].join("\n"),
    kind: "security_notice",
    data: { event },
  };
}

/** Where and when a sign-in happened, as the activity log records it (null where unknown). */
export interface SignInDetails {
  created: string;
  ip: string | null;
  location: string | null;
  user_agent: string | null;
  client: string | null;
}

/** "New sign-in": a sign-in from a device and place not seen before. It carries no link and no secret. */
export function newSignInMessage(to: string, username: string, signIn: SignInDetails): MailMessage {
  return {
    to,
    subject: "New sign-in to your account",
    text: [
      `Your account ${username} was just signed in to from a device or place it has not been signed in from before.`,
      "",
      `When: ${signIn.created}`,
      `Where: ${signIn.location ?? "unknown location"} (IP ${signIn.ip ?? "unknown"})`,
      `Device: ${signIn.user_agent ?? "unknown"} (client ${signIn.client ?? "unknown"})`,
      "",
      "If this was you, there is nothing to do. If it was not, change your password and sign out the devices you do not recognise.",
    ].join("\n"),
    kind: "new_signin",
    data: { ...signIn },
  };
}
