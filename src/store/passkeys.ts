/**
 * SQL for passkeys (WebAuthn credentials) and the challenges awaiting their answers. Adding or removing a
 * passkey revokes the user's other tokens in the same batch (a factor changed). Challenges are spent by a
 * single DELETE ... RETURNING, so each is answered at most once even under concurrent requests.
 */
import { and, asc, eq, gte, isNull } from "drizzle-orm";
import { type PasskeyRow, passkeys, webauthnChallenges } from "../db/schema";
import { type Database, isUniqueViolation, storeCall, writeAtomically } from "./db";
import { deleteOrphanRecoveryCodes, revokedDigests, revokeOtherSessions } from "./mfa";

export type NewPasskey = Omit<PasskeyRow, "lastUsedMs">;

export function listPasskeys(db: Database, userId: number): Promise<PasskeyRow[]> {
  return storeCall(() =>
    db
      .select()
      .from(passkeys)
      .where(eq(passkeys.userId, userId))
      .orderBy(asc(passkeys.createdMs), asc(passkeys.id))
      .all(),
  );
}

export function findPasskeyByCredentialId(db: Database, credentialId: string): Promise<PasskeyRow | undefined> {
  return storeCall(() => db.select().from(passkeys).where(eq(passkeys.credentialId, credentialId)).get());
}

/**
 * Stores a verified passkey and revokes the user's other tokens: answers their digests, or null when the
 * credential is already registered.
 */
export async function addPasskey(db: Database, passkey: NewPasskey, keepSessionId: string): Promise<string[] | null> {
  try {
    const [, revoked] = await writeAtomically(db, [
      db.insert(passkeys).values(passkey),
      // A factor added: every other device signs in again, as after a password change.
      revokeOtherSessions(db, passkey.userId, keepSessionId),
    ]);
    return revokedDigests(revoked);
  } catch (error) {
    if (isUniqueViolation(error, "passkeys.credential_id")) return null;
    throw error;
  }
}

export function renamePasskey(db: Database, userId: number, id: string, name: string) {
  return storeCall(() =>
    db
      .update(passkeys)
      .set({ name })
      .where(and(eq(passkeys.id, id), eq(passkeys.userId, userId)))
      .returning()
      .get(),
  );
}

/**
 * Removes one passkey of the user (and their recovery codes when no factor remains), revoking the other tokens:
 * answers their digests, or null when the user has no such passkey: then nothing changed.
 */
export async function deletePasskey(
  db: Database,
  userId: number,
  id: string,
  keepSessionId: string,
): Promise<string[] | null> {
  const owned = and(eq(passkeys.id, id), eq(passkeys.userId, userId));
  const found = await storeCall(() => db.select({ id: passkeys.id }).from(passkeys).where(owned).get());
  if (!found) return null;
  const [, , revoked] = await writeAtomically(db, [
    db.delete(passkeys).where(owned),
    deleteOrphanRecoveryCodes(db, userId),
    // A factor removed: every other device signs in again, as after a password change.
    revokeOtherSessions(db, userId, keepSessionId),
  ]);
  return revokedDigests(revoked);
}

/**
 * Records a verified use: the new signature counter and the time. Conditional on the counter read before
 * verifying, so of two concurrent uses of one assertion only one is accepted.
 */
export async function recordPasskeyUse(db: Database, passkey: PasskeyRow, newCounter: number, nowMs: number) {
  const result = await storeCall(() =>
    db
      .update(passkeys)
      .set({ counter: newCounter, lastUsedMs: nowMs })
      .where(and(eq(passkeys.id, passkey.id), eq(passkeys.counter, passkey.counter)))
      .run(),
  );
  return result.meta.changes > 0;
}

export interface NewChallenge {
  id: string;
  purpose: "register" | "login";
  userId: number | null;
  challenge: string;
  expiresMs: number;
}

/** Keeps a challenge; a registration challenge replaces the user's earlier pending one. */
export function saveChallenge(db: Database, challenge: NewChallenge) {
  const insert = db.insert(webauthnChallenges).values(challenge);
  if (challenge.purpose !== "register" || challenge.userId === null) return writeAtomically(db, [insert]);
  return writeAtomically(db, [
    db
      .delete(webauthnChallenges)
      .where(and(eq(webauthnChallenges.userId, challenge.userId), eq(webauthnChallenges.purpose, "register"))),
    insert,
  ]);
}

/** Spends the user's pending registration challenge `challenge`: true once, and only before it expires. */
export async function spendRegistrationChallenge(db: Database, userId: number, challenge: string, nowMs: number) {
  const rows = await storeCall(() =>
    db
      .delete(webauthnChallenges)
      .where(
        and(
          eq(webauthnChallenges.purpose, "register"),
          eq(webauthnChallenges.userId, userId),
          eq(webauthnChallenges.challenge, challenge),
          gte(webauthnChallenges.expiresMs, nowMs),
        ),
      )
      .returning({ id: webauthnChallenges.id }),
  );
  return rows.length > 0;
}

/** Spends the passwordless sign-in challenge `id`: its challenge once, and only before it expires. */
export async function spendLoginChallenge(db: Database, id: string, nowMs: number): Promise<string | null> {
  const rows = await storeCall(() =>
    db
      .delete(webauthnChallenges)
      .where(
        and(
          eq(webauthnChallenges.id, id),
          eq(webauthnChallenges.purpose, "login"),
          isNull(webauthnChallenges.userId),
          gte(webauthnChallenges.expiresMs, nowMs),
        ),
      )
      .returning({ challenge: webauthnChallenges.challenge }),
  );
  return rows[0]?.challenge ?? null;
}
