/**
 * `activity/`: the user's own security activity log, newest first, with DRF's cursor pagination
 * (`{"next","previous","results"}`, opaque `cursor` links). The page size is fixed, as DRF's
 * CursorPagination's is.
 */
import { Hono } from "hono";
import { type Cursor, decodeCursor, encodeCursor, paginate } from "../activity/cursor";
import { activityEventJson } from "../activity/event-json";
import type { AppEnv } from "../context";
import { detailError } from "../errors";
import { authenticate } from "../middleware/authenticate";
import { listActivity } from "../store/activity";

/** Events per page. */
export const ACTIVITY_PAGE_SIZE = 20;

export const activityRoutes = new Hono<AppEnv>();

activityRoutes.use("/activity", authenticate());
activityRoutes.get("/activity", async (c) => {
  const text = c.req.query("cursor");
  // No cursor (or an empty one) is the first page; anything else must be a cursor we wrote, as in DRF.
  const cursor = text ? decodeCursor(text) : null;
  if (text && !cursor) throw detailError(404, "Invalid cursor");
  const rows = await listActivity(c.get("db"), c.get("session").user.id, {
    position: cursor?.position ?? null,
    reverse: cursor?.reverse ?? false,
    limit: ACTIVITY_PAGE_SIZE + 1,
  });
  const page = paginate(rows, ACTIVITY_PAGE_SIZE, cursor);
  // Absolute links on the service's own origin (never the request's Host), as DRF builds them.
  const link = (to: Cursor | null) => to && `${c.get("serviceOrigin")}/auth/activity/?cursor=${encodeCursor(to)}`;
  return c.json({ next: link(page.next), previous: link(page.previous), results: page.results.map(activityEventJson) });
});
