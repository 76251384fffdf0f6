/**
 * Token authentication: finds the request's credential, checks it and its token's age against the TTL
 * read from the configuration, and either sets `c.get("session")` or stops the request with API.md's exact
 * 401 body. A storage failure propagates as a 503; it never lets a request through.
 */
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { isSessionExpired, isUseDueForRecording, lastUsedResolutionMs } from "../auth/expiry";
import { isWellFormedKey, keyDigest } from "../auth/token-key";
import type { AppEnv } from "../context";
import { authDetailResponse, detailError, NOT_PROVIDED, TOKEN_ERRORS, tokenErrorResponse } from "../errors";
import { runInBackground } from "../http/background";
import { isWebSocketUpgrade } from "../http/upgrade";
import { markAuth } from "../observability/middleware";
import type { AuthOutcome } from "../observability/request-record";
import { type AuthenticatedSession, findSessionByDigest, findSessionNearby, touchSession } from "../store/tokens";
import { type Credential, readCredential } from "./credentials";
import { csrfFailure, isUnsafeMethod, loginCsrfFailure } from "./csrf";

/**
 * Records the use after the response, at most once per resolution (min(60 s, half of `TOKEN_IDLE_TTL`)) per
 * token: an authenticated request stays one read, and a token in use never idle-expires.
 */
function stampLastUse(c: Context<AppEnv>, session: AuthenticatedSession): void {
  const now = c.get("now");
  const resolutionMs = lastUsedResolutionMs(c.get("config").expiry.idleTtlSeconds);
  if (!isUseDueForRecording(session.lastUsedMs ?? session.createdMs, now, resolutionMs)) return;
  // Keeps a cached copy current too, so the next requests do not stamp again.
  session.lastUsedMs = now;
  runInBackground(c, "last_used stamp", () => touchSession(c.get("db"), session.sessionId, now, now - resolutionMs));
}

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
 * Checks the request's token: sets `session` and answers null, or answers the 401 to send (returned, not
 * thrown: this runs before every authenticated request). A storage failure throws (503).
 */
export async function authenticateRequest(c: Context<AppEnv>): Promise<Response | null> {
  const credential = requestCredential(c);
  if (credential.kind === "none") return refuse(c, "none", authDetailResponse(NOT_PROVIDED));
  if (credential.kind === "malformed") return refuse(c, "invalid", authDetailResponse(credential.detail));
  enforceCsrf(c, credential);
  // A key we cannot have issued is answered without a database query.
  if (!isWellFormedKey(credential.key)) return refuse(c, "invalid", tokenErrorResponse(TOKEN_ERRORS.invalid));
  const digest = keyDigest(credential.key);
  const now = c.get("now");
  const { expiry, tokenCacheTtlMs, d1ReadReplicas } = c.get("config");
  const cached = tokenCacheTtlMs === null ? undefined : await c.get("sessionCache").get(digest, now);
  // A cached session is only trusted while it is still valid; any doubt goes to D1.
  if (cached && !isSessionExpired(expiry, cached, now)) {
    accept(c, cached);
    return null;
  }
  const session = await (d1ReadReplicas
    ? findSessionNearby(c.env.DB, digest)
    : findSessionByDigest(c.get("db"), digest));
  if (!session) return refuse(c, "invalid", tokenErrorResponse(TOKEN_ERRORS.invalid));
  if (!session.user.isActive) return refuse(c, "inactive", tokenErrorResponse(TOKEN_ERRORS.inactiveUser));
  // The TTLs are read from the configuration at every check: shortening one expires older tokens at once.
  if (isSessionExpired(expiry, session, now)) return refuse(c, "expired", tokenErrorResponse(TOKEN_ERRORS.expired));
  if (tokenCacheTtlMs !== null) c.executionCtx.waitUntil(c.get("sessionCache").put(digest, session, now));
  accept(c, session);
  return null;
}

function accept(c: Context<AppEnv>, session: AuthenticatedSession): void {
  c.set("session", session);
  markAuth(c, "valid", session.user.id);
  stampLastUse(c, session);
}

/** Notes why the request was refused (for its log line) and answers the refusal. */
function refuse(c: Context<AppEnv>, outcome: AuthOutcome, response: Response): Response {
  markAuth(c, outcome);
  return response;
}

/** Middleware requiring a valid, unexpired token of an active user. */
export function authenticate(): MiddlewareHandler<AppEnv> {
  return async function authenticateToken(c, next) {
    const refusal = await authenticateRequest(c);
    if (refusal) return refusal;
    await next();
  };
}
