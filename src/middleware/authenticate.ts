/**
 * Token authentication: finds the request's credential, checks it and its token's age against the TTL
 * read from the configuration, and either sets `c.var.session` or stops the request with API.md's exact
 * 401 body. A storage failure propagates as a 503; it never lets a request through.
 */
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { isSessionExpired } from "../auth/expiry";
import { isWellFormedKey, keyDigest } from "../auth/token-key";
import type { AppEnv } from "../context";
import { authDetailError, detailError, NOT_PROVIDED, TOKEN_ERRORS, tokenError } from "../errors";
import { runInBackground } from "../http/background";
import { type AuthenticatedSession, findSessionByDigest, touchSession } from "../store/tokens";
import { type Credential, readCredential } from "./credentials";
import { csrfFailure, isUnsafeMethod } from "./csrf";
import { cachedSession, cacheSession } from "./session-cache";

/**
 * `last_used` is written at most once a minute per token, after the response: an authenticated request
 * stays one read, and idle expiry (`TOKEN_IDLE_TTL`) is exact to within this interval.
 */
export const LAST_USED_WRITE_INTERVAL_MS = 60_000;

function stampLastUse(c: Context<AppEnv>, session: AuthenticatedSession): void {
  const now = c.var.now;
  const notSinceMs = now - LAST_USED_WRITE_INTERVAL_MS;
  if ((session.lastUsedMs ?? session.createdMs) >= notSinceMs) return;
  // Keeps a cached copy current too, so the next requests do not stamp again.
  session.lastUsedMs = now;
  runInBackground(c, "last_used stamp", () => touchSession(c.var.db, session.sessionId, now, notSinceMs));
}

/** The credential of this request (header first, then the auth cookie), not yet checked. */
export function requestCredential(c: Context<AppEnv>): Credential {
  return readCredential(c.req.header("authorization"), getCookie(c, c.var.config.authCookieName));
}

/** Stops a cookie-authenticated unsafe request that does not come from a trusted origin (403). */
export function enforceCsrf(c: Context<AppEnv>, credential: Credential): void {
  if (credential.kind !== "key" || credential.source !== "cookie" || !isUnsafeMethod(c.req.method)) return;
  const failure = csrfFailure(
    c.req.header("origin"),
    c.req.header("referer"),
    new URL(c.req.url).origin,
    c.var.config.allowedOrigins,
  );
  if (failure) throw detailError(403, failure);
}

/** Requires a valid, unexpired token of an active user. */
export function authenticate(): MiddlewareHandler<AppEnv> {
  return async function authenticateToken(c, next) {
    const credential = requestCredential(c);
    if (credential.kind === "none") throw authDetailError(NOT_PROVIDED);
    if (credential.kind === "malformed") throw authDetailError(credential.detail);
    enforceCsrf(c, credential);
    // A key we cannot have issued is answered without a database query.
    if (!isWellFormedKey(credential.key)) throw tokenError(TOKEN_ERRORS.invalid);
    const digest = await keyDigest(credential.key);
    const { expiry, tokenCacheTtlMs } = c.var.config;
    const cached = tokenCacheTtlMs === null ? undefined : cachedSession(digest, tokenCacheTtlMs, c.var.now);
    // A cached session is only trusted while it is still valid; any doubt goes to D1.
    if (cached && !isSessionExpired(expiry, cached, c.var.now)) {
      c.set("session", cached);
      stampLastUse(c, cached);
      return next();
    }
    const session = await findSessionByDigest(c.var.db, digest);
    if (!session) throw tokenError(TOKEN_ERRORS.invalid);
    if (!session.user.isActive) throw tokenError(TOKEN_ERRORS.inactiveUser);
    // The TTLs are read from the configuration at every check: shortening one expires older tokens at once.
    if (isSessionExpired(expiry, session, c.var.now)) throw tokenError(TOKEN_ERRORS.expired);
    if (tokenCacheTtlMs !== null) cacheSession(digest, session, c.var.now);
    c.set("session", session);
    stampLastUse(c, session);
    await next();
  };
}
