/** `login/`, `logout/` and `logoutall/`: issuing and revoking device sessions. */
import { Hono } from "hono";
import { z } from "zod";
import { canonicalEmail, canonicalUsername } from "../auth/identity";
import { hashPassword, isLegacyHash, needsRehash, verifyAgainstDummy, verifyPassword } from "../auth/password-hash";
import { isWellFormedKey, keyDigest } from "../auth/token-key";
import type { AppEnv } from "../context";
import { nonFieldError } from "../errors";
import { recordActivity, recordActivityOfKey, recordSignIn } from "../http/activity";
import { readData } from "../http/body";
import { charField, clientNameField, emailField, parseFields, passwordField, requireValid } from "../http/fields";
import { loginBuckets, releaseLoginAttempt, reserveLoginAttempt, settleSuccessfulLogin } from "../http/throttle";
import { authenticate, enforceCsrf, enforceLoginCsrf, requestCredential } from "../middleware/authenticate";
import { markAuth } from "../observability/middleware";
import { writeAtomically } from "../store/db";
import {
  deleteSessionByDigest,
  deleteUserSessions,
  digestsOf,
  evictLeastRecentlyUsed,
  insertSession,
} from "../store/tokens";
import { findUserForLogin, recordLogin } from "../store/users";
import { startSecondStep } from "./login-mfa";
import { clearAuthCookie, newSession, tokenResponse } from "./session-token";

export const loginFields = z.object({
  username: charField({ allowBlank: true }).optional(),
  email: emailField({ allowBlank: true }).optional(),
  password: passwordField(),
  /** The device's name for itself ("web", "ios"); per-client TTLs key on it. */
  client: clientNameField(),
});

const BAD_CREDENTIALS = "Unable to log in with provided credentials.";

export const loginRoutes = new Hono<AppEnv>();

// Login ignores any token the request carries: a stale one must not stop a fresh sign-in.
loginRoutes.post("/login", async (c) => {
  // Before the body is read: a cross-site page must not sign the browser into an account of its choosing.
  enforceLoginCsrf(c);
  const data = await readData(c, c.get("config").maxBodyBytes);
  const { username, email, password, client } = requireValid(parseFields(loginFields, data));
  if (!email && !username) throw nonFieldError('Must include either "username" or "email" and "password".');

  const db = c.get("db");
  const account = email ? canonicalEmail(email) : canonicalUsername(username ?? "");
  const user = await findUserForLogin(db, email ? { email: account } : { username: account });
  const buckets = loginBuckets(c, account, user !== undefined && isLegacyHash(user.passwordHash));
  // Counted before the password is checked, so parallel attempts cannot all pass the limit.
  const reservation = await reserveLoginAttempt(c, buckets);
  // An unknown account costs the same hashing work as a wrong password: no enumeration by timing.
  const passwordMatches = user ? await verifyPassword(password, user.passwordHash) : await verifyAgainstDummy(password);
  // A failure keeps its reservation: that is its count.
  if (!user || !passwordMatches || !user.isActive) {
    markAuth(c, "login_failed");
    if (user) recordActivity(c, "login_failed", user.id);
    throw nonFieldError(BAD_CREDENTIALS);
  }
  // Said only to someone who proved the password, so it reveals nothing about the account; no failure either.
  if (c.get("config").emailVerification === "mandatory" && !user.emailVerified) {
    const [release, ...more] = releaseLoginAttempt(c, reservation);
    if (release) await writeAtomically(db, [release, ...more]);
    throw nonFieldError("E-mail is not verified.");
  }
  // A second factor active: no key yet, only the ticket to `login/mfa/`. The password was right: its place in
  // the failure counts is given back (the second step's wrong codes count on their own).
  const secondStep = await startSecondStep(c, user, account, client || null, password);
  if (secondStep) {
    const [release, ...more] = releaseLoginAttempt(c, reservation);
    if (release) await writeAtomically(db, [release, ...more]);
    return secondStep;
  }

  const upgradedHash = needsRehash(user.passwordHash) ? await hashPassword(password) : undefined;
  const issued = await newSession(c, client || null);
  const cap = c.get("config").maxTokensPerUser;
  const results = await writeAtomically(db, [
    insertSession(db, user.id, issued.session),
    recordLogin(db, user.id, c.get("now"), upgradedHash),
    ...(cap === null ? [] : [evictLeastRecentlyUsed(db, user.id, cap, issued.session.id)]),
    ...settleSuccessfulLogin(c, reservation),
  ]);
  // The eviction, when there is one, is the third statement; it returns the digests it revoked.
  if (cap !== null) await c.get("sessionCache").forget(digestsOf(results[2] as { keyDigest: string }[]));
  recordSignIn(c, user, issued.session);
  markAuth(c, "login_ok", user.id);
  return tokenResponse(c, issued, user);
});

// Revokes only the presented token (other devices stay signed in). Always 200, as dj-rest-auth: also
// without a token or with an unknown or expired one, which is deleted all the same.
loginRoutes.post("/logout", async (c) => {
  const credential = requestCredential(c);
  if (credential.kind === "key") {
    enforceCsrf(c, credential);
    if (isWellFormedKey(credential.key)) {
      const digest = keyDigest(credential.key);
      await recordActivityOfKey(c, "logout", digest);
      await deleteSessionByDigest(c.get("db"), digest);
      await c.get("sessionCache").forget([digest]);
    }
  }
  clearAuthCookie(c);
  return c.json({ detail: "Successfully logged out." });
});

loginRoutes.use("/logoutall", authenticate());
loginRoutes.post("/logoutall", async (c) => {
  const revoked = await deleteUserSessions(c.get("db"), c.get("session").user.id);
  await c.get("sessionCache").forgetUser(c.get("session").user.id, revoked);
  recordActivity(c, "logout_all", c.get("session").user.id);
  clearAuthCookie(c);
  return c.body(null, 204);
});
