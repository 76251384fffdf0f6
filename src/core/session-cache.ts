/**
 * The optional session cache (`TOKEN_CACHE_TTL`), in two layers: this isolate's memory, then the data
 * centre's Cache API (`caches.default`), which every isolate of the Worker in that data centre shares. Only
 * sessions that D1 has just validated are stored (never an unknown, inactive or expired answer), and a hit is
 * trusted only while its D1 read is no older than `TOKEN_CACHE_TTL` and the token has not expired by the
 * current policy and clock: the cache can never grant more than D1 would have at the time of the read.
 *
 * Revocations made here drop the tokens from both layers before the response; other data centres (and
 * revocations that bypass the service, such as the CLI) catch up within `TOKEN_CACHE_TTL`. A request that
 * read D1 just before a concurrent revocation may store its copy just after the purge; that copy too lives no
 * longer than `TOKEN_CACHE_TTL`.
 *
 * The auth core (./auth.ts) is the only caller: it reads and fills the cache and evicts from it whenever it
 * revokes, through the `SessionCache` interface (tests stand a recording cache behind the same four methods).
 */
import { type ExpiryPolicy, isSessionExpired, sessionExpiresAtMs } from "../auth/expiry";
import { decodeEntry, encodeEntry, isFresh, sharedKey, sharedMaxAgeSeconds } from "../cache/cache-entry";
import type { MemoryLayer } from "../cache/memory-layer";
import type { AuthenticatedSession } from "../store/tokens";

/** What the auth core needs of a session cache; every layer is keyed by the token's digest. */
export interface SessionCache {
  /** The session cached for `digest`, if it is still fresh at `nowMs` (ms since the epoch). */
  get(digest: string, nowMs: number): Promise<AuthenticatedSession | undefined>;
  /**
   * Keeps a session just read from D1 (at `nowMs`): in this isolate at once, in the slower layers by the
   * returned promise (for `waitUntil`; it never rejects).
   */
  put(digest: string, session: AuthenticatedSession, nowMs: number): Promise<void>;
  /** Forgets these tokens (revoked). */
  forget(digests: readonly string[]): Promise<void>;
  /**
   * Forgets every cached token of a user (all revoked, or their user's details changed). `digests` are the
   * user's tokens as D1 knew them at that moment, for layers that can only look entries up by digest.
   */
  forgetUser(userId: number, digests: readonly string[]): Promise<void>;
}

export interface SessionCacheSettings {
  /** `TOKEN_CACHE_TTL` in ms; null turns the cache off (every method then does nothing). */
  tokenCacheTtlMs: number | null;
  expiry: ExpiryPolicy;
}

/** The two layers behind `SessionCache`; with `TOKEN_CACHE_TTL` off every method does nothing. */
export class EdgeSessionCache implements SessionCache {
  readonly #ttlMs: number | null;
  readonly #expiry: ExpiryPolicy;
  readonly #memory: MemoryLayer;
  readonly #shared: Cache | null;

  /** `shared` is the data centre's cache; null where there is none (the isolate's layer still works). */
  constructor(settings: SessionCacheSettings, memory: MemoryLayer, shared: Cache | null) {
    this.#ttlMs = settings.tokenCacheTtlMs;
    this.#expiry = settings.expiry;
    this.#memory = memory;
    this.#shared = shared;
  }

  /** The still-valid cached session for the key `digest`: from this isolate, else from the data centre. */
  async get(digest: string, nowMs: number): Promise<AuthenticatedSession | undefined> {
    if (this.#ttlMs === null) return undefined;
    const local = this.#memory.get(digest);
    if (local && this.#usable(local.session, local.readAtMs, nowMs)) return local.session;
    if (!this.#shared) return undefined;
    let text: string | undefined;
    try {
      text = await (await this.#shared.match(sharedKey(digest)))?.text();
    } catch (error) {
      // A cache that cannot answer is a miss: D1 decides.
      console.error(`[session cache] read failed: ${describe(error)}`);
      return undefined;
    }
    const entry = text === undefined ? undefined : decodeEntry(text);
    if (!entry || !this.#usable(entry.session, entry.readAtMs, nowMs)) return undefined;
    // Kept with its original read time: a copy passed between layers never restarts the TTL.
    this.#memory.set(digest, entry);
    return entry.session;
  }

  /**
   * Keeps a session D1 validated at `nowMs`: in this isolate at once, and in the data centre by the returned
   * promise (for `waitUntil`; it never rejects), for min(TOKEN_CACHE_TTL, time to the token's expiry).
   */
  put(digest: string, session: AuthenticatedSession, nowMs: number): Promise<void> {
    if (this.#ttlMs === null) return Promise.resolve();
    const entry = { session, readAtMs: nowMs };
    this.#memory.set(digest, entry);
    const maxAge = sharedMaxAgeSeconds(nowMs, this.#ttlMs, sessionExpiresAtMs(this.#expiry, session), nowMs);
    if (!this.#shared || maxAge < 1) return Promise.resolve();
    const response = new Response(encodeEntry(entry), {
      headers: { "content-type": "application/json", "cache-control": `max-age=${maxAge}` },
    });
    return this.#shared
      .put(sharedKey(digest), response)
      .catch((error: unknown) => console.error(`[session cache] write failed: ${describe(error)}`));
  }

  /** Drops the tokens with these digests from both layers (logout, one session revoked). */
  async forget(digests: readonly string[]): Promise<void> {
    if (this.#ttlMs === null) return;
    for (const digest of digests) this.#memory.delete(digest);
    await this.#purgeShared(digests);
  }

  /**
   * Drops every cached token of a user: all of them in this isolate, and those with `digests` (read from D1 by
   * the revoking statement itself) in the data centre, which cannot be searched by user.
   */
  async forgetUser(userId: number, digests: readonly string[]): Promise<void> {
    if (this.#ttlMs === null) return;
    this.#memory.deleteUser(userId);
    await this.#purgeShared(digests);
  }

  #usable(session: AuthenticatedSession, readAtMs: number, nowMs: number): boolean {
    return isFresh(readAtMs, this.#ttlMs ?? 0, nowMs) && !isSessionExpired(this.#expiry, session, nowMs);
  }

  async #purgeShared(digests: readonly string[]): Promise<void> {
    const shared = this.#shared;
    if (!shared || digests.length === 0) return;
    const results = await Promise.allSettled(digests.map((digest) => shared.delete(sharedKey(digest))));
    const failed = results.filter((result) => result.status === "rejected");
    // The tokens are gone from D1 already; a copy that could not be purged lapses within TOKEN_CACHE_TTL.
    if (failed.length > 0) {
      console.error(`[session cache] purge failed for ${failed.length} of ${digests.length} entries`);
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
