/**
 * The opt-in edge cache (`TOKEN_CACHE_TTL`): validated sessions kept in this isolate's memory so repeated
 * requests with the same token skip D1. An entry is used for at most `TOKEN_CACHE_TTL` after it was read
 * from D1, and expiry is still checked on every request, so a token never outlives its own expiry here.
 * Revocations made through this isolate (logout, log out everywhere, session delete, password change or
 * reset) drop the entries at once; revocations elsewhere (other isolates, the CLI) take effect within
 * `TOKEN_CACHE_TTL`. Only positive answers are cached: unknown, inactive or expired tokens always go to D1.
 */
import type { AuthenticatedSession } from "../store/tokens";

/** Bounds the memory one isolate spends on the cache (a Worker isolate has 128 MB). */
const MAX_ENTRIES = 10_000;

interface Entry {
  session: AuthenticatedSession;
  readAtMs: number;
}

const entries = new Map<string, Entry>();

/** The cached session for `digest`, if it was read from D1 no longer than `ttlMs` ago. */
export function cachedSession(digest: string, ttlMs: number, nowMs: number): AuthenticatedSession | undefined {
  const entry = entries.get(digest);
  if (!entry) return undefined;
  if (nowMs - entry.readAtMs > ttlMs || nowMs < entry.readAtMs) {
    entries.delete(digest);
    return undefined;
  }
  return entry.session;
}

export function cacheSession(digest: string, session: AuthenticatedSession, nowMs: number): void {
  if (entries.size >= MAX_ENTRIES && !entries.has(digest)) {
    // Maps iterate in insertion order: drop the oldest read.
    const oldest = entries.keys().next().value;
    if (oldest !== undefined) entries.delete(oldest);
  }
  entries.set(digest, { session, readAtMs: nowMs });
}

/** Forgets one token (logout). */
export function forgetDigest(digest: string): void {
  entries.delete(digest);
}

/** Forgets every cached token of a user (log out everywhere, credentials changed, session deleted). */
export function forgetUser(userId: number): void {
  for (const [digest, entry] of entries) {
    if (entry.session.user.id === userId) entries.delete(digest);
  }
}
