/**
 * Checking a second factor or the password of a signed-in user: TOTP codes (each step once), recovery codes
 * (each once), and the throttle every failure counts against, the same as failed logins.
 */
import type { Context } from "hono";
import { canonicalUsername } from "../auth/identity";
import { verifyPassword } from "../auth/password-hash";
import type { AppEnv } from "../context";
import { fieldErrors } from "../errors";
import { refuseIfThrottled } from "../http/throttle";
import { findTotp, spendRecoveryCode, spendTotpStep } from "../store/mfa";
import { findUserById } from "../store/users";
import { mfaEncryptionKey } from "./mfa-key";
import { recoveryCodeDigest } from "./recovery-codes";
import { openSecret } from "./secret-box";
import { matchingTimeStep } from "./totp";

export const INVALID_CODE = "Invalid code.";
const INCORRECT_PASSWORD = "Incorrect password.";

/** What a user's TOTP secret is sealed to (AES-GCM associated data): a secret moved to another row won't open. */
export function totpOwner(userId: number): string {
  return `totp:${userId}`;
}

/** A typed TOTP code without the spaces apps show in the middle ("123 456"). */
export function cleanTotpCode(code: string): string {
  return code.replace(/\s+/g, "");
}

/** Whether `code` looks like a TOTP code rather than a recovery code. */
export function isTotpShaped(code: string): boolean {
  return /^\d{6}$/.test(cleanTotpCode(code));
}

/** Opens a sealed TOTP secret; one that does not open (MFA_ENCRYPTION_KEY changed) is a server fault, never "wrong code". */
export async function openTotpSecret(c: Context<AppEnv>, userId: number, sealed: string): Promise<Uint8Array> {
  const secret = await openSecret(mfaEncryptionKey(c), sealed, totpOwner(userId));
  if (!secret) throw new Error(`the TOTP secret of user ${userId} does not open with MFA_ENCRYPTION_KEY`);
  return secret;
}

/** True when `code` is a current code of the user's active TOTP not used before; it is then spent. */
export async function acceptTotpCode(c: Context<AppEnv>, userId: number, code: string): Promise<boolean> {
  const totp = await findTotp(c.get("db"), userId);
  if (!totp || totp.confirmedMs === null) return false;
  const secret = await openTotpSecret(c, userId, totp.secretSealed);
  const step = await matchingTimeStep(secret, cleanTotpCode(code), c.get("now"));
  return step !== null && (await spendTotpStep(c.get("db"), userId, step));
}

/** True when `code` is an unused recovery code of the user; it is then spent. */
export function acceptRecoveryCode(c: Context<AppEnv>, userId: number, code: string): Promise<boolean> {
  return spendRecoveryCode(c.get("db"), userId, recoveryCodeDigest(code), c.get("now"));
}

/**
 * Re-authenticates the signed-in `user` with their password or a TOTP code before a factor is changed. Refused
 * (429) while their account or IP is throttled; a failure counts as a failed login and answers 400.
 */
export async function requireReauthentication(
  c: Context<AppEnv>,
  user: { id: number; username: string },
  proof: { password?: string; code?: string },
): Promise<void> {
  const { throttle } = c.get("auth");
  // Counted before the proof is checked: a failure keeps its place, a success gives it back.
  const reservation = await throttle.reserveLogin(
    canonicalUsername(user.username),
    false,
    c.req.header("cf-connecting-ip"),
  );
  refuseIfThrottled(reservation);
  const giveBack = () => throttle.releaseLogin(reservation);
  if (proof.password !== undefined) {
    const row = await findUserById(c.get("db"), user.id);
    if (row && (await verifyPassword(proof.password, row.passwordHash))) return giveBack();
    throw fieldErrors({ password: [INCORRECT_PASSWORD] });
  }
  if (await acceptTotpCode(c, user.id, proof.code ?? "")) return giveBack();
  throw fieldErrors({ code: [INVALID_CODE] });
}
