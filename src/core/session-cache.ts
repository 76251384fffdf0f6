/**
 * The opt-in edge cache (`TOKEN_CACHE_TTL`): validated sessions kept in this isolate's memory so repeated
 * requests with the same token skip D1. An entry is used for at most `TOKEN_CACHE_TTL` after it was read
 * from D1, and expiry is still checked on every request, so a token never outlives its own expiry here.
 * Revocations made through this isolate (logout, log out everywhere, session delete, password change or
 * reset) drop the entries at once; revocations elsewhere (other isolates, the CLI) take effect within
 * `TOKEN_CACHE_TTL`. Only positive answers are cached: unknown, inactive or expired tokens always go to D1.
 *
 * The auth core (./auth.ts) is the only caller: it reads and fills the cache and evicts from it whenever it
 * revokes. It sees the cache through `SessionCache`, so a further layer (the data centre's Cache API, keyed
 * by digest) can stand behind the same four methods.
 */
import type { AuthenticatedSession } from "../store/tokens";

/** What the auth core needs of a session cache; every layer is keyed by the token's digest. */
export interface SessionCache {
  /** The session cached for `digest`, if it is still fresh at `nowMs` (ms since the epoch). */
  get(digest: string, nowMs: number): Promise<AuthenticatedSession | undefined>;
  /** Keeps a session just read from D1 (at `nowMs`). */
  put(digest: string, session: AuthenticatedSession, nowMs: number): Promise<void>;
  /** Forgets these tokens (revoked). */
  forget(digests: readonly string[]): Promise<void>;
  /**
   * Forgets every cached token of a user (all revoked, or their user's details changed). `digests` are the
   * user's tokens as D1 knew them at that moment, for layers that can only look entries up by digest.
   */
  forgetUser(userId: number, digests: readonly string[]): Promise<void>;
}

/** Bounds the memory one isolate spends on the cache (a Worker isolate has 128 MB). */
const MAX_ENTRIES = 10_000;

interface Entry {
  session: AuthenticatedSession;
  readAtMs: number;
}

/** Shared by every request of the isolate: that is the point of it. */
const entries = new Map<string, Entry>();

/**
 * The isolate's cache with entries trusted for `ttlMs` (null: `TOKEN_CACHE_TTL` is off, nothing is read or
 * kept). Forgetting works either way: entries kept under another configuration must not outlive a revocation.
 */
export function isolateSessionCache(ttlMs: number | null): SessionCache {
  return {
    async get(digest, nowMs) {
      if (ttlMs === null) return undefined;
      const entry = entries.get(digest);
      if (!entry) return undefined;
      if (nowMs - entry.readAtMs > ttlMs || nowMs < entry.readAtMs) {
        entries.delete(digest);
        return undefined;
      }
      return entry.session;
    },
    async put(digest, session, nowMs) {
      if (ttlMs === null) return;
      if (entries.size >= MAX_ENTRIES && !entries.has(digest)) {
        // Maps iterate in insertion order: drop the oldest read.
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) entries.delete(oldest);
      }
      entries.set(digest, { session, readAtMs: nowMs });
    },
    async forget(digests) {
      for (const digest of digests) entries.delete(digest);
    },
    async forgetUser(userId, digests) {
      for (const digest of digests) entries.delete(digest);
      // Also what D1 no longer listed (a row deleted elsewhere meanwhile) but this isolate still holds.
      for (const [digest, entry] of entries) {
        if (entry.session.user.id === userId) entries.delete(digest);
      }
    },
  };
}
