/**
 * One structured log line per request, an `X-Request-Id` on the response, and, when the `AUTH_EVENTS`
 * Analytics Engine binding is present, one data point. Everything happens once the response is ready, with
 * no await of its own: one JSON.stringify, one console.log and a non-blocking `writeDataPoint`.
 */
import type { Context, MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { AppEnv } from "../context";
import { logEvent } from "./log";
import { type AuthOutcome, dataPoint, type RequestRecord, requestId } from "./request-record";

const REQUEST_ID_HEADER = "X-Request-Id";

/** Records how authentication or a login went (and whose it was), for this request's log line. */
export function markAuth(c: Context<AppEnv>, outcome: AuthOutcome, userId?: number): void {
  c.set("authOutcome", outcome);
  if (userId !== undefined) c.set("authUserId", userId);
}

/** The fields every log line about this request carries: its id and where it was routed. */
export function requestFields(c: Context<AppEnv>): { request_id: string; method: string; route: string } {
  return { request_id: c.get("requestId"), method: c.req.method, route: routePath(c) };
}

/** The first middleware: times the request and reports it once answered. */
export function observeRequests(): MiddlewareHandler<AppEnv> {
  return async function observe(c, next) {
    const startedMs = performance.now();
    const id = requestId(c.req.header("cf-ray"), () => crypto.randomUUID());
    c.set("requestId", id);
    await next();

    const response = c.res;
    answerRequestId(response, id);
    const status = response.status;
    const record: RequestRecord = {
      level: "info",
      event: "request",
      request_id: id,
      method: c.req.method,
      route: routePath(c),
      status,
      duration_ms: Math.round(performance.now() - startedMs),
      outcome: c.get("authOutcome") ?? (status === 429 ? "throttled" : null),
      user_id: c.get("authUserId") ?? null,
    };
    console.log(JSON.stringify(record));
    const dataset = (c.env as Partial<Env> | undefined)?.AUTH_EVENTS;
    if (dataset) writeEvent(dataset, record);
  };
}

/**
 * Adds the id to the answer, unless it already carries one (a forwarded origin's own, which is kept, as the
 * gateway returns the origin's headers unchanged) or its headers cannot change (a WebSocket upgrade).
 */
function answerRequestId(response: Response, id: string): void {
  if (response.status === 101 || response.headers.has(REQUEST_ID_HEADER)) return;
  try {
    response.headers.set(REQUEST_ID_HEADER, id);
  } catch {
    // Immutable headers (a response passed through as fetched): it goes out without the id.
  }
}

/** Analytics Engine writes are fire-and-forget; a failing one must never fail the request it describes. */
function writeEvent(dataset: AnalyticsEngineDataset, record: RequestRecord): void {
  try {
    dataset.writeDataPoint(dataPoint(record));
  } catch (error) {
    logEvent("error", "analytics_write_failed", {
      request_id: record.request_id,
      reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
  }
}
