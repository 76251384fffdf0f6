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
import { deviceOf } from "../http/device";
import { charField, clientNameField, emailField, parseFields, passwordField, requireValid } from "../http/fields";
import { clearedAuthCookie, tokenAnswer } from "../http/session-token";
import { refuseIfThrottled } from "../http/throttle";
import { startSecondStep } from "../mfa/second-step";
import { authenticate, enforceCsrf, enforceLoginCsrf, requestCredential } from "../middleware/authenticate";
import { markAuth } from "../observability/middleware";
import { findUserForLogin } from "../store/users";

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

  const auth = c.get("auth");
  const account = email ? canonicalEmail(email) : canonicalUsername(username ?? "");
  const user = await findUserForLogin(c.get("db"), email ? { email: account } : { username: account });
  const onLegacyHash = user !== undefined && isLegacyHash(user.passwordHash);
  // Counted before the password is checked, so parallel attempts cannot all pass the limit.
  const reservation = await auth.throttle.reserveLogin(account, onLegacyHash, c.req.header("cf-connecting-ip"));
  refuseIfThrottled(reservation);
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
    await auth.throttle.releaseLogin(reservation);
    throw nonFieldError("E-mail is not verified.");
  }
  // A second factor active: no key yet, only the ticket to `login/mfa/`. The password was right: its place in
  // the failure counts is given back (the second step's wrong codes count on their own).
  const secondStep = await startSecondStep(c, user, account, client || null, password);
  if (secondStep) {
    await auth.throttle.releaseLogin(reservation);
    return secondStep;
  }

  const upgradedHash = needsRehash(user.passwordHash) ? await hashPassword(password) : undefined;
  const issued = await auth.issue(user.id, deviceOf(c.req.raw, client || null), { reservation, upgradedHash });
  recordSignIn(c, user, issued.session);
  markAuth(c, "login_ok", user.id);
  const { config } = c.var;
  const { body, setCookie } = tokenAnswer(issued, user, config.expiry, config.authCookieName);
  c.header("Set-Cookie", setCookie, { append: true });
  return c.json(body);
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
      await c.get("auth").revoke(digest);
    }
  }
  c.header("Set-Cookie", clearedAuthCookie(c.get("config").authCookieName), { append: true });
  return c.json({ detail: "Successfully logged out." });
});

loginRoutes.use("/logoutall", authenticate());
loginRoutes.post("/logoutall", async (c) => {
  await c.get("auth").revokeUser(c.get("session").user.id);
  recordActivity(c, "logout_all", c.get("session").user.id);
  c.header("Set-Cookie", clearedAuthCookie(c.get("config").authCookieName), { append: true });
  return c.body(null, 204);
});
