/**
 * Django's PBKDF2 password hashes (`pbkdf2_sha256$<iterations>$<salt>$<base64>`, and the older
 * `pbkdf2_sha1`), so users imported from Django sign in with their old password; the login then re-hashes
 * it with Argon2id. Django has used 260,000 to 1,200,000 iterations, while production Workers refuse PBKDF2
 * above 100,000 iterations: up to that count WebCrypto does the work natively, above it the audited
 * pure-JS `@noble/hashes` does.
 */

import { timingSafeEqual } from "node:crypto";
import { sha1 } from "@noble/hashes/legacy.js";
import { pbkdf2 } from "@noble/hashes/pbkdf2.js";
import { sha256 } from "@noble/hashes/sha2.js";

/** The most PBKDF2 iterations WebCrypto accepts on deployed Workers. */
export const WEBCRYPTO_PBKDF2_MAX_ITERATIONS = 100_000;
/** Refuse more: a hash in the database must not be able to pin a CPU for seconds. */
const MAX_ITERATIONS = 2_000_000;

export const SUPPORTED_DJANGO_HASHERS = ["pbkdf2_sha256", "pbkdf2_sha1"] as const;

/** The hasher name at the front of a Django-format hash (`bcrypt_sha256`, `argon2`, …); `!` for unusable. */
export function hasherName(encoded: string): string {
  if (encoded.startsWith("!")) return "!";
  return encoded.split("$", 1)[0] ?? "";
}

export function isDjangoPbkdf2(encoded: string): boolean {
  return (SUPPORTED_DJANGO_HASHERS as readonly string[]).includes(hasherName(encoded));
}

/** True when `password` matches the Django PBKDF2 hash `encoded`; false for anything malformed. */
export async function verifyDjangoPbkdf2(password: string, encoded: string): Promise<boolean> {
  const parts = encoded.split("$");
  if (parts.length !== 4) return false;
  const [algorithm, iterationText, salt, hash] = parts as [string, string, string, string];
  const iterations = Number(iterationText);
  const expected = Buffer.from(hash, "base64");
  if (
    !isDjangoPbkdf2(algorithm) ||
    !Number.isSafeInteger(iterations) ||
    iterations < 1 ||
    iterations > MAX_ITERATIONS
  ) {
    return false;
  }
  const digest = algorithm === "pbkdf2_sha256" ? "SHA-256" : "SHA-1";
  if (expected.length !== (digest === "SHA-256" ? 32 : 20)) return false;
  const derived = await derive(password, salt, iterations, digest, expected.length);
  return timingSafeEqual(derived, expected);
}

async function derive(
  password: string,
  salt: string,
  iterations: number,
  digest: "SHA-256" | "SHA-1",
  length: number,
): Promise<Uint8Array> {
  const encoder = new TextEncoder();
  if (iterations <= WEBCRYPTO_PBKDF2_MAX_ITERATIONS) {
    const key = await crypto.subtle.importKey("raw", encoder.encode(password), "PBKDF2", false, ["deriveBits"]);
    const bits = await crypto.subtle.deriveBits(
      { name: "PBKDF2", hash: digest, salt: encoder.encode(salt), iterations },
      key,
      length * 8,
    );
    return new Uint8Array(bits);
  }
  return pbkdf2(digest === "SHA-256" ? sha256 : sha1, encoder.encode(password), encoder.encode(salt), {
    c: iterations,
    dkLen: length,
  });
}
