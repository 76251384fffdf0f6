/** `registration/`: creates an account and signs its first device in, atomically. */
import { Hono } from "hono";
import { z } from "zod";
import {
  canonicalEmail,
  canonicalUsername,
  EMAIL_MAX_LENGTH,
  EMAIL_TAKEN,
  INVALID_USERNAME,
  isValidUsername,
  normalizeEmail,
  normalizeUsername,
  USERNAME_MAX_LENGTH,
  USERNAME_TAKEN,
} from "../auth/identity";
import { hashPassword } from "../auth/password-hash";
import { validatePassword } from "../auth/password-validation";
import type { AppEnv } from "../context";
import { fieldErrors, nonFieldError } from "../errors";
import { recordSignIn } from "../http/activity";
import { readData } from "../http/body";
import { deviceOf } from "../http/device";
import { charField, clientNameField, emailField, orderErrors, parseFields, passwordField } from "../http/fields";
import { tokenAnswer } from "../http/session-token";
import { refuseIfThrottled } from "../http/throttle";
import { enforceLoginCsrf } from "../middleware/authenticate";
import { findTakenIdentifiers } from "../store/users";

export const registrationFields = z.object({
  username: charField({ maxLength: USERNAME_MAX_LENGTH }),
  email: emailField({ allowBlank: true, maxLength: EMAIL_MAX_LENGTH }).optional(),
  password1: passwordField(),
  password2: passwordField(),
  client: clientNameField(),
});

/** Under mandatory verification the address is required: it is where the account is proven. */
const mandatoryVerificationRegistrationFields = registrationFields.extend({
  email: emailField({ maxLength: EMAIL_MAX_LENGTH }),
});

const FIELD_ORDER = Object.keys(registrationFields.shape);
const PASSWORD_MISMATCH = "The two password fields didn't match.";

export const registrationRoutes = new Hono<AppEnv>();

registrationRoutes.post("/registration", async (c) => {
  // Registration signs the browser in too (the cookie): the same login-CSRF rule as login.
  enforceLoginCsrf(c);
  const db = c.get("db");
  const mode = c.get("config").emailVerification;
  // Before the body, as DRF checks its throttles: a refused request costs no parsing and no hashing.
  refuseIfThrottled(await c.get("auth").throttle.registration(c.req.header("cf-connecting-ip")));
  const schema = mode === "mandatory" ? mandatoryVerificationRegistrationFields : registrationFields;
  const { values, errors } = parseFields(schema, await readData(c, c.get("config").maxBodyBytes));

  // Field-level checks that need more than the value itself, on the fields that passed the basic ones.
  const username = values.username === undefined ? undefined : normalizeUsername(values.username);
  if (username !== undefined && !isValidUsername(username)) errors.username = [INVALID_USERNAME];
  const email = values.email ? normalizeEmail(values.email) : null;
  const taken = await findTakenIdentifiers(db, {
    usernameCanonical: username === undefined || errors.username ? undefined : canonicalUsername(username),
    emailCanonical: email ? canonicalEmail(email) : null,
  });
  if (taken.username) errors.username = [USERNAME_TAKEN];
  if (taken.email) errors.email = [EMAIL_TAKEN];
  if (values.password1 !== undefined) {
    const weaknesses = validatePassword(values.password1, { username, email });
    if (weaknesses.length > 0) errors.password1 = weaknesses;
  }
  if (Object.keys(errors).length > 0) throw fieldErrors(orderErrors(errors, FIELD_ORDER));
  if (username === undefined || values.password1 === undefined) throw new Error("validated fields missing");
  if (values.password1 !== values.password2) throw nonFieldError(PASSWORD_MISMATCH);

  const usernameCanonical = canonicalUsername(username);
  const newUser = {
    username,
    usernameCanonical,
    email,
    emailCanonical: email ? canonicalEmail(email) : null,
    passwordHash: await hashPassword(values.password1),
    dateJoinedMs: c.get("now"),
  };
  // Under mandatory verification no token is issued until the address is proven.
  const device = mode === "mandatory" ? null : deviceOf(c.req.raw, values.client || null);
  const account = await c.get("auth").createAccount(newUser, device);
  // Another registration took the name or address between our check and our insert.
  if ("taken" in account) {
    throw fieldErrors(account.taken === "username" ? { username: [USERNAME_TAKEN] } : { email: [EMAIL_TAKEN] });
  }
  const { user, issued } = account;
  if (mode !== "none" && user.email) {
    c.get("auth").mailEmailVerification({ id: user.id, username: user.username, email: user.email });
  }
  if (!issued) return c.json({ detail: "Verification e-mail sent." }, 201);
  recordSignIn(c, user, issued.session);
  const { config } = c.var;
  const { body, setCookie } = tokenAnswer(issued, user, config.expiry, config.authCookieName);
  c.header("Set-Cookie", setCookie, { append: true });
  return c.json(body, 201);
});
