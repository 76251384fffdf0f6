/**
 * The auth core: one object per request (`c.get("auth")`), built from the database, the configuration, the
 * request's clock reading, the session cache and a background runner (Lucia v3's core is the model). It is
 * the only code that writes token rows, and so the only code that evicts the session cache: every
 * revocation goes through a method here, which deletes the rows and forgets their digests in every cache
 * layer. Routes are HTTP adapters around it; the policy it applies (expiry, key format, rate limits) is pure
 * and lives in src/auth/.
 */
import type { BatchItem } from "drizzle-orm/batch";
import { isSessionExpired, isUseDueForRecording, lastUsedResolutionMs } from "../auth/expiry";
import { generateKey, generateSessionId, isWellFormedKey, keyDigest } from "../auth/token-key";
import type { Config } from "../config";
import type { UserRow } from "../db/schema";
import type { Mailer, MailLinks } from "../mail/mailer";
import { type Database, isUniqueViolation, writeAtomically } from "../store/db";
import { changePassword, consumePasswordReset } from "../store/password-resets";
import {
  type AuthenticatedSession,
  deleteSessionByDigest,
  deleteUserSession,
  deleteUserSessions,
  evictLeastRecentlyUsed,
  findSessionByDigest,
  findSessionNearby,
  insertSession,
  insertSessionForUsername,
  listUserSessions,
  type NewSession,
  touchSession,
} from "../store/tokens";
import { insertUser, type NewUser, type ProfileChanges, recordLogin, updateProfile } from "../store/users";
import type { BackgroundTasks } from "./background";
import { sendEmailVerification, sendPasswordReset } from "./mail-codes";
import type { SessionCache } from "./session-cache";
import { type LoginReservation, Throttles } from "./throttle";

export interface AuthCoreDeps {
  db: Database;
  /** The D1 binding itself, for `D1_READ_REPLICAS` (its Sessions API); without it token checks read `db`. */
  d1?: D1Database;
  config: Config;
  /** The request's clock reading (ms since the epoch): every expiry and window is measured against it. */
  nowMs: number;
  cache: SessionCache;
  background: BackgroundTasks;
  /** Keeps the Worker alive for a promise (the cache's slower layers); without it the core awaits the promise. */
  waitUntil?: (promise: Promise<unknown>) => void;
  mailer: Mailer;
  links: MailLinks;
}

/** How a key fared: only `valid` carries a session. */
export type Authentication =
  | { outcome: "valid"; session: AuthenticatedSession }
  | { outcome: "invalid" | "inactive" | "expired" };

/** What a login records about the device it signs in (the request's, read by src/http/device.ts). */
export type Device = Omit<NewSession, "id" | "keyDigest" | "createdMs">;

export interface IssuedSession {
  /** The key, for the client's eyes only. */
  key: string;
  /** The row stored for it (with the key's digest only). */
  session: NewSession;
}

/** Writes of the same sign-in that join its batch. */
type Statements = readonly BatchItem<"sqlite">[];

type CreatedAccount = { user: UserRow; issued: IssuedSession | null } | { taken: "username" | "email" };

export class AuthCore {
  readonly throttle: Throttles;
  /** The request's runner for work after the response (activity records, notices). */
  readonly background: BackgroundTasks;
  /** The configured mail transport (call from background work). */
  readonly mailer: Mailer;

  constructor(private readonly deps: AuthCoreDeps) {
    this.throttle = new Throttles(deps.db, deps.config, deps.nowMs);
    this.background = deps.background;
    this.mailer = deps.mailer;
  }

  /**
   * Checks a key and its token's age against the TTLs read from the configuration now (shortening one
   * expires older tokens at once). A storage failure throws (503): it never lets a request through.
   */
  async authenticate(key: string): Promise<Authentication> {
    // A key we cannot have issued is answered without a database query.
    if (!isWellFormedKey(key)) return { outcome: "invalid" };
    const { db, config, nowMs, cache } = this.deps;
    const digest = keyDigest(key);
    const cached = await cache.get(digest, nowMs);
    // A cached session is only trusted while it is still valid; any doubt goes to D1.
    if (cached && !isSessionExpired(config.expiry, cached, nowMs)) return this.accept(cached);
    const { d1, waitUntil } = this.deps;
    const session = await (config.d1ReadReplicas && d1
      ? findSessionNearby(d1, digest)
      : findSessionByDigest(db, digest));
    if (!session) return { outcome: "invalid" };
    if (!session.user.isActive) return { outcome: "inactive" };
    if (isSessionExpired(config.expiry, session, nowMs)) return { outcome: "expired" };
    // The isolate's layer is filled at once; the data centre's write finishes after the response.
    const stored = cache.put(digest, session, nowMs);
    if (waitUntil) waitUntil(stored);
    else await stored;
    return this.accept(session);
  }

  /**
   * Records the use after the response, at most once per resolution (min(60 s, half of `TOKEN_IDLE_TTL`)) per
   * token: an authenticated request stays one read, and a token in use never idle-expires.
   */
  private accept(session: AuthenticatedSession): Authentication {
    const { db, config, nowMs, background } = this.deps;
    const resolutionMs = lastUsedResolutionMs(config.expiry.idleTtlSeconds);
    if (isUseDueForRecording(session.lastUsedMs ?? session.createdMs, nowMs, resolutionMs)) {
      // Keeps a cached copy current too, so the next requests do not stamp again.
      session.lastUsedMs = nowMs;
      background("last_used stamp", () => touchSession(db, session.sessionId, nowMs, nowMs - resolutionMs));
    }
    return { outcome: "valid", session };
  }

  /**
   * Signs a device of `userId` in after a successful login: the new token, the login stamp (and the upgraded
   * password hash, if any), the settling of its throttle reservation and, under `MAX_TOKENS_PER_USER`, the
   * eviction of the least recently used tokens, all in one batch (so concurrent logins cannot overshoot).
   * `extra`: more writes of the same sign-in for that batch (a provider's identity linked or touched).
   */
  async issue(
    userId: number,
    device: Device,
    login: { reservation: LoginReservation; upgradedHash?: string; extra?: Statements },
  ): Promise<IssuedSession> {
    const { db, config, nowMs, cache } = this.deps;
    const issued = this.newSession(device);
    const cap = config.maxTokensPerUser;
    const results = await writeAtomically(db, [
      insertSession(db, userId, issued.session),
      recordLogin(db, userId, nowMs, login.upgradedHash),
      ...(cap === null ? [] : [evictLeastRecentlyUsed(db, userId, cap, issued.session.id)]),
      ...this.throttle.settleLogin(login.reservation),
      ...(login.extra ?? []),
    ]);
    if (cap !== null) {
      // The eviction is the batch's third statement (after the insert and the login stamp).
      const evicted = results[2] as { keyDigest: string }[];
      await cache.forget(evicted.map((row) => row.keyDigest));
    }
    return issued;
  }

  /**
   * Creates an account and, given a `device`, signs it in, atomically. Answers which identifier another
   * registration took between the caller's check and this insert, if one did. `extra`: more writes of the
   * same sign-up for that batch (a provider's identity, the throttle's settlement); nothing is half-created.
   */
  async createAccount(user: NewUser, device: Device | null, extra: Statements = []): Promise<CreatedAccount> {
    const { db } = this.deps;
    const issued = device ? this.newSession(device) : null;
    try {
      const [[created]] = await writeAtomically(db, [
        insertUser(db, user),
        ...(issued ? [insertSessionForUsername(db, user.usernameCanonical, issued.session)] : []),
        ...extra,
      ]);
      if (!created) throw new Error("registration batch returned no user");
      return { user: created, issued };
    } catch (error) {
      if (isUniqueViolation(error, "users.username_canonical")) return { taken: "username" };
      if (isUniqueViolation(error, "users.email_canonical")) return { taken: "email" };
      throw error;
    }
  }

  /** The user's unexpired sessions, most recently used first. */
  async listSessions(userId: number) {
    const { db, config, nowMs } = this.deps;
    const rows = await listUserSessions(db, userId);
    return rows.filter((row) => !isSessionExpired(config.expiry, row, nowMs));
  }

  /** Revokes the token with this digest, whatever its state (logout). */
  async revoke(digest: string): Promise<void> {
    await deleteSessionByDigest(this.deps.db, digest);
    await this.deps.cache.forget([digest]);
  }

  /** Revokes one session of a user by its public id; false when the user has no such session. */
  async revokeSession(userId: number, sessionId: string): Promise<boolean> {
    const digest = await deleteUserSession(this.deps.db, userId, sessionId);
    if (digest === undefined) return false;
    await this.deps.cache.forget([digest]);
    return true;
  }

  /** Revokes every token of a user but the session `except` (log out everywhere). */
  async revokeUser(userId: number, { except }: { except?: string } = {}): Promise<void> {
    const { db, cache } = this.deps;
    const [revoked] = await writeAtomically(db, [deleteUserSessions(db, userId, except)]);
    await cache.forgetUser(
      userId,
      revoked.map((row) => row.keyDigest),
    );
  }

  /** Sets a new password hash; credentials changed, so every other device (all but `except`) is signed out. */
  async changePassword(userId: number, passwordHash: string, { except }: { except: string }): Promise<void> {
    const digests = await changePassword(this.deps.db, userId, passwordHash, except);
    // Also the session kept (it is read again from D1): a token deleted elsewhere and still cached here goes too.
    await this.deps.cache.forgetUser(userId, digests);
  }

  /**
   * Spends the reset code `resetId` and sets the new password hash, signing every device out. False when the
   * code was spent meanwhile (by a concurrent confirmation).
   */
  async resetPassword(resetId: string, userId: number, passwordHash: string): Promise<boolean> {
    const digests = await consumePasswordReset(this.deps.db, resetId, userId, passwordHash, this.deps.nowMs);
    if (digests === null) return false;
    await this.deps.cache.forgetUser(userId, digests);
    return true;
  }

  /**
   * Drops from the session cache the tokens of `userId` that a second factor's batch has just revoked (a
   * factor added or removed revokes the user's other tokens with the factor's own rows, atomically): `digests`
   * are what its delete returned.
   */
  async forgetRevoked(userId: number, digests: readonly string[]): Promise<void> {
    await this.deps.cache.forgetUser(userId, digests);
  }

  /**
   * Applies profile changes (see `updateProfile`); cached sessions carry the user's details, so they are
   * dropped and every request sees the change.
   */
  async updateProfile(userId: number, changes: ProfileChanges) {
    const { row, digests } = await updateProfile(this.deps.db, userId, changes);
    await this.deps.cache.forgetUser(userId, digests);
    return row;
  }

  /** Creates an e-mail verification key for the account's address and mails it, after the response. */
  mailEmailVerification(user: { id: number; username: string; email: string }): void {
    sendEmailVerification(this.deps, user);
  }

  /** Creates a password-reset code for the account and mails it, after the response. */
  mailPasswordReset(user: { id: number; username: string; email: string; passwordHash: string }): void {
    sendPasswordReset(this.deps, user);
  }

  /** A fresh key for this device, stamped now. */
  private newSession(device: Device): IssuedSession {
    const key = generateKey();
    return {
      key,
      session: { id: generateSessionId(), keyDigest: keyDigest(key), createdMs: this.deps.nowMs, ...device },
    };
  }
}
