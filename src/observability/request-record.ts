/**
 * What is said about one request in its log line and its Analytics Engine data point. Pure: every field is
 * chosen here, so nothing a client sent (a key, a password, a cookie, a code, a path with ids, a query) can
 * reach them except the method and a request id that must look like one.
 */

/**
 * How the request's credential or login attempt fared. `null` where no credential was checked (registration,
 * password reset, public paths, documents).
 *   - `valid`, `expired`, `invalid` (malformed header or unknown key), `inactive` (the user is deactivated),
 *     `none` (no credential where one is required), `csrf_failed` (a cookie from an untrusted page);
 *   - `login_ok`, `login_failed` (wrong credentials or an inactive user);
 *   - `throttled`: any 429 without an outcome of its own (login and mail throttles).
 */
export type AuthOutcome =
  | "valid"
  | "expired"
  | "invalid"
  | "inactive"
  | "none"
  | "csrf_failed"
  | "login_ok"
  | "login_failed"
  | "throttled";

/** The request log line, field for field (snake_case, in this order). */
export interface RequestRecord {
  level: "info";
  event: "request";
  request_id: string;
  method: string;
  /** The pattern of the route that answered (`/auth/sessions/:id`), never the path itself. */
  route: string;
  status: number;
  /** Until the response's headers were ready; a streamed body may take longer. */
  duration_ms: number;
  outcome: AuthOutcome | null;
  /** The user's `pk` once authenticated (or logged in), else null. */
  user_id: number | null;
}

/** Cloudflare's ray id (`8c3e2c7f5a9d1234-AMS`); anything longer or stranger is not trusted as an id. */
const REQUEST_ID = /^[\w-]{1,64}$/;

/** The request's id: its `cf-ray` when it has a sane one, else `makeId()`. */
export function requestId(cfRay: string | undefined, makeId: () => string): string {
  return cfRay !== undefined && REQUEST_ID.test(cfRay) ? cfRay : makeId();
}

/**
 * The Analytics Engine data point for `record`: blob1 the outcome (empty when none), blob2 the route, blob3
 * the method; double1 the status, double2 the duration in ms; the outcome is the index (the sampling key).
 */
export function dataPoint(record: RequestRecord): AnalyticsEngineDataPoint {
  const outcome = record.outcome ?? "";
  return {
    blobs: [outcome, record.route, record.method],
    doubles: [record.status, record.duration_ms],
    indexes: [outcome],
  };
}
