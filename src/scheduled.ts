/** The Cron Trigger's work: purge what has expired, in bounded batches (see src/store/purge.ts). */
import { loadConfig } from "./config";
import { logEvent } from "./observability/log";
import { storeFailureReason } from "./store/db";
import { purgeTasks } from "./store/purge";

/** Rows per delete statement. */
export const PURGE_BATCH_SIZE = 1000;
/**
 * Delete statements per task and run: with the tasks of a typical configuration this stays far below the
 * 1,000 D1 queries a Worker invocation may make. What remains is left for the next run.
 */
export const PURGE_MAX_BATCHES_PER_TASK = 25;

/** Runs every purge task; returns how many rows each deleted. */
export async function purgeExpired(env: Env, nowMs: number): Promise<Record<string, number>> {
  const deleted: Record<string, number> = {};
  for (const task of purgeTasks(loadConfig(env), nowMs, PURGE_BATCH_SIZE)) {
    let count = 0;
    for (let batch = 0; batch < PURGE_MAX_BATCHES_PER_TASK; batch++) {
      const result = await env.DB.prepare(task.sql)
        .bind(...task.params)
        .run();
      count += result.meta.changes;
      if (result.meta.changes < PURGE_BATCH_SIZE) break;
    }
    deleted[task.label] = count;
  }
  return deleted;
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
