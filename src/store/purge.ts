/**
 * The purge's deletes, in Drizzle: each step of the pure plan (src/auth/retention.ts) becomes a delete of
 * at most `batchSize` rows through an indexed range, so one statement stays small whatever the table size,
 * run through the store's guard (`storeCall`: a D1 failure or stall is a `StoreUnavailableError`).
 */
import { and, eq, isNotNull, isNull, lt, notInArray, or, type SQL, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import { type PurgePolicy, type PurgeStep, purgePlan } from "../auth/retention";
import * as schema from "../db/schema";
import {
  activityEvents,
  emailVerifications,
  mfaLogins,
  passwordResets,
  throttleCounters,
  tokens,
  webauthnChallenges,
} from "../db/schema";
import { type Database, storeCall } from "./db";

/**
 * At most `batchSize` rows of `table` matching `where` (-1: SQLite's "no limit"). D1's SQLite has no
 * `DELETE ... LIMIT`, so the bound goes through a rowid subquery.
 */
function boundedDelete(db: Database, table: SQLiteTable, where: SQL | undefined, batchSize: number) {
  return db.delete(table).where(sql`rowid IN (SELECT rowid FROM ${table} WHERE ${where} LIMIT ${batchSize})`);
}

function clientCondition(clients: Extract<PurgeStep, { rows: "tokens" }>["clients"]): SQL | undefined {
  if (clients === "all") return undefined;
  if ("only" in clients) return eq(tokens.client, clients.only);
  return or(isNull(tokens.client), notInArray(tokens.client, clients.except));
}

function deleteFor(db: Database, step: PurgeStep, batchSize: number) {
  switch (step.rows) {
    case "tokens":
      return boundedDelete(
        db,
        tokens,
        and(lt(tokens.createdMs, step.createdBeforeMs), clientCondition(step.clients)),
        batchSize,
      );
    case "idle tokens":
      return boundedDelete(db, tokens, lt(tokens.lastUsedMs, step.lastUsedBeforeMs), batchSize);
    case "password resets":
      return boundedDelete(
        db,
        passwordResets,
        or(lt(passwordResets.expiresMs, step.expiredBeforeMs), isNotNull(passwordResets.usedMs)),
        batchSize,
      );
    case "email verifications":
      return boundedDelete(db, emailVerifications, lt(emailVerifications.expiresMs, step.expiredBeforeMs), batchSize);
    case "second steps of logins":
      return boundedDelete(db, mfaLogins, lt(mfaLogins.expiresMs, step.expiredBeforeMs), batchSize);
    case "webauthn challenges":
      return boundedDelete(db, webauthnChallenges, lt(webauthnChallenges.expiresMs, step.expiredBeforeMs), batchSize);
    case "activity events":
      return boundedDelete(db, activityEvents, lt(activityEvents.createdMs, step.createdBeforeMs), batchSize);
    case "throttle counters":
      return boundedDelete(
        db,
        throttleCounters,
        lt(throttleCounters.windowStartMs, step.windowOpenedBeforeMs),
        batchSize,
      );
  }
}

export interface PurgeLimits {
  /** Rows per delete statement (-1: unbounded). */
  batchSize: number;
  /** Statements per step and run; what remains is left for the next run. */
  maxBatchesPerStep: number;
}

/** Runs every step of the purge at `nowMs`; answers how many rows each deleted, by label. */
export async function purgeExpired(
  db: Database,
  policy: PurgePolicy,
  nowMs: number,
  { batchSize, maxBatchesPerStep }: PurgeLimits,
): Promise<Record<string, number>> {
  const deleted: Record<string, number> = {};
  for (const step of purgePlan(policy, nowMs)) {
    const statement = deleteFor(db, step, batchSize);
    let count = 0;
    for (let batch = 0; batch < maxBatchesPerStep; batch++) {
      const { meta } = await storeCall(() => statement.run());
      count += meta.changes;
      if (batchSize < 0 || meta.changes < batchSize) break;
    }
    deleted[step.label] = count;
  }
  return deleted;
}

/** A handle that only renders statements to text; it is never run (it has no database). */
const renderOnly = drizzle({} as D1Database, { schema });

/**
 * The purge's statements as SQL text and parameters, to read and check the plan's deletes without a database
 * (the scheduled handler and the CLI both run `purgeExpired`).
 */
export function purgeTasks(
  config: { purge: PurgePolicy },
  nowMs: number,
  batchSize: number,
): { label: string; sql: string; params: (string | number)[] }[] {
  return purgePlan(config.purge, nowMs).map((step) => {
    const { sql, params } = deleteFor(renderOnly, step, batchSize).toSQL();
    // Every bound value of these statements is a cutoff, a client name or the batch size.
    return { label: step.label, sql, params: params as (string | number)[] };
  });
}
