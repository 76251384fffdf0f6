/** `user/`: the signed-in user's details (dj-rest-auth's UserDetailsView). `pk` and `email` are read-only. */
import { type Context, Hono } from "hono";
import { z } from "zod";
import {
  canonicalUsername,
  INVALID_USERNAME,
  isValidUsername,
  normalizeUsername,
  USERNAME_MAX_LENGTH,
} from "../auth/identity";
import type { AppEnv } from "../context";
import { fieldErrors } from "../errors";
import { readData } from "../http/body";
import { charField, orderErrors, parseFields } from "../http/fields";
import { authenticate } from "../middleware/authenticate";
import { findTakenIdentifiers, type ProfileChanges, updateProfile } from "../store/users";
import { USERNAME_TAKEN } from "./registration";
import { userJson } from "./user-json";

const NAME_MAX_LENGTH = 150;

export const userFields = z.object({
  username: charField({ maxLength: USERNAME_MAX_LENGTH }),
  first_name: charField({ allowBlank: true, maxLength: NAME_MAX_LENGTH }).optional(),
  last_name: charField({ allowBlank: true, maxLength: NAME_MAX_LENGTH }).optional(),
});
const partialUserFields = userFields.partial();
const FIELD_ORDER = Object.keys(userFields.shape);

export const userRoutes = new Hono<AppEnv>();

userRoutes.use("/user", authenticate());
userRoutes.get("/user", (c) => c.json(userJson(c.get("session").user)));
userRoutes.put("/user", (c) => updateUser(c, false));
userRoutes.patch("/user", (c) => updateUser(c, true));

async function updateUser(c: Context<AppEnv>, partial: boolean) {
  const current = c.get("session").user;
  const data = await readData(c, c.get("config").maxBodyBytes);
  const { values, errors } = parseFields(partial ? partialUserFields : userFields, data);

  const changes: ProfileChanges = {};
  if (values.username !== undefined) {
    const username = normalizeUsername(values.username);
    if (!isValidUsername(username)) {
      errors.username = [INVALID_USERNAME];
    } else {
      const usernameCanonical = canonicalUsername(username);
      const taken = await findTakenIdentifiers(c.get("db"), { usernameCanonical }, current.id);
      if (taken.username) errors.username = [USERNAME_TAKEN];
      Object.assign(changes, { username, usernameCanonical });
    }
  }
  if (Object.keys(errors).length > 0) throw fieldErrors(orderErrors(errors, FIELD_ORDER));
  if (values.first_name !== undefined) changes.firstName = values.first_name;
  if (values.last_name !== undefined) changes.lastName = values.last_name;

  const result = await updateProfile(c.get("db"), current.id, changes);
  if (result === "username-taken") throw fieldErrors({ username: [USERNAME_TAKEN] });
  // Cached sessions carry the user's details: drop them so every request sees the change.
  if (result) await c.get("sessionCache").forgetUser(current.id, result.tokenDigests);
  return c.json(userJson(result?.user ?? current));
}
