/**
 * Expiry math for tokens. A token is valid while its age (`now - created`) is at most its TTL and expired
 * after that, so `expiresAtMs = createdMs + ttlSeconds * 1000` is the last valid instant.
 */

/** The last instant (ms since the epoch) at which a token created at `createdMs` is still valid. */
export function expiresAtMs(createdMs: number, ttlSeconds: number): number {
  return createdMs + ttlSeconds * 1000;
}

/** True once `nowMs` is past the token's expiry. */
export function isExpired(createdMs: number, ttlSeconds: number, nowMs: number): boolean {
  return nowMs > expiresAtMs(createdMs, ttlSeconds);
}

/** ISO-8601 UTC with microseconds, as Django REST Framework renders datetimes: `2026-12-14T10:00:00.000000Z`. */
export function isoTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}
