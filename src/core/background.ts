/**
 * Work done after the response (`waitUntil`): mail, `last_used` stamps, and writes whose timing must not
 * reveal whether an account exists. Failures are logged (without secrets) and never reach the client.
 */
import { logEvent } from "../observability/log";
import { storeFailureReason } from "../store/db";

/** Runs `task` once the response is on its way, keeping the Worker alive for it; `label` names it in logs. */
export type BackgroundTasks = (label: string, task: () => Promise<unknown>) => void;

/**
 * The request's runner: `waitUntil` is the execution context's (read when a task starts, so a request that
 * runs none needs no context), `requestId` goes into a failure's log line.
 */
export function backgroundTasks(waitUntil: (promise: Promise<unknown>) => void, requestId: string): BackgroundTasks {
  return (label, task) => {
    // A macrotask later: after the response has been handed back.
    const afterResponse = new Promise((resolve) => setTimeout(resolve, 0)).then(task);
    waitUntil(
      afterResponse.catch((error: unknown) =>
        logEvent("error", "background_failed", {
          request_id: requestId,
          task: label,
          reason: storeFailureReason(error),
        }),
      ),
    );
  };
}
