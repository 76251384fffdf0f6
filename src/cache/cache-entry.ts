/**
 * Pure rules of the session cache: when an entry may still be used, how long the data centre's copy may live,
 * and the entry's wire form (validated when read back: a damaged entry is a miss, never a session).
 */
import type { CacheEntry } from "./memory-layer";

/**
 * The data centre's entries live under a reserved host (RFC 2606 `.invalid`): no visitor's request can name
 * it, and the URL carries the key's SHA-256 digest, never the key.
 */
const SHARED_KEY_BASE = "https://session-cache.invalid/v1/";

/** The Cache API key of the session for `digest`. */
export function sharedKey(digest: string): string {
  return SHARED_KEY_BASE + digest;
}

/** True while an entry read from D1 at `readAtMs` is no older than `ttlMs` (and not from the future). */
export function isFresh(readAtMs: number, ttlMs: number, nowMs: number): boolean {
  return nowMs >= readAtMs && nowMs - readAtMs <= ttlMs;
}

/**
 * Whole seconds the data centre may keep an entry written at `nowMs`: until the cache TTL runs out from the D1
 * read or the token expires (absolute or idle end, `expiresAtMs`), whichever comes first; rounded down so
 * the Cache API never keeps it longer. Zero means "do not store".
 */
export function sharedMaxAgeSeconds(readAtMs: number, ttlMs: number, expiresAtMs: number, nowMs: number): number {
  return Math.max(0, Math.floor((Math.min(readAtMs + ttlMs, expiresAtMs) - nowMs) / 1000));
}

export function encodeEntry(entry: CacheEntry): string {
  return JSON.stringify(entry);
}

const isInteger = (value: unknown): value is number => Number.isSafeInteger(value);
const isText = (value: unknown): value is string => typeof value === "string";
const isTextOrNull = (value: unknown): value is string | null => value === null || typeof value === "string";

/** The entry in `text`, or undefined when it is not exactly the shape `encodeEntry` writes. */
export function decodeEntry(text: string): CacheEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const entry = value as Partial<CacheEntry> | null;
  const session = entry?.session;
  const user = session?.user;
  if (
    !entry ||
    !isInteger(entry.readAtMs) ||
    !session ||
    !isText(session.sessionId) ||
    !isInteger(session.createdMs) ||
    !(session.lastUsedMs === null || isInteger(session.lastUsedMs)) ||
    !isTextOrNull(session.client) ||
    !user ||
    !isInteger(user.id) ||
    !isText(user.username) ||
    !isTextOrNull(user.email) ||
    !isText(user.firstName) ||
    !isText(user.lastName) ||
    user.isActive !== true
  ) {
    return undefined;
  }
  return entry as CacheEntry;
}
