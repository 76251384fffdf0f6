/**
 * Verification of scrypt password hashes in Django's ScryptPasswordHasher format,
 * `scrypt$N$salt$r$p$base64(hash)`: what this service wrote before Argon2id, and what Django projects using
 * scrypt export. Such hashes are upgraded at their owner's next login. node:crypto's native scrypt.
 */
import { Buffer } from "node:buffer";
import { scrypt, timingSafeEqual } from "node:crypto";

interface ScryptParams {
  /** CPU/memory cost (a power of two). */
  N: number;
  /** Block size. */
  r: number;
  /** Parallelism. */
  p: number;
}

/** Refuse stored parameters beyond these: an imported hash must not be able to exhaust the isolate. */
const MAX_N = 2 ** 17;
const MAX_R = 16;
const MAX_P = 16;
/** Room for 128 * N * r up to N=2^15, r=8 (and Django's default N=2^14, r=8). */
const SCRYPT_MAX_MEMORY_BYTES = 64 * 1024 * 1024;

interface ParsedScrypt {
  params: ScryptParams;
  salt: string;
  hash: string;
}

export function parseScrypt(encoded: string): ParsedScrypt | null {
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

/** True when `password` matches the Django scrypt hash `encoded` (false for anything unparsable). */
export async function verifyScrypt(password: string, encoded: string): Promise<boolean> {
  const parsed = parseScrypt(encoded);
  if (!parsed) return false;
  const expected = Buffer.from(parsed.hash, "base64");
  if (expected.length === 0) return false;
  const derived = await deriveScrypt(password, parsed.salt, parsed.params, expected.length);
  return derived.length === expected.length && timingSafeEqual(derived, expected);
}

function deriveScrypt(password: string, salt: string, params: ScryptParams, length: number): Promise<Buffer> {
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
