/**
 * `sessions/` and `sessions/{id}/`: the user's devices. Each live token is listed with its public id, times,
 * client and where it signed in from (never its key or digest); any of them can be revoked by id.
 */
import { Hono } from "hono";
import type { ExpiryPolicy } from "../auth/expiry";
import { absoluteExpiresAtMs, isoTimestamp, isSessionExpired } from "../auth/expiry";
import type { AppEnv } from "../context";
import type { TokenRow } from "../db/schema";
import { detailError, NOT_FOUND } from "../errors";
import { recordActivity } from "../http/activity";
import { authenticate } from "../middleware/authenticate";
import { deleteUserSession, listUserSessions } from "../store/tokens";
import { clearAuthCookie } from "./session-token";

export const sessionRoutes = new Hono<AppEnv>();

sessionRoutes.use("/sessions", authenticate());
sessionRoutes.use("/sessions/*", authenticate());

sessionRoutes.get("/sessions", async (c) => {
  const { expiry } = c.get("config");
  const rows = await listUserSessions(c.get("db"), c.get("session").user.id);
  const live = rows.filter((row) => !isSessionExpired(expiry, row, c.get("now")));
  return c.json(live.map((row) => sessionJson(row, expiry, c.get("session").sessionId)));
});

// Another user's session and an unknown id get the same 404: ids reveal nothing about other accounts.
sessionRoutes.delete("/sessions/:id", async (c) => {
  const id = c.req.param("id");
  const revoked = await deleteUserSession(c.get("db"), c.get("session").user.id, id);
  if (revoked.length === 0) throw detailError(404, NOT_FOUND);
  await c.get("sessionCache").forget(revoked);
  recordActivity(c, "session_revoked", c.get("session").user.id);
  if (id === c.get("session").sessionId) clearAuthCookie(c);
  return c.body(null, 204);
});

/** "City, CC", "CC" or null, from the edge's `cf` data at login. */
function location(row: TokenRow): string | null {
  const parts = [row.city, row.country].filter((part): part is string => Boolean(part));
  return parts.length > 0 ? parts.join(", ") : null;
}

function sessionJson(row: TokenRow, policy: ExpiryPolicy, currentId: string) {
  return {
    id: row.id,
    created: isoTimestamp(row.createdMs),
    last_used: isoTimestamp(row.lastUsedMs ?? row.createdMs),
    expiry: isoTimestamp(absoluteExpiresAtMs(policy, row)),
    client: row.client,
    user_agent: row.userAgent,
    ip: row.ip,
    location: location(row),
    current: row.id === currentId,
  };
}
