/** SQL for the security activity log. Rows describe where an event came from; never a key, code or password. */
import { and, asc, desc, eq, gt, lt, or, sql } from "drizzle-orm";
import type { CursorPosition } from "../activity/cursor";
import { activityEvents, tokens } from "../db/schema";
import { type Database, storeCall } from "./db";

export type ActivityKind =
  | "login"
  | "login_failed"
  | "logout"
  | "logout_all"
  | "session_revoked"
  | "password_changed"
  | "password_reset"
  | "email_verified"
  | "mfa_changed";

/** Where a request came from, as recorded with each of its events. */
export interface EventOrigin {
  client: string | null;
  userAgent: string | null;
  ip: string | null;
  city: string | null;
  country: string | null;
}

export interface NewActivityEvent extends EventOrigin {
  id: string;
  kind: ActivityKind;
  createdMs: number;
}

export function insertActivity(db: Database, userId: number, event: NewActivityEvent): Promise<unknown> {
  return storeCall(() =>
    db
      .insert(activityEvents)
      .values({ ...event, userId })
      .run(),
  );
}

/**
 * Records `event` for the owner of the token with this digest, if there is one (logout: the request's key is
 * all that names the user). Must run before the token is deleted.
 */
export function insertActivityForKeyDigest(db: Database, keyDigest: string, event: NewActivityEvent): Promise<unknown> {
  const value = <T>(name: string, v: T) => sql<T>`${v}`.as(name);
  return storeCall(() =>
    db
      .insert(activityEvents)
      .select(
        db
          .select({
            id: value("id", event.id),
            userId: tokens.userId,
            kind: value("kind", event.kind),
            createdMs: value("created_ms", event.createdMs),
            client: value("client", event.client),
            userAgent: value("user_agent", event.userAgent),
            ip: value("ip", event.ip),
            city: value("city", event.city),
            country: value("country", event.country),
          })
          .from(tokens)
          .where(eq(tokens.keyDigest, keyDigest)),
      )
      .run(),
  );
}

/**
 * Up to `limit` of the user's events past `position`: older ones newest first (forward), or, with `reverse`,
 * newer ones oldest first. (created, id) orders events totally, so equal times never reorder or repeat.
 */
export function listActivity(
  db: Database,
  userId: number,
  page: { position: CursorPosition | null; reverse: boolean; limit: number },
) {
  const { position, reverse, limit } = page;
  const beyond = position
    ? reverse
      ? or(
          gt(activityEvents.createdMs, position.createdMs),
          and(eq(activityEvents.createdMs, position.createdMs), gt(activityEvents.id, position.id)),
        )
      : or(
          lt(activityEvents.createdMs, position.createdMs),
          and(eq(activityEvents.createdMs, position.createdMs), lt(activityEvents.id, position.id)),
        )
    : undefined;
  const direction = reverse ? asc : desc;
  return storeCall(() =>
    db
      .select()
      .from(activityEvents)
      .where(and(eq(activityEvents.userId, userId), beyond))
      .orderBy(direction(activityEvents.createdMs), direction(activityEvents.id))
      .limit(limit)
      .all(),
  );
}

/** Where the user's most recent sign-ins (at most `limit`, within the retention) came from. */
export function recentSignIns(db: Database, userId: number, limit: number): Promise<EventOrigin[]> {
  return storeCall(() =>
    db
      .select({
        client: activityEvents.client,
        userAgent: activityEvents.userAgent,
        ip: activityEvents.ip,
        city: activityEvents.city,
        country: activityEvents.country,
      })
      .from(activityEvents)
      .where(and(eq(activityEvents.userId, userId), eq(activityEvents.kind, "login")))
      .orderBy(desc(activityEvents.createdMs), desc(activityEvents.id))
      .limit(limit)
      .all(),
  );
}
