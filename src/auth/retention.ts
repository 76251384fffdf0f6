/**
 * What the purge may delete, and from when: pure policy, the store turns each step into a bounded delete.
 * Tokens are kept for `EXPIRED_TOKEN_RETENTION` after they expire, so their clients keep hearing "Token has
 * expired" instead of "Invalid or Inactive Token".
 */
import type { ExpiryPolicy } from "./expiry";

export interface PurgePolicy {
  expiry: ExpiryPolicy;
  /** How long an expired token is kept (answering "Token has expired"). */
  expiredTokenRetentionSeconds: number;
  /** The longest throttle window configured: a counter whose window opened before it is stale. */
  longestThrottleWindowSeconds: number;
  /** `ACTIVITY_RETENTION`: how long the security activity log keeps an event. */
  activityRetentionSeconds: number;
}

/** One kind of row to delete, with its cutoff (ms since the epoch) and a label for logs and CLI output. */
export type PurgeStep = { label: string } & (
  | { rows: "tokens"; createdBeforeMs: number; clients: "all" | { only: string } | { except: string[] } }
  | { rows: "idle tokens"; lastUsedBeforeMs: number }
  | { rows: "password resets"; expiredBeforeMs: number }
  | { rows: "email verifications"; expiredBeforeMs: number }
  | { rows: "second steps of logins"; expiredBeforeMs: number }
  | { rows: "webauthn challenges"; expiredBeforeMs: number }
  | { rows: "activity events"; createdBeforeMs: number }
  | { rows: "throttle counters"; windowOpenedBeforeMs: number }
);

/** The steps of a purge run at `nowMs`. */
export function purgePlan(policy: PurgePolicy, nowMs: number): PurgeStep[] {
  const { expiry } = policy;
  const retentionMs = policy.expiredTokenRetentionSeconds * 1000;
  const clientTtls = [...expiry.clientTtlSeconds.entries()];
  const longestTtlSeconds = Math.max(expiry.ttlSeconds, ...clientTtls.map(([, seconds]) => seconds));
  const steps: PurgeStep[] = [
    {
      label: "tokens past every TTL",
      rows: "tokens",
      createdBeforeMs: nowMs - longestTtlSeconds * 1000 - retentionMs,
      clients: "all",
    },
  ];
  // Tokens whose TTL is shorter than the longest: by client (TOKEN_TTL for unnamed and unlisted clients).
  for (const [client, seconds] of clientTtls) {
    if (seconds < longestTtlSeconds) {
      steps.push({
        label: `tokens of client "${client}" past their TTL`,
        rows: "tokens",
        createdBeforeMs: nowMs - seconds * 1000 - retentionMs,
        clients: { only: client },
      });
    }
  }
  if (expiry.ttlSeconds < longestTtlSeconds) {
    steps.push({
      label: "tokens past TOKEN_TTL",
      rows: "tokens",
      createdBeforeMs: nowMs - expiry.ttlSeconds * 1000 - retentionMs,
      clients: { except: clientTtls.map(([client]) => client) },
    });
  }
  if (expiry.idleTtlSeconds !== null) {
    steps.push({
      label: "tokens idle past TOKEN_IDLE_TTL",
      rows: "idle tokens",
      lastUsedBeforeMs: nowMs - expiry.idleTtlSeconds * 1000 - retentionMs,
    });
  }
  steps.push(
    { label: "spent or expired password reset codes", rows: "password resets", expiredBeforeMs: nowMs },
    { label: "expired e-mail verification keys", rows: "email verifications", expiredBeforeMs: nowMs },
    { label: "expired second steps of logins (mfa_token)", rows: "second steps of logins", expiredBeforeMs: nowMs },
    { label: "expired WebAuthn challenges", rows: "webauthn challenges", expiredBeforeMs: nowMs },
    {
      label: "activity events past ACTIVITY_RETENTION",
      rows: "activity events",
      createdBeforeMs: nowMs - policy.activityRetentionSeconds * 1000,
    },
    {
      label: "stale throttle counters",
      rows: "throttle counters",
      windowOpenedBeforeMs: nowMs - policy.longestThrottleWindowSeconds * 1000,
    },
  );
  return steps;
}
