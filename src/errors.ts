/**
 * The error shapes of API.md, each thrown as an `HTTPException` carrying its ready JSON response, so any
 * layer can stop a request with the exact body a DRF client expects. The authentication middleware, on the
 * path of every request, returns the 401 responses instead (`*Response`): throwing costs a stack trace.
 *   - DRF's `{"detail": "..."}` for generic failures (401, 403, 404, 405, 413, 415, 429, 503);
 *   - DRF's field errors `{"<field>": ["..."]}` for invalid input (400);
 *   - the expiring-token recipe's `{"error": "...", "is_authenticated": false}` for bad tokens (401).
 */
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";

export type FieldErrors = Record<string, string[]>;

/** The headers of every 401: DRF's TokenAuthentication challenge, JSON, and never cached. */
const UNAUTHORIZED_HEADERS = {
  "Content-Type": "application/json",
  "WWW-Authenticate": "Token",
  "Cache-Control": "no-store",
};

export const TOKEN_ERRORS = {
  invalid: "Invalid or Inactive Token",
  inactiveUser: "Invalid user",
  expired: "Token has expired",
} as const;

export const NOT_PROVIDED = "Authentication credentials were not provided.";

function jsonException(status: ContentfulStatusCode, body: unknown, headers?: Record<string, string>): HTTPException {
  return new HTTPException(status, { res: Response.json(body, { status, headers }) });
}

/** DRF's generic `{"detail": ...}` error. */
export function detailError(
  status: ContentfulStatusCode,
  detail: string,
  headers?: Record<string, string>,
): HTTPException {
  return jsonException(status, { detail }, headers);
}

/** 401 for a missing or malformed credential, with DRF's wording. */
export function authDetailResponse(detail: string): Response {
  return new Response(JSON.stringify({ detail }), { status: 401, headers: UNAUTHORIZED_HEADERS });
}

type TokenErrorMessage = (typeof TOKEN_ERRORS)[keyof typeof TOKEN_ERRORS];

/** The three bodies, serialized once: a junk token is the cheapest request to send, so answering it must be too. */
const TOKEN_ERROR_BODIES = new Map<TokenErrorMessage, string>(
  Object.values(TOKEN_ERRORS).map((message) => [message, JSON.stringify({ error: message, is_authenticated: false })]),
);

/** 401 for a key that does not authenticate: unknown, inactive user, or expired. */
export function tokenErrorResponse(message: TokenErrorMessage): Response {
  return new Response(TOKEN_ERROR_BODIES.get(message), { status: 401, headers: UNAUTHORIZED_HEADERS });
}

/** 400 with DRF's field errors. */
export function fieldErrors(errors: FieldErrors): HTTPException {
  return jsonException(400, errors);
}

/** 400 with one message under `non_field_errors`. */
export function nonFieldError(message: string): HTTPException {
  return fieldErrors({ non_field_errors: [message] });
}

/** 405 with DRF's message and the `Allow` header. */
export function methodNotAllowed(method: string, allowed: string[]): HTTPException {
  return detailError(405, `Method "${method}" not allowed.`, { Allow: allowed.join(", ") });
}

export const NOT_FOUND = "Not found.";
export const SERVICE_UNAVAILABLE = "Service temporarily unavailable, try again later.";
export const SERVER_ERROR = "A server error occurred.";

/**
 * The token store (D1) failed or timed out. Answered 503 and never treated as "no user": an auth check
 * that cannot reach its store fails closed.
 */
export class StoreUnavailableError extends Error {
  override name = "StoreUnavailableError";
  constructor(cause: unknown) {
    super("The token store is unavailable", { cause });
  }
}
