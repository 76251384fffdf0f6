/** SQL for password-reset codes. The code itself never reaches this layer: only its digest. */
import { and, eq, isNull, sql } from "drizzle-orm";
import { passwordResets, tokens, users } from "../db/schema";
import { type Database, storeCall, writeAtomically } from "./db";
import { deleteUserSessions } from "./tokens";
import { sessionUserColumns } from "./users";

interface NewPasswordReset {
  id: string;
  userId: number;
  codeDigest: string;
  fingerprint: string;
  createdMs: number;
  expiresMs: number;
}

export function insertPasswordReset(db: Database, reset: NewPasswordReset): Promise<unknown> {
  return storeCall(() => db.insert(passwordResets).values(reset).run());
}

/** A reset with the current state of its account, in one read. */
export function findPasswordReset(db: Database, id: string) {
  return storeCall(() =>
    db
      .select({
        reset: passwordResets,
        user: { ...sessionUserColumns, passwordHash: users.passwordHash },
      })
      .from(passwordResets)
      .innerJoin(users, eq(users.id, passwordResets.userId))
      .where(eq(passwordResets.id, id))
      .get(),
  );
}

/**
 * Spends the reset `id` and sets the new password hash, revoking every token of the user, in one atomic
 * batch. Each statement re-checks that the code is unspent, so of two concurrent confirmations only one
 * changes anything. Answers null when the code was already spent, else the revoked tokens' digests.
 */
export async function consumePasswordReset(
  db: Database,
  id: string,
  userId: number,
  passwordHash: string,
  nowMs: number,
): Promise<string[] | null> {
  const unspent = sql`EXISTS (SELECT 1 FROM ${passwordResets} WHERE ${passwordResets.id} = ${id} AND ${passwordResets.usedMs} IS NULL)`;
  const [updated, revoked] = await writeAtomically(db, [
    // The mailbox received the code, so the address is proven too (as allauth does).
    db
      .update(users)
      .set({ passwordHash, emailVerified: true })
      .where(and(eq(users.id, userId), unspent)),
    // Credentials changed: every device must sign in again.
    db
      .delete(tokens)
      .where(and(eq(tokens.userId, userId), unspent))
      .returning({ keyDigest: tokens.keyDigest }),
    db
      .update(passwordResets)
      .set({ usedMs: nowMs })
      .where(and(eq(passwordResets.id, id), isNull(passwordResets.usedMs))),
  ]);
  return updated.meta.changes > 0 ? revoked.map((row) => row.keyDigest) : null;
}

/**
 * Sets a new password hash and revokes the user's tokens except `keepSessionId` (the device that made the
 * change), in one atomic batch. Answers the revoked tokens' digests.
 */
export async function changePassword(
  db: Database,
  userId: number,
  passwordHash: string,
  keepSessionId: string,
): Promise<string[]> {
  const [, revoked] = await writeAtomically(db, [
    db.update(users).set({ passwordHash }).where(eq(users.id, userId)),
    // Credentials changed: every other device must sign in again.
    deleteUserSessions(db, userId, keepSessionId),
  ]);
  return revoked.map((row) => row.keyDigest);
}

/**
 * Sets a new password hash and revokes every token of the user, in one atomic batch (an operator's reset:
 * no device keeps its session). Returns how many tokens were revoked.
 */
export async function replacePassword(db: Database, userId: number, passwordHash: string): Promise<number> {
  const [, revoked] = await writeAtomically(db, [
    db.update(users).set({ passwordHash }).where(eq(users.id, userId)),
    // Credentials changed: every device must sign in again.
    db.delete(tokens).where(eq(tokens.userId, userId)),
  ]);
  return revoked.meta.changes;
}
