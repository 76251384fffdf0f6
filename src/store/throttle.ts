/** SQL for fixed-window throttle counters, shared by every isolate through D1. */
import { and, eq, gt, inArray, sql } from "drizzle-orm";
import { throttleCounters } from "../db/schema";
import type { Database } from "./db";

export interface Counter {
  key: string;
  count: number;
  windowStartMs: number;
}

/** The counters of `keys` that exist (for a batch). */
export function selectCounters(db: Database, keys: string[]) {
  return db.select().from(throttleCounters).where(inArray(throttleCounters.key, keys));
}

/**
 * Takes one of `limit` places in `key`'s current window (opening a new window when the current one is over)
 * and returns the counter, or no row when the window is already full, in which case nothing changes. One
 * atomic upsert: concurrent reservations from any isolate can never take more than `limit` places.
 */
export function reserveCounter(db: Database, key: string, windowMs: number, nowMs: number, limit: number) {
  const windowOver = sql`${throttleCounters.windowStartMs} <= ${nowMs - windowMs}`;
  return db
    .insert(throttleCounters)
    .values({ key, count: 1, windowStartMs: nowMs })
    .onConflictDoUpdate({
      target: throttleCounters.key,
      set: {
        count: sql`CASE WHEN ${windowOver} THEN 1 ELSE ${throttleCounters.count} + 1 END`,
        windowStartMs: sql`CASE WHEN ${windowOver} THEN ${nowMs} ELSE ${throttleCounters.windowStartMs} END`,
      },
      setWhere: sql`${windowOver} OR ${throttleCounters.count} < ${limit}`,
    })
    .returning();
}

/**
 * Gives back a place taken by `reserveCounter` in the window that opened at `windowStartMs`; a no-op once
 * that window has been replaced (its count is gone with it).
 */
export function releaseCounter(db: Database, key: string, windowStartMs: number) {
  return db
    .update(throttleCounters)
    .set({ count: sql`${throttleCounters.count} - 1` })
    .where(
      and(
        eq(throttleCounters.key, key),
        eq(throttleCounters.windowStartMs, windowStartMs),
        gt(throttleCounters.count, 0),
      ),
    );
}

export function deleteCounter(db: Database, key: string) {
  return db.delete(throttleCounters).where(sql`${throttleCounters.key} = ${key}`);
}
