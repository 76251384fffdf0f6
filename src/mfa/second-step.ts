/**
 * The two ends of a login's second step, shared by the routes that sign a device in: starting it after a
 * correct password (login/), and issuing the session once every factor is proven (login/mfa/, and
 * passkeys/login/, where a passkey is both factors at once).
 */
import type { BatchItem } from "drizzle-orm/batch";
import type { Context } from "hono";
import { sha256Hex } from "../auth/digest";
import { generateSecret } from "../auth/one-time-codes";
import { hashPassword, needsRehash } from "../auth/password-hash";
import type { AppEnv } from "../context";
import type { LoginReservation } from "../core/throttle";
import type { UserRow } from "../db/schema";
import { recordSignIn } from "../http/activity";
import { deviceOf } from "../http/device";
import { tokenAnswer } from "../http/session-token";
import { writeAtomically } from "../store/db";
import { hasSecondFactor, insertMfaLogin, readMfaState } from "../store/mfa";
import { replacePasswordHash } from "../store/users";

/** How long the second step may take (allauth's login stage timeout is of the same order). */
const MFA_TOKEN_TTL_SECONDS = 5 * 60;

/**
 * When `user` has a second factor: stores a pending second step and answers `mfa_required` (no key, no cookie).
 * Null when the user has none, and the login goes on unchanged. `account` is the throttle key the login
 * counted against, kept so that wrong codes count there too.
 */
export async function startSecondStep(
  c: Context<AppEnv>,
  user: UserRow,
  account: string,
  client: string | null,
  password: string,
): Promise<Response | null> {
  const db = c.get("db");
  if (!hasSecondFactor(await readMfaState(db, user.id))) return null;
  // The password was proven here, and is not sent again: an outdated hash is upgraded now.
  const upgradedHash = needsRehash(user.passwordHash) ? await hashPassword(password) : undefined;
  const second = await beginSecondStep(c, user.id, account, client, [
    ...(upgradedHash ? [replacePasswordHash(db, user.id, upgradedHash)] : []),
  ]);
  return second && c.json({ mfa_required: true, ...second });
}

/** What a first step hands the client when a second factor must follow: the single-use ticket and the methods. */
export interface SecondStep {
  mfa_token: string;
  methods: string[];
}

/**
 * Starts the second step for a user who has a second factor (null when they have none): a single-use
 * `mfa_token` living 5 minutes, stored as its digest in one batch with `extra` statements of the first step.
 * Every first step (a password, a provider's sign-in) passes here, so none can skip the second factor.
 */
export async function beginSecondStep(
  c: Context<AppEnv>,
  userId: number,
  account: string,
  client: string | null,
  extra: readonly BatchItem<"sqlite">[],
): Promise<SecondStep | null> {
  const db = c.get("db");
  const state = await readMfaState(db, userId);
  if (!hasSecondFactor(state)) return null;
  const token = generateSecret();
  const now = c.get("now");
  await writeAtomically(db, [
    insertMfaLogin(db, {
      tokenDigest: sha256Hex(token),
      userId,
      account,
      client,
      createdMs: now,
      expiresMs: now + MFA_TOKEN_TTL_SECONDS * 1000,
    }),
    ...extra,
  ]);
  const methods = [
    ...(state.totpActive ? ["totp"] : []),
    ...(state.passkeys > 0 ? ["webauthn"] : []),
    ...(state.recoveryCodesLeft > 0 ? ["recovery_code"] : []),
  ];
  return { mfa_token: token, methods };
}

/** Signs the device in as `login/` does once the password alone suffices (same batch, same answer). */
export async function issueLoginSession(
  c: Context<AppEnv>,
  user: UserRow,
  client: string | null,
  reservation: LoginReservation,
) {
  const issued = await c.get("auth").issue(user.id, deviceOf(c.req.raw, client), { reservation });
  recordSignIn(c, user, issued.session);
  const { config } = c.var;
  const { body, setCookie } = tokenAnswer(issued, user, config.expiry, config.authCookieName);
  c.header("Set-Cookie", setCookie, { append: true });
  return c.json(body);
}
