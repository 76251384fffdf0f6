import type { BatchItem } from "drizzle-orm/batch";
/**
 * The second step of a login. With a factor active, a correct password earns a single-use `mfa_token`
 * (5 minutes) instead of a key; `login/mfa/` exchanges it, with a TOTP code, a recovery code or a passkey
 * assertion (options from `login/mfa/webauthn/options/`), for the login body. Wrong codes count as failed
 * logins against the same throttles as the password did.
 */

import type { Context } from "hono";
import { Hono } from "hono";
import { z } from "zod";
import { sha256Hex } from "../auth/digest";
import { generateSecret } from "../auth/one-time-codes";
import { hashPassword, needsRehash } from "../auth/password-hash";
import type { AppEnv } from "../context";
import type { UserRow } from "../db/schema";
import { type FieldErrors, fieldErrors, nonFieldError } from "../errors";
import { recordSignIn } from "../http/activity";
import { readData } from "../http/body";
import { charField, parseFields, requireValid } from "../http/fields";
import {
  type LoginReservation,
  loginBuckets,
  releaseLoginAttempt,
  reserveLoginAttempt,
  settleSuccessfulLogin,
} from "../http/throttle";
import { enforceLoginCsrf } from "../middleware/authenticate";
import { writeAtomically } from "../store/db";
import {
  consumeMfaLogin,
  findMfaLogin,
  hasSecondFactor,
  insertMfaLogin,
  readMfaState,
  setMfaLoginChallenge,
  spendMfaLoginChallenge,
} from "../store/mfa";
import { findPasskeyByCredentialId, listPasskeys } from "../store/passkeys";
import { digestsOf, evictLeastRecentlyUsed, insertSession } from "../store/tokens";
import { findUserById, recordLogin, replacePasswordHash } from "../store/users";
import { acceptRecoveryCode, acceptTotpCode, INVALID_CODE, isTotpShaped } from "./second-factor";
import { newSession, tokenResponse } from "./session-token";
import { acceptAssertion, type CredentialJson, credentialField, INVALID_CREDENTIAL, requestOptions } from "./webauthn";

/** How long the second step may take (allauth's login stage timeout is of the same order). */
const MFA_TOKEN_TTL_SECONDS = 5 * 60;
const INVALID_VALUE = "Invalid value";

export const loginMfaFields = z.object({
  mfa_token: charField({ maxLength: 64 }),
  code: charField({ maxLength: 64 }).optional(),
  webauthn: credentialField().optional(),
});
export const loginMfaOptionsFields = z.object({ mfa_token: charField({ maxLength: 64 }) });

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

export const loginMfaRoutes = new Hono<AppEnv>();

loginMfaRoutes.post("/login/mfa", async (c) => {
  // It sets the auth cookie: the login-CSRF rule of login/.
  enforceLoginCsrf(c);
  const data = await readData(c, c.get("config").maxBodyBytes);
  const { mfa_token, code, webauthn } = requireValid(parseFields(loginMfaFields, data));
  const db = c.get("db");
  const tokenDigest = sha256Hex(mfa_token);
  const pending = await findMfaLogin(db, tokenDigest, c.get("now"));
  if (!pending) throw fieldErrors({ mfa_token: [INVALID_VALUE] });
  if (code === undefined && webauthn === undefined) throw nonFieldError('Must include either "code" or "webauthn".');
  const user = await findUserById(db, pending.userId);
  if (!user?.isActive) throw fieldErrors({ mfa_token: [INVALID_VALUE] });
  // Counted before the code is checked, as login/ counts passwords: a wrong code keeps its place.
  const reservation = await reserveLoginAttempt(c, loginBuckets(c, pending.account, false));

  let failure: FieldErrors | null = null;
  if (code !== undefined) {
    const accepted = isTotpShaped(code) ? acceptTotpCode(c, user.id, code) : acceptRecoveryCode(c, user.id, code);
    if (!(await accepted)) failure = { code: [INVALID_CODE] };
  } else if (webauthn !== undefined && !(await acceptSecondStepPasskey(c, pending, webauthn))) {
    failure = { webauthn: [INVALID_CREDENTIAL] };
  }
  if (failure) throw fieldErrors(failure);
  // Single use: of two requests racing with good codes, one signs in (the other's place is given back).
  if (!(await consumeMfaLogin(db, tokenDigest, c.get("now")))) {
    const [release, ...more] = releaseLoginAttempt(c, reservation);
    if (release) await writeAtomically(db, [release, ...more]);
    throw fieldErrors({ mfa_token: [INVALID_VALUE] });
  }
  return issueLoginSession(c, user, pending.client, reservation);
});

loginMfaRoutes.post("/login/mfa/webauthn/options", async (c) => {
  const data = await readData(c, c.get("config").maxBodyBytes);
  const { mfa_token } = requireValid(parseFields(loginMfaOptionsFields, data));
  const db = c.get("db");
  const tokenDigest = sha256Hex(mfa_token);
  const pending = await findMfaLogin(db, tokenDigest, c.get("now"));
  if (!pending) throw fieldErrors({ mfa_token: [INVALID_VALUE] });
  const allowed = await listPasskeys(db, pending.userId);
  if (allowed.length === 0) throw nonFieldError("This account has no passkey.");
  const { options } = await requestOptions(c, allowed);
  // The challenge lives as long as the second step itself (5 minutes), and is replaced by a newer one.
  if (!(await setMfaLoginChallenge(db, tokenDigest, options.challenge, c.get("now"))))
    throw fieldErrors({ mfa_token: [INVALID_VALUE] });
  return c.json(options);
});

/** A passkey of the user answering this second step's challenge, spent whatever the outcome. */
async function acceptSecondStepPasskey(
  c: Context<AppEnv>,
  pending: { tokenDigest: string; userId: number; webauthnChallenge: string | null },
  credential: CredentialJson,
): Promise<boolean> {
  const challenge = pending.webauthnChallenge;
  if (!challenge) return false;
  if (!(await spendMfaLoginChallenge(c.get("db"), pending.tokenDigest, challenge, c.get("now")))) return false;
  const passkey = await findPasskeyByCredentialId(c.get("db"), credential.id);
  if (passkey?.userId !== pending.userId) return false;
  return acceptAssertion(c, credential, challenge, passkey);
}

/** Signs the device in as `login/` does once the password alone suffices (same batch, same answer). */
export async function issueLoginSession(
  c: Context<AppEnv>,
  user: UserRow,
  client: string | null,
  reservation: LoginReservation,
) {
  const db = c.get("db");
  const issued = await newSession(c, client);
  const cap = c.get("config").maxTokensPerUser;
  const results = await writeAtomically(db, [
    insertSession(db, user.id, issued.session),
    recordLogin(db, user.id, c.get("now")),
    ...(cap === null ? [] : [evictLeastRecentlyUsed(db, user.id, cap, issued.session.id)]),
    ...settleSuccessfulLogin(c, reservation),
  ]);
  // The eviction, when there is one, is the third statement; it returns the digests it revoked.
  if (cap !== null) await c.get("sessionCache").forget(digestsOf(results[2] as { keyDigest: string }[]));
  recordSignIn(c, user, issued.session);
  return tokenResponse(c, issued, user);
}
