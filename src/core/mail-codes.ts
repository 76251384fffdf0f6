/**
 * The one-time codes the core mails: e-mail verification keys and password-reset codes. Each is random,
 * stored as a digest only, and created and mailed after the response, so the timing of a request reveals
 * nothing about the account. Called through the auth core (`mailEmailVerification`, `mailPasswordReset`).
 */
import { sha256Hex } from "../auth/digest";
import { generateSecret, generateUid, resetFingerprint } from "../auth/one-time-codes";
import { emailVerificationMessage, passwordResetMessage } from "../mail/messages";
import { saveEmailVerification } from "../store/email-verifications";
import { insertPasswordReset } from "../store/password-resets";
import type { AuthCoreDeps } from "./auth";

export function sendEmailVerification(
  { db, config, nowMs, background, mailer, links }: AuthCoreDeps,
  user: { id: number; username: string; email: string },
): void {
  background("e-mail verification", async () => {
    const key = generateSecret();
    await saveEmailVerification(db, {
      keyDigest: sha256Hex(key),
      userId: user.id,
      email: user.email,
      createdMs: nowMs,
      expiresMs: nowMs + config.emailVerificationTimeoutSeconds * 1000,
    });
    await mailer(emailVerificationMessage(user.email, user.username, key, links.emailVerification(key)));
  });
}

export function sendPasswordReset(
  { db, config, nowMs, background, mailer, links }: AuthCoreDeps,
  user: { id: number; username: string; email: string; passwordHash: string },
): void {
  const { id, username, email, passwordHash } = user;
  background("password reset", async () => {
    const uid = generateUid();
    const code = generateSecret();
    await insertPasswordReset(db, {
      id: uid,
      userId: id,
      codeDigest: sha256Hex(code),
      // Bound to the hash and address of now: a password or address change voids the code.
      fingerprint: resetFingerprint(passwordHash, email),
      createdMs: nowMs,
      expiresMs: nowMs + config.passwordResetTimeoutSeconds * 1000,
    });
    await mailer(passwordResetMessage(email, username, uid, code, links.passwordReset(uid, code)));
  });
}
