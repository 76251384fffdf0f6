/**
 * Password hashing policy. New hashes are Argon2id at OWASP's first recommended setting (19 MiB, 2 passes,
 * 1 lane), in Django's Argon2PasswordHasher format, so the parameters travel with each hash, can be raised
 * later (old hashes are upgraded at the next login), and a hash can move to or from a Django project.
 *
 * Why Argon2id in WebAssembly: it is OWASP's first choice, and at its minimum it costs a fraction of the CPU
 * of the native scrypt at OWASP's equivalent minimum (N=2^14, r=8, p=5, what this service used before; see
 * docs/BENCHMARKS.md). PBKDF2 is not an option: production Workers refuse more than 100,000 iterations, far
 * below OWASP's 600,000 for PBKDF2-SHA256, while local workerd accepts them, so it would fail after deploy.
 *
 * Verified: these Argon2id hashes, scrypt hashes (ours from before, or Django's), Django PBKDF2 hashes of
 * imported users. Unknown or unusable hashes (Django's `!…`) never match.
 */
import { type Argon2idParams, hashArgon2id, parseArgon2id, verifyArgon2id } from "./argon2id/hash";
import { isDjangoPbkdf2, isVerifiableDjangoPbkdf2, verifyDjangoPbkdf2 } from "./django-hash";
import { randomBase62 } from "./random";
import { parseScrypt, verifyScrypt } from "./scrypt-hash";

/** What new hashes use. Raise these and existing hashes are upgraded at their owner's next login. */
export const ARGON2ID_PARAMS: Argon2idParams = { m: 19_456, t: 2, p: 1 };
/** Django uses 22 random alphanumerics (≈131 bits). */
const SALT_LENGTH = 22;

/** Hashes `password` with fresh salt. */
export function hashPassword(password: string, params: Argon2idParams = ARGON2ID_PARAMS): Promise<string> {
  return hashArgon2id(password, randomBase62(SALT_LENGTH), params);
}

/** True when `password` matches `encoded`, whichever of the supported formats it is in. */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  if (encoded.startsWith("argon2$")) return verifyArgon2id(password, encoded);
  if (encoded.startsWith("scrypt$")) return verifyScrypt(password, encoded);
  if (isDjangoPbkdf2(encoded)) return verifyDjangoPbkdf2(password, encoded);
  return false;
}

/** True when `encoded` is in a format and within the bounds `verifyPassword` can check. */
export function isVerifiableHash(encoded: string): boolean {
  return parseArgon2id(encoded) !== null || parseScrypt(encoded) !== null || isVerifiableDjangoPbkdf2(encoded);
}

/**
 * True for a hash that verifies but is replaced at its owner's next successful login (Django's PBKDF2, scrypt,
 * Argon2id with other parameters): checking a guess against it costs more than against ours, up to seconds for
 * PBKDF2, so such accounts get a smaller failure budget (see `legacyHashRule`).
 */
export function isLegacyHash(encoded: string): boolean {
  return isVerifiableHash(encoded) && needsRehash(encoded);
}

/** True when `encoded` was made with other parameters than today's (or another algorithm), as Django decides. */
export function needsRehash(encoded: string): boolean {
  const params = parseArgon2id(encoded)?.params;
  return !params || params.m !== ARGON2ID_PARAMS.m || params.t !== ARGON2ID_PARAMS.t || params.p !== ARGON2ID_PARAMS.p;
}

let dummyHash: Promise<string> | undefined;

/**
 * Does the work of a real verification against a hash no password matches, so that a login for an
 * unknown account takes as long as one with a wrong password (no account enumeration by timing).
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hashPassword(randomBase62(SALT_LENGTH));
  await verifyPassword(password, await dummyHash);
  return false;
}
