/**
 * Django's PBKDF2 password hashes (`pbkdf2_sha256$<iterations>$<salt>$<base64>`, and the older
 * `pbkdf2_sha1`), so users imported from Django sign in with their old password; the login then re-hashes
 * it with Argon2id. Django has used 260,000 to 1,200,000 iterations, while production Workers refuse PBKDF2
 * above 100,000 iterations: up to that count WebCrypto does the work natively, above it the audited
 * pure-JS `@noble/hashes` does, at about 2.5-4 µs of CPU per iteration. Counts above
 * DJANGO_PBKDF2_MAX_ITERATIONS are never computed: those users reset their password.
 */

import { timingSafeEqual } from "node:crypto";
import { sha1 } from "@noble/hashes/legacy.js";
import { pbkdf2 } from "@noble/hashes/pbkdf2.js";
import { sha256 } from "@noble/hashes/sha2.js";

/** The most PBKDF2 iterations WebCrypto accepts on deployed Workers. */
const WEBCRYPTO_PBKDF2_MAX_ITERATIONS = 100_000;
/**
 * The most iterations verified: Django 5.2's default (the LTS; 4.x used 260,000-600,000). Every wrong
 * password for such an account costs its full count in pure JS (2.5-4 s of CPU at this ceiling, against
 * ~0.08 s for our Argon2id), so the ceiling bounds what one guess can cost; Django 6.0's 1,200,000 is above it.
 */
export const DJANGO_PBKDF2_MAX_ITERATIONS = 1_000_000;

const SUPPORTED_DJANGO_HASHERS = ["pbkdf2_sha256", "pbkdf2_sha1"] as const;

/** The hasher name at the front of a Django-format hash (`bcrypt_sha256`, `argon2`, …); `!` for unusable. */
export function hasherName(encoded: string): string {
  if (encoded.startsWith("!")) return "!";
  return encoded.split("$", 1)[0] ?? "";
}

export function isDjangoPbkdf2(encoded: string): boolean {
  return (SUPPORTED_DJANGO_HASHERS as readonly string[]).includes(hasherName(encoded));
}

interface DjangoPbkdf2 {
  digest: "SHA-256" | "SHA-1";
  iterations: number;
  salt: string;
  expected: Buffer;
}

/** The parts of a well-formed Django PBKDF2 hash (any count), or null. */
function parseDjangoPbkdf2(encoded: string): DjangoPbkdf2 | null {
  const parts = encoded.split("$");
  if (parts.length !== 4 || !isDjangoPbkdf2(encoded)) return null;
  const [algorithm, iterationText, salt, hash] = parts as [string, string, string, string];
  const iterations = Number(iterationText);
  if (!/^\d+$/.test(iterationText) || !Number.isSafeInteger(iterations) || iterations < 1) return null;
  const digest = algorithm === "pbkdf2_sha256" ? "SHA-256" : "SHA-1";
  const expected = Buffer.from(hash, "base64");
  if (expected.length !== (digest === "SHA-256" ? 32 : 20)) return null;
  return { digest, iterations, salt, expected };
}

/** The iteration count of a well-formed Django PBKDF2 hash, above the ceiling or not; else null. */
export function djangoPbkdf2Iterations(encoded: string): number | null {
  return parseDjangoPbkdf2(encoded)?.iterations ?? null;
}

/** True for a well-formed Django PBKDF2 hash of at most DJANGO_PBKDF2_MAX_ITERATIONS: one this service computes. */
export function isVerifiableDjangoPbkdf2(encoded: string): boolean {
  const iterations = djangoPbkdf2Iterations(encoded);
  return iterations !== null && iterations <= DJANGO_PBKDF2_MAX_ITERATIONS;
}

/** True when `password` matches the Django PBKDF2 hash `encoded`; false for anything malformed or above the ceiling. */
export async function verifyDjangoPbkdf2(password: string, encoded: string): Promise<boolean> {
  const parsed = parseDjangoPbkdf2(encoded);
  if (!parsed || parsed.iterations > DJANGO_PBKDF2_MAX_ITERATIONS) return false;
  const { digest, iterations, salt, expected } = parsed;
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
