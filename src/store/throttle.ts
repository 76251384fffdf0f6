/** SQL for fixed-window throttle counters, shared by every isolate through D1. */
import { inArray, sql } from "drizzle-orm";
import { throttleCounters } from "../db/schema";
import { type Database, storeCall } from "./db";

export interface Counter {
  key: string;
  count: number;
  windowStartMs: number;
}

export function readCounters(db: Database, keys: string[]): Promise<Counter[]> {
  return storeCall(() => db.select().from(throttleCounters).where(inArray(throttleCounters.key, keys)).all());
}

/**
 * Adds one to `key`'s counter, opening a new window when the current one (`windowMs` long) is over, and
 * returns the new count. One atomic upsert: concurrent increments from any isolate are all counted.
 */
export function incrementCounter(db: Database, key: string, windowMs: number, nowMs: number) {
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
    })
    .returning();
}

export function deleteCounter(db: Database, key: string) {
  return db.delete(throttleCounters).where(sql`${throttleCounters.key} = ${key}`);
}
