/** DRF's answer to a throttled request (the counting is the auth core's: src/core/throttle.ts). */
import type { Throttled } from "../core/throttle";
import { detailError } from "../errors";

/** Stops the request with DRF's 429 and `Retry-After` when the throttle refused it. */
export function refuseIfThrottled<T>(result: T | Throttled): asserts result is T {
  if (typeof result === "object" && result !== null && "retryAfterSeconds" in result) {
    const seconds = result.retryAfterSeconds;
    throw detailError(429, `Request was throttled. Expected available in ${seconds} seconds.`, {
      "Retry-After": String(seconds),
    });
  }
}
