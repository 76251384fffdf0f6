/**
 * Token authentication: finds the request's credential, has the auth core check it (key, user, the TTLs
 * read from the configuration), and either sets `c.get("session")` or stops the request with API.md's exact
 * 401 body. A storage failure propagates as a 503; it never lets a request through.
 */
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import type { AppEnv } from "../context";
import { authDetailResponse, detailError, NOT_PROVIDED, TOKEN_ERRORS, tokenErrorResponse } from "../errors";
import { isWebSocketUpgrade } from "../http/upgrade";
import { markAuth } from "../observability/middleware";
import { type Credential, readCredential } from "./credentials";
import { csrfFailure, isUnsafeMethod, loginCsrfFailure } from "./csrf";

const REFUSALS = {
  invalid: TOKEN_ERRORS.invalid,
  inactive: TOKEN_ERRORS.inactiveUser,
  expired: TOKEN_ERRORS.expired,
} as const;

/** The credential of this request (header first, then the auth cookie), not yet checked. */
export function requestCredential(c: Context<AppEnv>): Credential {
  return readCredential(c.req.header("authorization"), getCookie(c, c.get("config").authCookieName));
}

/**
 * Stops a cookie-authenticated unsafe request, or WebSocket upgrade, that does not come from a trusted origin
 * (403). An upgrade is a GET, but browsers let any page open a socket with the user's cookies (no CORS), and
 * what then flows over it is the user's: it is checked like an unsafe method (API.md).
 */
export function enforceCsrf(c: Context<AppEnv>, credential: Credential): void {
  if (credential.kind !== "key" || credential.source !== "cookie") return;
  if (!isUnsafeMethod(c.req.method) && !isWebSocketUpgrade(c.req.header("upgrade"))) return;
  const failure = csrfFailure(
    c.req.header("origin"),
    c.req.header("referer"),
    c.get("serviceOrigin"),
    c.get("config").allowedOrigins,
  );
  if (!failure) return;
  markAuth(c, "csrf_failed");
  throw detailError(403, failure);
}

/** Stops a request that would sign a browser in (login, registration) from a foreign `Origin` (403). */
export function enforceLoginCsrf(c: Context<AppEnv>): void {
  const failure = loginCsrfFailure(c.req.header("origin"), c.get("serviceOrigin"), c.get("config").allowedOrigins);
  if (failure) throw detailError(403, failure);
}

/**
 * Checks the request's token through the auth core: sets `session` and answers null, or answers the 401 to
 * send (returned, not thrown: this runs before every authenticated request). A storage failure throws (503).
 */
export async function authenticateRequest(c: Context<AppEnv>): Promise<Response | null> {
  const credential = requestCredential(c);
  if (credential.kind === "none") {
    markAuth(c, "none");
    return authDetailResponse(NOT_PROVIDED);
  }
  if (credential.kind === "malformed") {
    markAuth(c, "invalid");
    return authDetailResponse(credential.detail);
  }
  enforceCsrf(c, credential);
  const result = await c.get("auth").authenticate(credential.key);
  if (result.outcome !== "valid") {
    markAuth(c, result.outcome);
    return tokenErrorResponse(REFUSALS[result.outcome]);
  }
  c.set("session", result.session);
  markAuth(c, "valid", result.session.user.id);
  return null;
}

/** Middleware requiring a valid, unexpired token of an active user. */
export function authenticate(): MiddlewareHandler<AppEnv> {
  return async function authenticateToken(c, next) {
    const refusal = await authenticateRequest(c);
    if (refusal) return refusal;
    await next();
  };
}
