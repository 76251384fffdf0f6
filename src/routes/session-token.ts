/**
 * Issuing a device session: a fresh key, the row describing the device, and the response that hands the
 * key to the client exactly once (JSON body and HttpOnly cookie, never cached).
 */
import type { Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { deriveClientName } from "../auth/client-name";
import { absoluteExpiresAtMs, isoTimestamp } from "../auth/expiry";
import { generateKey, generateSessionId, keyDigest } from "../auth/token-key";
import type { AppEnv } from "../context";
import type { NewSession } from "../store/tokens";
import { type PublicUser, userJson } from "./user-json";

/** Browsers refuse cookies living longer than 400 days (RFC 6265bis). */
const MAX_COOKIE_AGE_SECONDS = 400 * 86_400;
const MAX_USER_AGENT_LENGTH = 512;

export interface IssuedSession {
  /** The key, for the client's eyes only. */
  key: string;
  /** The row to store for it (with the key's digest only). */
  session: NewSession;
}

/** A new key for this device, named `client` or, when it gave no name, after its User-Agent. */
export async function newSession(c: Context<AppEnv>, client: string | null): Promise<IssuedSession> {
  const key = generateKey();
  const userAgent = c.req.header("user-agent");
  const cf = c.req.raw.cf as { city?: unknown; country?: unknown } | undefined;
  return {
    key,
    session: {
      id: generateSessionId(),
      keyDigest: keyDigest(key),
      createdMs: c.get("now"),
      client: client ?? deriveClientName(userAgent),
      userAgent: userAgent?.slice(0, MAX_USER_AGENT_LENGTH) ?? null,
      ip: c.req.header("cf-connecting-ip") ?? null,
      city: typeof cf?.city === "string" ? cf.city : null,
      country: typeof cf?.country === "string" ? cf.country : null,
    },
  };
}

/** The login body `{key, expiry, user}` with the auth cookie; `Cache-Control: no-store` as it carries a secret. */
export function tokenResponse(
  c: Context<AppEnv>,
  { key, session }: IssuedSession,
  user: PublicUser,
  status: 200 | 201 = 200,
) {
  const expiryMs = setAuthCookie(c, { key, session });
  return c.json({ key, expiry: isoTimestamp(expiryMs), user: userJson(user) }, status);
}

/** Sets the auth cookie for an issued session (also for redirects, e.g. social sign-in); returns its expiry (ms). */
export function setAuthCookie(c: Context<AppEnv>, { key, session }: IssuedSession): number {
  const expiryMs = absoluteExpiresAtMs(c.get("config").expiry, session);
  // The cookie lives as long as the token can: an idle limit is enforced by the server at every request, and
  // a cookie sized to it would need re-sending the key on ordinary (even forwarded) responses to stay alive.
  setCookie(c, c.get("config").authCookieName, key, {
    httpOnly: true,
    secure: true,
    sameSite: "Lax",
    path: "/",
    maxAge: Math.min(Math.floor((expiryMs - session.createdMs) / 1000), MAX_COOKIE_AGE_SECONDS),
  });
  return expiryMs;
}

/** Tells the browser to drop the auth cookie. */
export function clearAuthCookie(c: Context<AppEnv>): void {
  deleteCookie(c, c.get("config").authCookieName, { path: "/", secure: true, httpOnly: true, sameSite: "Lax" });
}
