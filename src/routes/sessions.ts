/**
 * `sessions/` and `sessions/{id}/`: the user's devices. Each live token is listed with its public id, times,
 * client and where it signed in from (never its key or digest); any of them can be revoked by id.
 */
import { Hono } from "hono";
import { absoluteExpiresAtMs, type ExpiryPolicy, isoTimestamp } from "../auth/expiry";
import type { AppEnv } from "../context";
import type { TokenRow } from "../db/schema";
import { detailError, NOT_FOUND } from "../errors";
import { recordActivity } from "../http/activity";
import { clearedAuthCookie } from "../http/session-token";
import { authenticate } from "../middleware/authenticate";

export const sessionRoutes = new Hono<AppEnv>();

sessionRoutes.use("/sessions", authenticate());
sessionRoutes.use("/sessions/*", authenticate());

sessionRoutes.get("/sessions", async (c) => {
  const { expiry } = c.get("config");
  const live = await c.get("auth").listSessions(c.get("session").user.id);
  return c.json(live.map((row) => sessionJson(row, expiry, c.get("session").sessionId)));
});

// Another user's session and an unknown id get the same 404: ids reveal nothing about other accounts.
sessionRoutes.delete("/sessions/:id", async (c) => {
  const id = c.req.param("id");
  if (!(await c.get("auth").revokeSession(c.get("session").user.id, id))) throw detailError(404, NOT_FOUND);
  recordActivity(c, "session_revoked", c.get("session").user.id);
  if (id === c.get("session").sessionId) {
    c.header("Set-Cookie", clearedAuthCookie(c.get("config").authCookieName), { append: true });
  }
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
