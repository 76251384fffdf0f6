/** SHA-256 digests and constant-time comparison, for secrets that are stored only as hashes. */
import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Lower-case hex SHA-256 of `text` (UTF-8), with node:crypto's native hash (nodejs_compat): synchronous, so its
 * callers need no await; in workerd it costs about what WebCrypto's digest does (~9 µs for a key).
 */
export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** Compares two strings in time independent of where they differ (lengths are not secret here). */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = new TextEncoder().encode(a);
  const right = new TextEncoder().encode(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
