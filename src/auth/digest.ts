/** SHA-256 digests and constant-time comparison, for secrets that are stored only as hashes. */
import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Lower-case hex SHA-256 of `text` (UTF-8). On the path of every authenticated request: node:crypto's native,
 * synchronous hash (nodejs_compat) costs less there than WebCrypto's promise plus hex encoding in JS.
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
