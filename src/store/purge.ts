/**
 * The purge's SQL: bounded deletes of what can no longer be used. Tokens are kept for
 * `EXPIRED_TOKEN_RETENTION` after they expire, so their clients keep hearing "Token has expired" instead of
 * "Invalid or Inactive Token". Every statement deletes at most `batchSize` rows through an indexed range,
 * so one run stays small whatever the table size; the scheduled handler repeats them, the CLI runs them
 * unbounded (`batchSize` -1, SQLite's "no limit").
 */
import { sql } from "drizzle-orm";
import type { Config } from "../config";
import { type Database, storeCall } from "./db";

export interface PurgeTask {
  /** What the statement deletes, for logs and CLI output. */
  label: string;
  sql: string;
  params: (string | number)[];
}

function boundedDelete(table: string, where: string): string {
  return `DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE ${where} LIMIT ?)`;
}

export function purgeTasks(config: Config, nowMs: number, batchSize: number): PurgeTask[] {
  const { expiry, expiredTokenRetentionSeconds } = config;
  const retentionMs = expiredTokenRetentionSeconds * 1000;
  const clientTtls = [...expiry.clientTtlSeconds.entries()];
  const longestTtlSeconds = Math.max(expiry.ttlSeconds, ...clientTtls.map(([, seconds]) => seconds));
  const tasks: PurgeTask[] = [
    {
      label: "tokens past every TTL",
      sql: boundedDelete("tokens", "created_ms < ?"),
      params: [nowMs - longestTtlSeconds * 1000 - retentionMs, batchSize],
    },
  ];
  // Tokens whose TTL is shorter than the longest: by client (TOKEN_TTL for unnamed and unlisted clients).
  for (const [client, seconds] of clientTtls) {
    if (seconds < longestTtlSeconds) {
      tasks.push({
        label: `tokens of client "${client}" past their TTL`,
        sql: boundedDelete("tokens", "created_ms < ? AND client = ?"),
        params: [nowMs - seconds * 1000 - retentionMs, client, batchSize],
      });
    }
  }
  if (expiry.ttlSeconds < longestTtlSeconds) {
    const listed = clientTtls.map(() => "?").join(", ");
    tasks.push({
      label: "tokens past TOKEN_TTL",
      sql: boundedDelete("tokens", `created_ms < ? AND (client IS NULL OR client NOT IN (${listed}))`),
      params: [nowMs - expiry.ttlSeconds * 1000 - retentionMs, ...clientTtls.map(([client]) => client), batchSize],
    });
  }
  if (expiry.idleTtlSeconds !== null) {
    tasks.push({
      label: "tokens idle past TOKEN_IDLE_TTL",
      sql: boundedDelete("tokens", "last_used_ms < ?"),
      params: [nowMs - expiry.idleTtlSeconds * 1000 - retentionMs, batchSize],
    });
  }
  const windows = [
    config.loginFailuresPerAccount,
    config.loginFailuresPerIp,
    config.mailRequestsPerAddress,
    config.mailRequestsPerIp,
    config.registrationsPerIp,
  ];
  const longestWindowMs = Math.max(0, ...windows.map((rule) => (rule ? rule.windowSeconds * 1000 : 0)));
  tasks.push(
    {
      label: "spent or expired password reset codes",
      sql: boundedDelete("password_resets", "expires_ms < ? OR used_ms IS NOT NULL"),
      params: [nowMs, batchSize],
    },
    {
      label: "expired e-mail verification keys",
      sql: boundedDelete("email_verifications", "expires_ms < ?"),
      params: [nowMs, batchSize],
    },
    {
      label: "expired second steps of logins (mfa_token)",
      sql: boundedDelete("mfa_logins", "expires_ms < ?"),
      params: [nowMs, batchSize],
    },
    {
      label: "expired WebAuthn challenges",
      sql: boundedDelete("webauthn_challenges", "expires_ms < ?"),
      params: [nowMs, batchSize],
    },
    {
      label: "activity events past ACTIVITY_RETENTION",
      sql: boundedDelete("activity_events", "created_ms < ?"),
      params: [nowMs - config.activityRetentionSeconds * 1000, batchSize],
    },
    {
      label: "stale throttle counters",
      sql: boundedDelete("throttle_counters", "window_start_ms < ?"),
      params: [nowMs - longestWindowMs, batchSize],
    },
  );
  return tasks;
}

/**
 * Runs one purge task's statement once, through the store's timeout; returns how many rows it deleted. The
 * statement is the store's own (above); its `?` placeholders are bound to the task's parameters.
 */
export async function runPurgeTask(db: Database, task: PurgeTask): Promise<number> {
  const [first = "", ...rest] = task.sql.split("?");
  const query = sql.join([sql.raw(first), ...rest.map((text, index) => sql`${task.params[index]}${sql.raw(text)}`)]);
  const result = await storeCall(() => db.run(query));
  return result.meta.changes;
}
