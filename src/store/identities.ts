/** SQL for identities at other providers (`social_identities`). No policy here: callers decide. */
import { and, eq, inArray, sql } from "drizzle-orm";
import { type SocialIdentityRow, socialIdentities, users } from "../db/schema";
import { type Database, storeCall } from "./db";

export type NewIdentity = Omit<SocialIdentityRow, "userId" | "lastLoginMs">;

/** The identity an issuer's subject is, with its user, or undefined. */
export function findIdentity(db: Database, issuer: string, subject: string) {
  return storeCall(() =>
    db
      .select()
      .from(socialIdentities)
      .innerJoin(users, eq(users.id, socialIdentities.userId))
      .where(and(eq(socialIdentities.issuer, issuer), eq(socialIdentities.subject, subject)))
      .get(),
  );
}

/** The insert of an identity for a known user, for a batch. Its first sign-in is now. */
export function insertIdentity(db: Database, userId: number, identity: NewIdentity) {
  return db.insert(socialIdentities).values({ ...identity, userId, lastLoginMs: identity.createdMs });
}

/**
 * The insert of an identity for the user whose canonical username is `usernameCanonical`, for a batch that
 * creates that user in an earlier statement (its id is not known until then).
 */
export function insertIdentityForUsername(db: Database, usernameCanonical: string, identity: NewIdentity) {
  const value = <T>(name: string, v: T) => sql<T>`${v}`.as(name);
  return db.insert(socialIdentities).select(
    db
      .select({
        id: value("id", identity.id),
        userId: users.id,
        provider: value("provider", identity.provider),
        issuer: value("issuer", identity.issuer),
        subject: value("subject", identity.subject),
        email: value("email", identity.email),
        createdMs: value("created_ms", identity.createdMs),
        lastLoginMs: value("last_login_ms", identity.createdMs),
      })
      .from(users)
      .where(eq(users.usernameCanonical, usernameCanonical)),
  );
}

/** Stamps a sign-in through an identity and keeps the address the provider gave, for a batch. */
export function touchIdentity(db: Database, id: string, nowMs: number, email: string | null) {
  return db.update(socialIdentities).set({ lastLoginMs: nowMs, email }).where(eq(socialIdentities.id, id));
}

/** A user's identities, oldest first. */
export function listUserIdentities(db: Database, userId: number): Promise<SocialIdentityRow[]> {
  return storeCall(() =>
    db
      .select()
      .from(socialIdentities)
      .where(eq(socialIdentities.userId, userId))
      .orderBy(socialIdentities.createdMs, socialIdentities.id)
      .all(),
  );
}

/**
 * Unlinks one identity of a user, only while the user keeps another way to sign in (a usable password, i.e.
 * not Django's `!` marker, or another identity): checked and deleted in one statement, so two concurrent
 * unlinks cannot both pass. "deleted", "last" (refused), or "not-found" (unknown or someone else's).
 */
export async function deleteUserIdentity(
  db: Database,
  userId: number,
  id: string,
): Promise<"deleted" | "last" | "not-found"> {
  const otherWay = sql`(
    EXISTS (SELECT 1 FROM ${users} WHERE ${users.id} = ${userId} AND ${users.passwordHash} NOT LIKE '!%')
    OR EXISTS (SELECT 1 FROM ${socialIdentities} AS other WHERE other.user_id = ${userId} AND other.id != ${id})
  )`;
  const result = await storeCall(() =>
    db
      .delete(socialIdentities)
      .where(and(eq(socialIdentities.id, id), eq(socialIdentities.userId, userId), otherWay))
      .run(),
  );
  if (result.meta.changes > 0) return "deleted";
  const exists = await storeCall(() =>
    db
      .select({ id: socialIdentities.id })
      .from(socialIdentities)
      .where(and(eq(socialIdentities.id, id), eq(socialIdentities.userId, userId)))
      .get(),
  );
  return exists ? "last" : "not-found";
}

/** Which of `candidates` (canonical usernames) are taken. */
export async function takenUsernames(db: Database, candidates: string[]): Promise<Set<string>> {
  const rows = await storeCall(() =>
    db.select({ name: users.usernameCanonical }).from(users).where(inArray(users.usernameCanonical, candidates)).all(),
  );
  return new Set(rows.map((row) => row.name));
}
