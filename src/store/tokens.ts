/** SQL for device sessions (tokens). Keys never reach this layer: only their SHA-256 digests. */
import { and, desc, eq, isNull, lte, ne, notInArray, or, type SQL, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { tokens, users } from "../db/schema";
import { type Database, storeCall } from "./db";
import { sessionUserColumns } from "./users";

/** What a login records about the device it issues a token to. */
export interface NewSession {
  id: string;
  keyDigest: string;
  createdMs: number;
  client: string | null;
  userAgent: string | null;
  ip: string | null;
  city: string | null;
  country: string | null;
}

/** A token joined with its user: everything one authenticated request needs, in one indexed read. */
export interface AuthenticatedSession {
  sessionId: string;
  createdMs: number;
  lastUsedMs: number | null;
  client: string | null;
  user: {
    id: number;
    username: string;
    email: string | null;
    firstName: string;
    lastName: string;
    isActive: boolean;
  };
}

const authQueries = new WeakMap<Database, ReturnType<typeof prepareAuthQuery>>();

/** Built once per database handle: the hot path then only binds the digest (no SQL building per request). */
function prepareAuthQuery(db: Database) {
  return authSelect(db).prepare();
}

/** The auth query's statement (the benchmark runs it bare, to show what the app adds to its own query). */
export function authSelect(db: Database) {
  return db
    .select({
      sessionId: tokens.id,
      createdMs: tokens.createdMs,
      lastUsedMs: tokens.lastUsedMs,
      client: tokens.client,
      user: sessionUserColumns,
    })
    .from(tokens)
    .innerJoin(users, eq(users.id, tokens.userId))
    .where(eq(tokens.keyDigest, sql.placeholder("digest")));
}

/** The one query behind every authenticated request: the unique index on `key_digest`, joined to the user. */
export function findSessionByDigest(db: Database, keyDigest: string): Promise<AuthenticatedSession | undefined> {
  let query = authQueries.get(db);
  if (!query) {
    query = prepareAuthQuery(db);
    authQueries.set(db, query);
  }
  const prepared = query;
  return storeCall(() => prepared.get({ digest: keyDigest }));
}

/**
 * The token check with `D1_READ_REPLICAS=on`, through D1's Sessions API: the nearest read replica first
 * ("first-unconstrained"), and the primary ("first-primary") only for a key the replica does not hold, so a
 * token issued a moment ago, not yet replicated, is never refused. A replica's copy of a token revoked since is
 * still found: revocations reach these checks within the replication lag. Writes never come here.
 */
export async function findSessionNearby(d1: D1Database, keyDigest: string): Promise<AuthenticatedSession | undefined> {
  const nearby = await findSessionByDigest(sessionDatabase(d1, "first-unconstrained"), keyDigest);
  return nearby ?? findSessionByDigest(sessionDatabase(d1, "first-primary"), keyDigest);
}

/**
 * Drizzle over a D1 session (it only calls `prepare` and `batch`, which a session has like the binding). A
 * session lives for one request, so its handle is built per request: without the schema, whose relational
 * configuration Drizzle would otherwise extract every time (the auth query does not use it).
 */
function sessionDatabase(d1: D1Database, constraint: D1SessionConstraint): Database {
  return drizzle(d1.withSession(constraint) as unknown as D1Database) as unknown as Database;
}

/** The insert of a session for a known user id, for a batch. Login counts as its first use. */
export function insertSession(db: Database, userId: number, session: NewSession) {
  return db.insert(tokens).values({ ...session, userId, lastUsedMs: session.createdMs });
}

/**
 * Most recently used first, by the recorded `last_used` (a token never used counts from its creation); on a
 * tie the newer token first, by `created`, then by `id`, so the order never depends on how rows are stored.
 */
const mostRecentlyUsedFirst = [
  desc(sql`coalesce(${tokens.lastUsedMs}, ${tokens.createdMs})`),
  desc(tokens.createdMs),
  desc(tokens.id),
];

/**
 * Keeps only the user's `keep` most recently used tokens, counting the one a login just issued (`issuedId`,
 * inserted earlier in the same batch), which always stays: a login never hands out a key it has revoked, even
 * when other logins of the same instant tie with it. D1 runs a batch as one transaction, so concurrent logins
 * cannot overshoot. Answers the evicted tokens' digests (for the caches).
 */
export function evictLeastRecentlyUsed(db: Database, userId: number, keep: number, issuedId: string) {
  const othersKept = db
    .select({ id: tokens.id })
    .from(tokens)
    .where(and(eq(tokens.userId, userId), ne(tokens.id, issuedId)))
    .orderBy(...mostRecentlyUsedFirst)
    .limit(keep - 1);
  return db
    .delete(tokens)
    .where(and(eq(tokens.userId, userId), ne(tokens.id, issuedId), notInArray(tokens.id, othersKept)))
    .returning({ keyDigest: tokens.keyDigest });
}

/**
 * Stamps a use of the session, unless one was recorded after `dueBeforeMs` (by another request or isolate:
 * a burst of requests writes once, and a newer stamp is never replaced by an older one).
 */
export function touchSession(db: Database, sessionId: string, nowMs: number, dueBeforeMs: number): Promise<unknown> {
  return storeCall(() =>
    db
      .update(tokens)
      .set({ lastUsedMs: nowMs })
      .where(and(eq(tokens.id, sessionId), or(isNull(tokens.lastUsedMs), lte(tokens.lastUsedMs, dueBeforeMs))))
      .run(),
  );
}

/** Every token row of a user, most recently used first (expired ones included: the caller filters). */
export function listUserSessions(db: Database, userId: number) {
  return storeCall(() =>
    db
      .select()
      .from(tokens)
      .where(eq(tokens.userId, userId))
      .orderBy(...mostRecentlyUsedFirst)
      .all(),
  );
}

/** Revokes one session of a user: its digest, or undefined when the user has no such session (unknown or someone else's). */
export async function deleteUserSession(db: Database, userId: number, sessionId: string): Promise<string | undefined> {
  const row = await storeCall(() =>
    db
      .delete(tokens)
      .where(and(eq(tokens.id, sessionId), eq(tokens.userId, userId)))
      .returning({ keyDigest: tokens.keyDigest })
      .get(),
  );
  return row?.keyDigest;
}

/**
 * The token row of `session` for the user that `where` selects, for an INSERT … SELECT in a batch in which that
 * user's id is not known in advance. Drizzle checks that the selected fields match the table's columns in
 * order, so a new column cannot be missed here.
 */
function sessionRowFor(db: Database, session: NewSession, where: SQL | undefined) {
  const value = <T>(name: string, v: T) => sql<T>`${v}`.as(name);
  return db
    .select({
      id: value("id", session.id),
      userId: users.id,
      keyDigest: value("key_digest", session.keyDigest),
      createdMs: value("created_ms", session.createdMs),
      lastUsedMs: value("last_used_ms", session.createdMs),
      client: value("client", session.client),
      userAgent: value("user_agent", session.userAgent),
      ip: value("ip", session.ip),
      city: value("city", session.city),
      country: value("country", session.country),
    })
    .from(users)
    .where(where);
}

/** The insert of a session for the user whose canonical username is `usernameCanonical`, created earlier in the batch. */
export function insertSessionForUsername(db: Database, usernameCanonical: string, session: NewSession) {
  return db.insert(tokens).select(sessionRowFor(db, session, eq(users.usernameCanonical, usernameCanonical)));
}

/** Revokes the token with this digest, whatever its state. */
export function deleteSessionByDigest(db: Database, keyDigest: string): Promise<unknown> {
  return storeCall(() => db.delete(tokens).where(eq(tokens.keyDigest, keyDigest)).run());
}

/**
 * The delete of every token of a user but `exceptSessionId` (when given), answering the deleted digests, for
 * a batch.
 */
export function deleteUserSessions(db: Database, userId: number, exceptSessionId?: string) {
  return db
    .delete(tokens)
    .where(and(eq(tokens.userId, userId), exceptSessionId === undefined ? undefined : ne(tokens.id, exceptSessionId)))
    .returning({ keyDigest: tokens.keyDigest });
}

/**
 * The insert of a session for the account with this id *and* canonical username, for a batch: a session can
 * never land on another account that took the id or the name. A session whose key digest is already stored
 * is skipped (`changes` 0), so importing the same keys twice stores them once.
 */
export function insertSessionForAccount(
  db: Database,
  account: { id: number; usernameCanonical: string },
  session: NewSession,
) {
  const where = and(eq(users.id, account.id), eq(users.usernameCanonical, account.usernameCanonical));
  return db
    .insert(tokens)
    .select(sessionRowFor(db, session, where))
    .onConflictDoNothing();
}
