/**
 * The answer that hands a new key to the client exactly once: the JSON body `{key, expiry, user}` and the
 * HttpOnly auth cookie (the route sends it with `Cache-Control: no-store`, as it carries a secret).
 */
import { generateCookie } from "hono/cookie";
import { absoluteExpiresAtMs, type ExpiryPolicy, isoTimestamp } from "../auth/expiry";
import type { IssuedSession } from "../core/auth";
import { type PublicUser, userJson } from "./user-json";

/** Browsers refuse cookies living longer than 400 days (RFC 6265bis). */
const MAX_COOKIE_AGE_SECONDS = 400 * 86_400;
const COOKIE_OPTIONS = { httpOnly: true, secure: true, sameSite: "Lax", path: "/" } as const;

/** The login body and the `Set-Cookie` value that carries the same key. */
export function tokenAnswer(
  { key, session }: IssuedSession,
  user: PublicUser,
  policy: ExpiryPolicy,
  cookieName: string,
): { body: { key: string; expiry: string; user: ReturnType<typeof userJson> }; setCookie: string } {
  const expiryMs = absoluteExpiresAtMs(policy, session);
  // The cookie lives as long as the token can: an idle limit is enforced by the server at every request, and
  // a cookie sized to it would need re-sending the key on ordinary (even forwarded) responses to stay alive.
  const maxAge = Math.min(Math.floor((expiryMs - session.createdMs) / 1000), MAX_COOKIE_AGE_SECONDS);
  return {
    body: { key, expiry: isoTimestamp(expiryMs), user: userJson(user) },
    setCookie: generateCookie(cookieName, key, { ...COOKIE_OPTIONS, maxAge }),
  };
}

/** The `Set-Cookie` value that tells the browser to drop the auth cookie. */
export function clearedAuthCookie(cookieName: string): string {
  return generateCookie(cookieName, "", { ...COOKIE_OPTIONS, maxAge: 0 });
}
