/** SQL for accounts. No policy here: callers decide what a result means. */
import { and, eq, inArray, ne, or, type SQL, sql } from "drizzle-orm";
import { tokens, type UserRow, users } from "../db/schema";
import { type Database, isUniqueViolation, storeCall, writeAtomically } from "./db";

/** The user columns an authenticated request needs (joined to its token, or to a reset code). */
export const sessionUserColumns = {
  id: users.id,
  username: users.username,
  email: users.email,
  firstName: users.firstName,
  lastName: users.lastName,
  isActive: users.isActive,
};

export interface NewUser {
  username: string;
  usernameCanonical: string;
  email: string | null;
  emailCanonical: string | null;
  passwordHash: string;
  dateJoinedMs: number;
  /** Set by accounts created through another provider (src/social), which knows the name and the address's state. */
  firstName?: string;
  lastName?: string;
  emailVerified?: boolean;
  lastLoginMs?: number;
}

/**
 * The account a login names: by e-mail when `email` is given, else by username, falling back to an
 * e-mail equal to the username (allauth's "username_email" method). A username match wins over an e-mail one.
 */
export function findUserForLogin(
  db: Database,
  by: { username?: string; email?: string },
): Promise<UserRow | undefined> {
  return storeCall(() => {
    if (by.email !== undefined) return db.select().from(users).where(eq(users.emailCanonical, by.email)).get();
    const username = by.username ?? "";
    return db
      .select()
      .from(users)
      .where(or(eq(users.usernameCanonical, username), eq(users.emailCanonical, username)))
      .orderBy(sql`${users.usernameCanonical} = ${username} DESC`)
      .limit(1)
      .get();
  });
}

export function findUserByEmail(db: Database, emailCanonical: string): Promise<UserRow | undefined> {
  return storeCall(() => db.select().from(users).where(eq(users.emailCanonical, emailCanonical)).get());
}

export function findUserById(db: Database, id: number): Promise<UserRow | undefined> {
  return storeCall(() => db.select().from(users).where(eq(users.id, id)).get());
}

/** Which of a username and an e-mail (canonical forms) another account already holds. */
export async function findTakenIdentifiers(
  db: Database,
  wanted: { usernameCanonical?: string; emailCanonical?: string | null },
  exceptUserId?: number,
): Promise<{ username: boolean; email: boolean }> {
  const conditions: SQL[] = [];
  if (wanted.usernameCanonical !== undefined) conditions.push(eq(users.usernameCanonical, wanted.usernameCanonical));
  if (wanted.emailCanonical) conditions.push(eq(users.emailCanonical, wanted.emailCanonical));
  if (conditions.length === 0) return { username: false, email: false };
  const rows = await storeCall(() =>
    db
      .select({ usernameCanonical: users.usernameCanonical, emailCanonical: users.emailCanonical })
      .from(users)
      .where(and(or(...conditions), exceptUserId === undefined ? undefined : ne(users.id, exceptUserId)))
      .all(),
  );
  return {
    username: rows.some((row) => row.usernameCanonical === wanted.usernameCanonical),
    email: Boolean(wanted.emailCanonical) && rows.some((row) => row.emailCanonical === wanted.emailCanonical),
  };
}

/** The insert of a new account, for a batch. */
export function insertUser(db: Database, user: NewUser) {
  return db.insert(users).values(user).returning();
}

/** Stamps a successful login and, when the stored hash is outdated, replaces it (for a batch). */
export function recordLogin(db: Database, userId: number, nowMs: number, upgradedHash?: string) {
  return db
    .update(users)
    .set(upgradedHash ? { lastLoginMs: nowMs, passwordHash: upgradedHash } : { lastLoginMs: nowMs })
    .where(eq(users.id, userId));
}

/** Replaces an outdated password hash with a fresh one of the same password (for a batch). */
export function replacePasswordHash(db: Database, userId: number, passwordHash: string) {
  return db.update(users).set({ passwordHash }).where(eq(users.id, userId));
}

export interface ProfileChanges {
  username?: string;
  usernameCanonical?: string;
  firstName?: string;
  lastName?: string;
}

/**
 * Applies `changes` and answers the updated row (undefined when there was nothing to change), or
 * "username-taken" when another account claimed the username since it was checked; with the digests of the
 * user's tokens, read in the same batch (cached sessions carry the user's details).
 */
export async function updateProfile(
  db: Database,
  userId: number,
  changes: ProfileChanges,
): Promise<{ row: UserRow | undefined | "username-taken"; digests: string[] }> {
  if (Object.keys(changes).length === 0) return { row: undefined, digests: [] };
  try {
    const [[row], digests] = await writeAtomically(db, [
      db.update(users).set(changes).where(eq(users.id, userId)).returning(),
      db.select({ keyDigest: tokens.keyDigest }).from(tokens).where(eq(tokens.userId, userId)),
    ]);
    return { row, digests: digests.map((digest) => digest.keyDigest) };
  } catch (error) {
    if (isUniqueViolation(error, "users.username_canonical")) return { row: "username-taken", digests: [] };
    throw error;
  }
}

/** The account whose canonical username is `usernameCanonical` (the operator CLI names users this way). */
export function findUserByUsername(db: Database, usernameCanonical: string): Promise<UserRow | undefined> {
  return storeCall(() => db.select().from(users).where(eq(users.usernameCanonical, usernameCanonical)).get());
}

/** Every column of a new account, the id and flags included (operator-made and imported accounts). */
export type NewAccount = typeof users.$inferInsert;

/** The insert of accounts, for a batch. Mind D1's 100 bound parameters per statement: one per column per row. */
export function insertAccounts(db: Database, accounts: NewAccount[]) {
  return db.insert(users).values(accounts);
}

/** The accounts holding any of these ids, canonical usernames or canonical e-mails (mind D1's 100 parameters). */
export function findAccountsByIdentifiers(
  db: Database,
  wanted: { ids: number[]; usernamesCanonical: string[]; emailsCanonical: string[] },
) {
  const conditions: SQL[] = [];
  if (wanted.ids.length > 0) conditions.push(inArray(users.id, wanted.ids));
  if (wanted.usernamesCanonical.length > 0)
    conditions.push(inArray(users.usernameCanonical, wanted.usernamesCanonical));
  if (wanted.emailsCanonical.length > 0) conditions.push(inArray(users.emailCanonical, wanted.emailsCanonical));
  if (conditions.length === 0) return Promise.resolve([]);
  return storeCall(() =>
    db
      .select({ id: users.id, usernameCanonical: users.usernameCanonical, emailCanonical: users.emailCanonical })
      .from(users)
      .where(or(...conditions))
      .all(),
  );
}

/**
 * Lets the user in, or refuses every token of theirs at once (the tokens are kept: reactivating the account
 * brings its unexpired ones back). False when there is no such user.
 */
export async function setUserActive(db: Database, userId: number, isActive: boolean): Promise<boolean> {
  const result = await storeCall(() => db.update(users).set({ isActive }).where(eq(users.id, userId)).run());
  return result.meta.changes > 0;
}
