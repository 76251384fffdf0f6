/**
 * SQL for second factors: the TOTP authenticator, recovery codes and the pending second step of a login.
 * Secrets never reach this layer in clear: TOTP secrets arrive sealed, codes and tokens as SHA-256 digests.
 * Every change of a factor revokes the user's other tokens in the same batch (credentials changed).
 */
import { and, eq, gte, isNotNull, isNull, lt, ne, or, type SQL, sql } from "drizzle-orm";
import { mfaLogins, mfaRecoveryCodes, mfaTotp, passkeys, tokens, webauthnChallenges } from "../db/schema";
import { type Database, storeCall, writeAtomically } from "./db";

export interface MfaState {
  totpActive: boolean;
  passkeys: number;
  recoveryCodesLeft: number;
}

/** Which factors the user has, in one read. */
export async function readMfaState(db: Database, userId: number): Promise<MfaState> {
  const row = await storeCall(() =>
    db
      .select({
        totp: sql<number>`(SELECT count(*) FROM ${mfaTotp} WHERE ${mfaTotp.userId} = ${userId} AND ${mfaTotp.confirmedMs} IS NOT NULL)`,
        passkeys: sql<number>`(SELECT count(*) FROM ${passkeys} WHERE ${passkeys.userId} = ${userId})`,
        codes: sql<number>`(SELECT count(*) FROM ${mfaRecoveryCodes} WHERE ${mfaRecoveryCodes.userId} = ${userId} AND ${mfaRecoveryCodes.usedMs} IS NULL)`,
      })
      .from(sql`(SELECT 1)`)
      .get(),
  );
  return { totpActive: Number(row?.totp) > 0, passkeys: Number(row?.passkeys), recoveryCodesLeft: Number(row?.codes) };
}

/** True when the user must pass a second factor at login (TOTP confirmed, or a passkey). */
export function hasSecondFactor(state: MfaState): boolean {
  return state.totpActive || state.passkeys > 0;
}

export function findTotp(db: Database, userId: number) {
  return storeCall(() => db.select().from(mfaTotp).where(eq(mfaTotp.userId, userId)).get());
}

/** Stores a pending secret, replacing a pending one. False when TOTP is already active (nothing changed). */
export async function savePendingTotp(db: Database, userId: number, secretSealed: string, nowMs: number) {
  const result = await storeCall(() =>
    db
      .insert(mfaTotp)
      .values({ userId, secretSealed, createdMs: nowMs })
      .onConflictDoUpdate({
        target: mfaTotp.userId,
        set: { secretSealed, createdMs: nowMs, lastUsedStep: null },
        setWhere: isNull(mfaTotp.confirmedMs),
      })
      .run(),
  );
  return result.meta.changes > 0;
}

/**
 * The statement that revokes the user's tokens except `keepSessionId` (a factor changed: as a password change),
 * answering their digests for the auth core to forget from the session cache.
 */
export function revokeOtherSessions(db: Database, userId: number, keepSessionId: string, condition?: SQL) {
  return db
    .delete(tokens)
    .where(and(eq(tokens.userId, userId), ne(tokens.id, keepSessionId), condition))
    .returning({ keyDigest: tokens.keyDigest });
}

/** The digests in a revoking statement's result. */
export function revokedDigests(rows: readonly { keyDigest: string }[]): string[] {
  return rows.map((row) => row.keyDigest);
}

/** The insert of a set of recovery codes (digests), for a batch. */
function insertRecoveryCodes(db: Database, userId: number, digests: string[], nowMs: number) {
  return db.insert(mfaRecoveryCodes).values(digests.map((codeDigest) => ({ userId, codeDigest, createdMs: nowMs })));
}

/**
 * Activates the pending secret whose code of time step `step` was just checked, with a new set of recovery
 * codes, revoking the user's other tokens: answers their digests, or null when it was no longer pending (a
 * concurrent confirmation, or a replaced secret): then nothing changed.
 */
export async function confirmTotp(
  db: Database,
  userId: number,
  secretSealed: string,
  step: number,
  recoveryDigests: string[],
  nowMs: number,
  keepSessionId: string,
): Promise<string[] | null> {
  // A batch cannot branch: every statement after the first re-checks that this very call activated it.
  const activatedNow = sql`EXISTS (SELECT 1 FROM ${mfaTotp} WHERE ${mfaTotp.userId} = ${userId} AND ${mfaTotp.confirmedMs} = ${nowMs} AND ${mfaTotp.lastUsedStep} = ${step})`;
  const [activated, , , revoked] = await writeAtomically(db, [
    db
      .update(mfaTotp)
      .set({ confirmedMs: nowMs, lastUsedStep: step })
      .where(and(eq(mfaTotp.userId, userId), isNull(mfaTotp.confirmedMs), eq(mfaTotp.secretSealed, secretSealed))),
    db.delete(mfaRecoveryCodes).where(and(eq(mfaRecoveryCodes.userId, userId), activatedNow)),
    db.insert(mfaRecoveryCodes).select(
      db
        .select({
          id: sql<null>`NULL`.as("id"),
          userId: sql<number>`${userId}`.as("user_id"),
          codeDigest: sql<string>`value`.as("code_digest"),
          createdMs: sql<number>`${nowMs}`.as("created_ms"),
          usedMs: sql<null>`NULL`.as("used_ms"),
        })
        .from(sql`json_each(${JSON.stringify(recoveryDigests)})`)
        .where(activatedNow),
    ),
    // TOTP enabled: every other device signs in again, as after a password change.
    revokeOtherSessions(db, userId, keepSessionId, activatedNow),
  ]);
  return activated.meta.changes > 0 ? revokedDigests(revoked) : null;
}

/**
 * Spends time step `step` of the user's active TOTP: true only when it is later than the last step accepted,
 * so each code (and any earlier one) works once, even under concurrent requests.
 */
export async function spendTotpStep(db: Database, userId: number, step: number): Promise<boolean> {
  const result = await storeCall(() =>
    db
      .update(mfaTotp)
      .set({ lastUsedStep: step })
      .where(
        and(
          eq(mfaTotp.userId, userId),
          isNotNull(mfaTotp.confirmedMs),
          or(isNull(mfaTotp.lastUsedStep), lt(mfaTotp.lastUsedStep, step)),
        ),
      )
      .run(),
  );
  return result.meta.changes > 0;
}

/**
 * Removes the user's TOTP, and their recovery codes when no passkey remains (codes only back up a factor),
 * revoking the other tokens: answers their digests, or null when there was no active TOTP.
 */
export async function deleteTotp(db: Database, userId: number, keepSessionId: string): Promise<string[] | null> {
  const [deleted, , revoked] = await writeAtomically(db, [
    db.delete(mfaTotp).where(and(eq(mfaTotp.userId, userId), isNotNull(mfaTotp.confirmedMs))),
    deleteOrphanRecoveryCodes(db, userId),
    // TOTP disabled: every other device signs in again, as after a password change.
    revokeOtherSessions(db, userId, keepSessionId),
  ]);
  return deleted.meta.changes > 0 ? revokedDigests(revoked) : null;
}

/**
 * Replaces the user's recovery codes with a new set (the old ones die), revoking the other tokens: answers
 * their digests.
 */
export async function replaceRecoveryCodes(
  db: Database,
  userId: number,
  digests: string[],
  nowMs: number,
  keepSessionId: string,
): Promise<string[]> {
  const [, , revoked] = await writeAtomically(db, [
    db.delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, userId)),
    insertRecoveryCodes(db, userId, digests, nowMs),
    // New recovery codes: every other device signs in again, as after a password change.
    revokeOtherSessions(db, userId, keepSessionId),
  ]);
  return revokedDigests(revoked);
}

/** Spends an unused recovery code of the user. False when there is none with this digest. */
export async function spendRecoveryCode(db: Database, userId: number, digest: string, nowMs: number) {
  const result = await storeCall(() =>
    db
      .update(mfaRecoveryCodes)
      .set({ usedMs: nowMs })
      .where(
        and(
          eq(mfaRecoveryCodes.userId, userId),
          eq(mfaRecoveryCodes.codeDigest, digest),
          isNull(mfaRecoveryCodes.usedMs),
        ),
      )
      .run(),
  );
  return result.meta.changes > 0;
}

/** Removes recovery codes once the user has no factor left for them to back up (for a batch). */
export function deleteOrphanRecoveryCodes(db: Database, userId: number) {
  return db
    .delete(mfaRecoveryCodes)
    .where(
      and(
        eq(mfaRecoveryCodes.userId, userId),
        sql`NOT EXISTS (SELECT 1 FROM ${passkeys} WHERE ${passkeys.userId} = ${userId})`,
        sql`NOT EXISTS (SELECT 1 FROM ${mfaTotp} WHERE ${mfaTotp.userId} = ${userId} AND ${mfaTotp.confirmedMs} IS NOT NULL)`,
      ),
    );
}

export interface NewMfaLogin {
  tokenDigest: string;
  userId: number;
  account: string;
  client: string | null;
  createdMs: number;
  expiresMs: number;
}

export function insertMfaLogin(db: Database, login: NewMfaLogin) {
  return db.insert(mfaLogins).values(login);
}

/** The pending second step with this token digest, if it has not expired. */
export function findMfaLogin(db: Database, tokenDigest: string, nowMs: number) {
  return storeCall(() =>
    db
      .select()
      .from(mfaLogins)
      .where(and(eq(mfaLogins.tokenDigest, tokenDigest), gte(mfaLogins.expiresMs, nowMs)))
      .get(),
  );
}

/** Spends the second step's token: true for exactly one caller, and only before it expires. */
export async function consumeMfaLogin(db: Database, tokenDigest: string, nowMs: number): Promise<boolean> {
  const result = await storeCall(() =>
    db
      .delete(mfaLogins)
      .where(and(eq(mfaLogins.tokenDigest, tokenDigest), gte(mfaLogins.expiresMs, nowMs)))
      .run(),
  );
  return result.meta.changes > 0;
}

/** Keeps the WebAuthn challenge issued for this second step (replacing an earlier one). */
export async function setMfaLoginChallenge(db: Database, tokenDigest: string, challenge: string, nowMs: number) {
  const result = await storeCall(() =>
    db
      .update(mfaLogins)
      .set({ webauthnChallenge: challenge })
      .where(and(eq(mfaLogins.tokenDigest, tokenDigest), gte(mfaLogins.expiresMs, nowMs)))
      .run(),
  );
  return result.meta.changes > 0;
}

/**
 * Takes the WebAuthn challenge of a second step for one answer: true once per challenge (it is cleared), so an
 * assertion cannot be replayed against it, right or wrong.
 */
export async function spendMfaLoginChallenge(db: Database, tokenDigest: string, challenge: string, nowMs: number) {
  const result = await storeCall(() =>
    db
      .update(mfaLogins)
      .set({ webauthnChallenge: null })
      .where(
        and(
          eq(mfaLogins.tokenDigest, tokenDigest),
          eq(mfaLogins.webauthnChallenge, challenge),
          gte(mfaLogins.expiresMs, nowMs),
        ),
      )
      .run(),
  );
  return result.meta.changes > 0;
}

/**
 * Removes every second factor of the user (TOTP, passkeys, recovery codes, pending second steps and WebAuthn
 * challenges) and revokes all their tokens, in one batch: the operator's reset for a user locked out of their
 * factor. Returns how many passkeys and tokens went.
 */
export async function resetSecondFactors(db: Database, userId: number): Promise<{ passkeys: number; tokens: number }> {
  const [, removedPasskeys, , , , revoked] = await writeAtomically(db, [
    db.delete(mfaTotp).where(eq(mfaTotp.userId, userId)),
    db.delete(passkeys).where(eq(passkeys.userId, userId)).returning({ id: passkeys.id }),
    db.delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, userId)),
    db.delete(mfaLogins).where(eq(mfaLogins.userId, userId)),
    db.delete(webauthnChallenges).where(eq(webauthnChallenges.userId, userId)),
    // The factors changed: every device signs in again, with the password alone.
    db.delete(tokens).where(eq(tokens.userId, userId)).returning({ id: tokens.id }),
  ]);
  return { passkeys: removedPasskeys.length, tokens: revoked.length };
}
