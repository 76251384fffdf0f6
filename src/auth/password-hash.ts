/**
 * Password hashing with scrypt, the memory-hard KDF that runs natively in Workers (node:crypto under
 * `nodejs_compat`). Hashes use Django's self-describing format, `scrypt$N$salt$r$p$base64(hash)`, so the
 * parameters travel with each hash, can be raised later (old hashes are upgraded at the next login), and
 * a hash can move to or from a Django project unchanged.
 *
 * Parameters: N=2^14, r=8, p=5, one of OWASP's equivalent minimum settings for scrypt (the same cost as
 * N=2^17, r=8, p=1) at 16 MiB of memory instead of 128 MiB, which a Worker's 128 MB isolate cannot spare.
 * PBKDF2 is not an option: production Workers refuse more than 100,000 iterations, far below OWASP's
 * 600,000 for PBKDF2-SHA256, while local workerd accepts them, so the failure would only show after deploy.
 */
import { scrypt, timingSafeEqual } from "node:crypto";
import { isDjangoPbkdf2, verifyDjangoPbkdf2 } from "./django-hash";
import { randomBase62 } from "./random";

export interface ScryptParams {
  /** CPU/memory cost (a power of two). */
  N: number;
  /** Block size. */
  r: number;
  /** Parallelism. */
  p: number;
}

/** What new hashes use. Raise these and existing hashes are upgraded at their owner's next login. */
export const SCRYPT_PARAMS: ScryptParams = { N: 2 ** 14, r: 8, p: 5 };
/** Django's ScryptPasswordHasher derives 64 bytes. */
const DERIVED_KEY_BYTES = 64;
/** Django uses 22 random alphanumerics (≈131 bits). */
const SALT_LENGTH = 22;
/** Refuse stored parameters beyond these: an imported hash must not be able to exhaust the isolate. */
const MAX_N = 2 ** 17;
const MAX_R = 16;
const MAX_P = 16;
/** Above the 16 MiB that 128 * N * r needs at N=2^14, r=8, with room for N=2^15. */
const SCRYPT_MAX_MEMORY_BYTES = 64 * 1024 * 1024;

/** Hashes `password` with fresh salt. */
export async function hashPassword(password: string, params: ScryptParams = SCRYPT_PARAMS): Promise<string> {
  const salt = randomBase62(SALT_LENGTH);
  const derived = await derive(password, salt, params);
  return ["scrypt", params.N, salt, params.r, params.p, derived.toString("base64")].join("$");
}

/**
 * True when `password` matches `encoded`: our scrypt hashes, or Django PBKDF2 hashes of imported users.
 * Unknown or unusable hashes (Django's `!…`) never match.
 */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  if (isDjangoPbkdf2(encoded)) return verifyDjangoPbkdf2(password, encoded);
  const parsed = parseScrypt(encoded);
  if (!parsed) return false;
  const expected = Buffer.from(parsed.hash, "base64");
  if (expected.length === 0) return false;
  const derived = await derive(password, parsed.salt, parsed.params, expected.length);
  return derived.length === expected.length && timingSafeEqual(derived, expected);
}

/** True when `encoded` was made with other parameters than today's (or another algorithm), as Django decides. */
export function needsRehash(encoded: string): boolean {
  const params = parseScrypt(encoded)?.params;
  return !params || params.N !== SCRYPT_PARAMS.N || params.r !== SCRYPT_PARAMS.r || params.p !== SCRYPT_PARAMS.p;
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

interface ParsedScrypt {
  params: ScryptParams;
  salt: string;
  hash: string;
}

function parseScrypt(encoded: string): ParsedScrypt | null {
  const parts = encoded.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return null;
  const [, n, salt, r, p, hash] = parts as [string, string, string, string, string, string];
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  const powerOfTwo = Number.isInteger(params.N) && params.N > 1 && (params.N & (params.N - 1)) === 0;
  if (!powerOfTwo || params.N > MAX_N) return null;
  if (!Number.isInteger(params.r) || params.r < 1 || params.r > MAX_R) return null;
  if (!Number.isInteger(params.p) || params.p < 1 || params.p > MAX_P) return null;
  if (salt === "" || !/^[A-Za-z0-9+/]+={0,2}$/.test(hash)) return null;
  return { params, salt, hash };
}

function derive(password: string, salt: string, params: ScryptParams, length = DERIVED_KEY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      Buffer.from(password, "utf8"),
      Buffer.from(salt, "utf8"),
      length,
      { N: params.N, r: params.r, p: params.p, maxmem: SCRYPT_MAX_MEMORY_BYTES },
      (error, derived) => (error ? reject(error) : resolve(derived)),
    );
  });
}
