/**
 * Work done after the response (`waitUntil`): mail, `last_used` stamps, and writes whose timing must not
 * reveal whether an account exists. Failures are logged (without secrets) and never reach the client.
 */
import type { Context } from "hono";
import type { AppEnv } from "../context";
import { logEvent } from "../observability/log";
import { storeFailureReason } from "../store/db";

/** Runs `task` once the response is on its way (a macrotask later), keeping the Worker alive for it. */
export function runInBackground(c: Context<AppEnv>, label: string, task: () => Promise<unknown>): void {
  const afterResponse = new Promise((resolve) => setTimeout(resolve, 0)).then(task);
  c.executionCtx.waitUntil(
    afterResponse.catch((error: unknown) =>
      logEvent("error", "background_failed", {
        request_id: c.get("requestId"),
        task: label,
        reason: storeFailureReason(error),
      }),
    ),
  );
}
