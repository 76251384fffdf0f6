/** The two messages the service sends, as API.md's webhook JSON. Pure: links are built from templates. */

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  kind: "password_reset" | "email_verification";
  data: Record<string, string>;
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
