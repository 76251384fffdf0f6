/**
 * Expiry math for tokens. A token has an absolute lifetime (its client's TTL, else `TOKEN_TTL`) counted from
 * creation and, optionally, an idle lifetime (`TOKEN_IDLE_TTL`) counted from its last use. Its expiry is the
 * earlier of the two; it is valid up to and including that instant and expired after it. Clients are shown the
 * absolute end only: the idle deadline moves with every use.
 */

export interface ExpiryPolicy {
  /** `TOKEN_TTL`, for clients without their own. */
  ttlSeconds: number;
  /** `CLIENT_TOKEN_TTLS`: client name → TTL. */
  clientTtlSeconds: ReadonlyMap<string, number>;
  /** `TOKEN_IDLE_TTL`; null when tokens never expire from disuse. */
  idleTtlSeconds: number | null;
}

export interface SessionTimes {
  createdMs: number;
  /** Null for a token never used since login (its creation counts as its last use). */
  lastUsedMs: number | null;
  client: string | null;
}

/** The absolute TTL that applies to tokens of `client`. */
export function ttlSecondsFor(policy: ExpiryPolicy, client: string | null): number {
  return (client !== null ? policy.clientTtlSeconds.get(client) : undefined) ?? policy.ttlSeconds;
}

/** The last instant (ms since the epoch) at which a token created at `createdMs` is still valid. */
export function expiresAtMs(createdMs: number, ttlSeconds: number): number {
  return createdMs + ttlSeconds * 1000;
}

/**
 * The session's absolute end, `created + TTL` for its own client's TTL: the `expiry` clients are shown (login
 * body, `sessions/`). An idle timeout may end it earlier; that deadline moves with use, so it is not reported.
 */
export function absoluteExpiresAtMs(policy: ExpiryPolicy, session: Pick<SessionTimes, "createdMs" | "client">): number {
  return expiresAtMs(session.createdMs, ttlSecondsFor(policy, session.client));
}

/** The last instant at which the session is valid: the earlier of its absolute and idle limits. */
export function sessionExpiresAtMs(policy: ExpiryPolicy, session: SessionTimes): number {
  const absolute = absoluteExpiresAtMs(policy, session);
  if (policy.idleTtlSeconds === null) return absolute;
  return Math.min(absolute, expiresAtMs(session.lastUsedMs ?? session.createdMs, policy.idleTtlSeconds));
}

/** True once `nowMs` is past the session's expiry. */
export function isSessionExpired(policy: ExpiryPolicy, session: SessionTimes, nowMs: number): boolean {
  return nowMs > sessionExpiresAtMs(policy, session);
}

/** The coarsest `last_used` resolution: without an idle timeout a minute is plenty for listing devices. */
const MAX_LAST_USED_RESOLUTION_MS = 60_000;

/**
 * How often (ms) a token's `last_used` is recorded at most: min(60 s, half of `TOKEN_IDLE_TTL`). Half the idle
 * limit is what lets a token used at least this often never idle-expire: at any use, the recorded time is less
 * than one resolution behind the previous use, itself at most one resolution ago.
 */
export function lastUsedResolutionMs(idleTtlSeconds: number | null): number {
  if (idleTtlSeconds === null) return MAX_LAST_USED_RESOLUTION_MS;
  return Math.min(MAX_LAST_USED_RESOLUTION_MS, Math.floor((idleTtlSeconds * 1000) / 2));
}

/** True when a use at `nowMs` should be recorded: the recorded one is at least `resolutionMs` old. */
export function isUseDueForRecording(recordedMs: number, nowMs: number, resolutionMs: number): boolean {
  return nowMs - recordedMs >= resolutionMs;
}

/** True once `nowMs` is more than `ttlSeconds` after `createdMs` (codes and keys with one lifetime). */
export function isExpired(createdMs: number, ttlSeconds: number, nowMs: number): boolean {
  return nowMs > expiresAtMs(createdMs, ttlSeconds);
}

/** ISO-8601 UTC with microseconds, as Django REST Framework renders datetimes: `2026-12-14T10:00:00.000000Z`. */
export function isoTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}
