/**
 * Recovery codes: ten single-use codes shown once, stored only as SHA-256 digests. Each is 80 random bits
 * (16 base32 letters, grouped by four for reading aloud), so a digest cannot be reversed by trying codes even
 * after a database leak. Pure apart from the CSPRNG.
 */
import { sha256Hex } from "../auth/digest";
import { base32Encode } from "./base32";

export const RECOVERY_CODE_COUNT = 10;
const CODE_BYTES = 10;

export function generateRecoveryCodes(): string[] {
  const codes = new Set<string>();
  while (codes.size < RECOVERY_CODE_COUNT) {
    const letters = base32Encode(crypto.getRandomValues(new Uint8Array(CODE_BYTES))).toLowerCase();
    codes.add(letters.match(/.{4}/g)?.join("-") ?? letters);
  }
  return [...codes];
}

/** The canonical form of a typed code: lower case, without spaces or dashes. */
export function normalizeRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[\s-]+/g, "");
}

/** What is stored for a code (typed in any form). */
export function recoveryCodeDigest(code: string): string {
  return sha256Hex(`recovery:${normalizeRecoveryCode(code)}`);
}
