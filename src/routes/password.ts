/**
 * `password/change/`, `password/reset/` and `password/reset/confirm/` (dj-rest-auth's views, Django's
 * SetPasswordForm rules). Every successful change revokes tokens in the same batch as the new hash.
 */
import { Hono } from "hono";
import { z } from "zod";
import { constantTimeEqual, sha256Hex } from "../auth/digest";
import { isExpired } from "../auth/expiry";
import { canonicalEmail } from "../auth/identity";
import { resetFingerprint } from "../auth/one-time-codes";
import { hashPassword, verifyPassword } from "../auth/password-hash";
import { type PasswordContext, validatePassword } from "../auth/password-validation";
import type { AppEnv } from "../context";
import { type FieldErrors, fieldErrors } from "../errors";
import { recordActivity } from "../http/activity";
import { readData } from "../http/body";
import { charField, emailField, orderErrors, parseFields, passwordField, requireValid } from "../http/fields";
import { refuseIfThrottled } from "../http/throttle";
import { authenticate } from "../middleware/authenticate";
import { findPasswordReset } from "../store/password-resets";
import { findUserByEmail, findUserById } from "../store/users";

export const passwordChangeFields = z.object({
  old_password: passwordField(),
  new_password1: passwordField(),
  new_password2: passwordField(),
});
export const passwordResetFields = z.object({ email: emailField() });
export const passwordResetConfirmFields = z.object({
  uid: charField(),
  token: charField(),
  new_password1: passwordField(),
  new_password2: passwordField(),
});

const WRONG_OLD_PASSWORD = "Your old password was entered incorrectly. Please enter it again.";
// Django's SetPasswordForm message, with its typographic apostrophe (U+2019).
const NEW_PASSWORD_MISMATCH = "The two password fields didn\u2019t match.";
const INVALID_VALUE = "Invalid value";

export const passwordRoutes = new Hono<AppEnv>();

passwordRoutes.use("/password/change", authenticate());
passwordRoutes.post("/password/change", async (c) => {
  const session = c.get("session");
  const { values, errors } = parseFields(passwordChangeFields, await readData(c, c.get("config").maxBodyBytes));
  const user = await findUserById(c.get("db"), session.user.id);
  if (!user) throw fieldErrors({ old_password: [WRONG_OLD_PASSWORD] });
  if (values.old_password !== undefined && !(await verifyPassword(values.old_password, user.passwordHash))) {
    errors.old_password = [WRONG_OLD_PASSWORD];
  }
  if (Object.keys(errors).length > 0) throw fieldErrors(orderErrors(errors, Object.keys(passwordChangeFields.shape)));
  const password = checkNewPassword(values.new_password1 ?? "", values.new_password2 ?? "", user);
  await c.get("auth").changePassword(user.id, await hashPassword(password), { except: session.sessionId });
  recordActivity(c, "password_changed", user.id);
  return c.json({ detail: "New password has been saved." });
});

passwordRoutes.post("/password/reset", async (c) => {
  const { email } = requireValid(parseFields(passwordResetFields, await readData(c, c.get("config").maxBodyBytes)));
  refuseIfThrottled(await c.get("auth").throttle.mailRequest(canonicalEmail(email), c.req.header("cf-connecting-ip")));
  const user = await findUserByEmail(c.get("db"), canonicalEmail(email));
  // Known or not, the answer and the work on the response path are the same: the throttle and one read. The code is
  // created and mailed after the response, so its timing reveals nothing either.
  if (user?.isActive && user.email && !user.passwordHash.startsWith("!")) {
    const { id, username, email: to, passwordHash } = user;
    c.get("auth").mailPasswordReset({ id, username, email: to, passwordHash });
  }
  return c.json({ detail: "Password reset e-mail has been sent." });
});

passwordRoutes.post("/password/reset/confirm", async (c) => {
  const data = await readData(c, c.get("config").maxBodyBytes);
  const values = requireValid(parseFields(passwordResetConfirmFields, data));
  const found = await findPasswordReset(c.get("db"), values.uid);
  if (!found) throw fieldErrors({ uid: [INVALID_VALUE] });
  const { reset, user } = found;
  const codeMatches = constantTimeEqual(sha256Hex(values.token), reset.codeDigest);
  const stillValid =
    reset.usedMs === null &&
    // The deadline set at issue, and PASSWORD_RESET_TIMEOUT read now as Django does: shortening it kills
    // older codes at once.
    c.get("now") <= reset.expiresMs &&
    !isExpired(reset.createdMs, c.get("config").passwordResetTimeoutSeconds, c.get("now")) &&
    user.isActive &&
    constantTimeEqual(resetFingerprint(user.passwordHash, user.email), reset.fingerprint);
  if (!codeMatches || !stillValid) throw fieldErrors({ token: [INVALID_VALUE] });

  const password = checkNewPassword(values.new_password1, values.new_password2, user);
  const consumed = await c.get("auth").resetPassword(reset.id, user.id, await hashPassword(password));
  if (!consumed) throw fieldErrors({ token: [INVALID_VALUE] });
  recordActivity(c, "password_reset", user.id);
  return c.json({ detail: "Password has been reset with the new password." });
});

/** Django's SetPasswordForm.clean_new_password2: the two must match, then the validators run. */
function checkNewPassword(password1: string, password2: string, user: PasswordContext): string {
  const errors: FieldErrors = {};
  if (password1 !== password2) errors.new_password2 = [NEW_PASSWORD_MISMATCH];
  else {
    const weaknesses = validatePassword(password2, user);
    if (weaknesses.length > 0) errors.new_password2 = weaknesses;
  }
  if (errors.new_password2) throw fieldErrors(errors);
  return password2;
}
