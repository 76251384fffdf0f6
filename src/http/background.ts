/**
 * Work done after the response (`waitUntil`): mail, `last_used` stamps, and writes whose timing must not
 * reveal whether an account exists. Failures are logged (without secrets) and never reach the client.
 */
import type { Context } from "hono";
import type { AppEnv } from "../context";
import { storeFailureReason } from "../store/db";

export function runInBackground(c: Context<AppEnv>, label: string, task: () => Promise<unknown>): void {
  c.executionCtx.waitUntil(
    task().catch((error: unknown) => console.error(`[background] ${label} failed: ${storeFailureReason(error)}`)),
  );
}
