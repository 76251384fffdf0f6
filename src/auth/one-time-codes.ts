/**
 * Password-reset codes and e-mail verification keys: random secrets mailed to the user, stored only as
 * SHA-256 digests, each with a deadline. Pure apart from the CSPRNG.
 */
import { sha256Hex } from "./digest";
import { randomBase62 } from "./random";

/** ≈190 bits: far beyond guessing within any code's lifetime. */
const SECRET_LENGTH = 32;
/** The reset's opaque `uid`: random, so it says nothing about the account. */
const UID_LENGTH = 16;

export function generateSecret(): string {
  return randomBase62(SECRET_LENGTH);
}

export function generateUid(): string {
  return randomBase62(UID_LENGTH);
}

/**
 * What a reset code is bound to: the account's current password hash and e-mail. Changing either (a new
 * password, another reset, a changed address) changes the fingerprint and kills every outstanding code,
 * as Django's PasswordResetTokenGenerator does.
 */
export function resetFingerprint(passwordHash: string, email: string | null): string {
  return sha256Hex(`${passwordHash}\u0000${email ?? ""}`);
}
