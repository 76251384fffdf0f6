/** SQL for e-mail verification keys, stored as digests. */
import { and, eq, gte } from "drizzle-orm";
import { emailVerifications, users } from "../db/schema";
import { type Database, storeCall, writeAtomically } from "./db";

interface NewEmailVerification {
  keyDigest: string;
  userId: number;
  email: string;
  createdMs: number;
  expiresMs: number;
}

function insertEmailVerification(db: Database, verification: NewEmailVerification) {
  return db.insert(emailVerifications).values(verification);
}

export function saveEmailVerification(db: Database, verification: NewEmailVerification): Promise<unknown> {
  return storeCall(() => insertEmailVerification(db, verification).run());
}

/** The unexpired verification with this digest. */
export function findEmailVerification(db: Database, keyDigest: string, nowMs: number) {
  return storeCall(() =>
    db
      .select()
      .from(emailVerifications)
      .where(and(eq(emailVerifications.keyDigest, keyDigest), gte(emailVerifications.expiresMs, nowMs)))
      .get(),
  );
}

/**
 * Marks the address verified if it is still the account's address, and spends every key of the user.
 * Returns false when the account's address has changed since the key was sent.
 */
export async function confirmEmail(db: Database, userId: number, email: string): Promise<boolean> {
  const [updated] = await writeAtomically(db, [
    db
      .update(users)
      .set({ emailVerified: true })
      .where(and(eq(users.id, userId), eq(users.email, email))),
    db.delete(emailVerifications).where(eq(emailVerifications.userId, userId)),
  ]);
  return updated.meta.changes > 0;
}
