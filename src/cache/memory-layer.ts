/**
 * The isolate's layer of the session cache (`TOKEN_CACHE_TTL`): validated sessions kept in this isolate's
 * memory, in front of the data centre's Cache API. Each entry keeps the time its session was read from D1, so a
 * copy taken from the data centre's layer is never trusted for longer than the original read allows.
 */
import type { AuthenticatedSession } from "../store/tokens";

/** Bounds the memory one isolate spends on the cache (a Worker isolate has 128 MB). */
const MAX_ENTRIES = 10_000;

export interface CacheEntry {
  session: AuthenticatedSession;
  /** When the session was read from D1 (ms since the epoch); the entry's age counts from here. */
  readAtMs: number;
}

/** A bounded map from key digest to entry; the oldest insertion goes first once full. */
export class MemoryLayer {
  readonly #entries = new Map<string, CacheEntry>();

  get(digest: string): CacheEntry | undefined {
    return this.#entries.get(digest);
  }

  set(digest: string, entry: CacheEntry): void {
    if (this.#entries.size >= MAX_ENTRIES && !this.#entries.has(digest)) {
      // Maps iterate in insertion order: drop the oldest read.
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(digest, entry);
  }

  delete(digest: string): void {
    this.#entries.delete(digest);
  }

  /** Drops every entry of a user, whatever its digest (a scan: revocations are rare next to checks). */
  deleteUser(userId: number): void {
    for (const [digest, entry] of this.#entries) {
      if (entry.session.user.id === userId) this.#entries.delete(digest);
    }
  }
}

/** This isolate's layer: one per isolate, shared by its requests (module state lives as long as the isolate). */
export const ISOLATE_MEMORY = new MemoryLayer();
