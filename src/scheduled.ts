/** The Cron Trigger's work: purge what has expired, in bounded batches (see src/store/purge.ts). */
import { loadConfig } from "./config";
import { logEvent } from "./observability/log";
import { database, storeFailureReason } from "./store/db";
import { purgeExpired as purgeStore } from "./store/purge";

/** Rows per delete statement. */
export const PURGE_BATCH_SIZE = 1000;
/**
 * Delete statements per step and run: with the steps of a typical configuration this stays far below the
 * 1,000 D1 queries a Worker invocation may make. What remains is left for the next run.
 */
const PURGE_MAX_BATCHES_PER_TASK = 25;

/** Runs every purge step with `env`'s configuration at `nowMs`; returns how many rows each deleted. */
export function purgeExpired(env: Env, nowMs: number): Promise<Record<string, number>> {
  return purgeStore(database(env.DB), loadConfig(env).purge, nowMs, {
    batchSize: PURGE_BATCH_SIZE,
    maxBatchesPerStep: PURGE_MAX_BATCHES_PER_TASK,
  });
}

export async function scheduled(controller: ScheduledController, env: Env): Promise<void> {
  try {
    const deleted = await purgeExpired(env, controller.scheduledTime);
    logEvent("info", "purge", { deleted });
  } catch (error) {
    logEvent("error", "purge_failed", { reason: storeFailureReason(error) });
    throw error;
  }
}
