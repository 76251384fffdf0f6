/**
 * The CLI's account commands, through the store functions the Worker uses. Usernames and addresses are
 * checked by the registration's own field rules, so an operator cannot create an account the sign-up form
 * would refuse; passwords by Django's validators (which `--force` overrides) and the one length cap (which
 * nothing overrides).
 */
import {
  canonicalEmail,
  canonicalUsername,
  INVALID_USERNAME,
  isValidUsername,
  normalizeEmail,
  normalizeUsername,
} from "../../src/auth/identity";
import { hashPassword } from "../../src/auth/password-hash";
import { MAX_PASSWORD_LENGTH, validatePassword } from "../../src/auth/password-validation";
import type { UserRow } from "../../src/db/schema";
import { parseFields } from "../../src/http/fields";
import { registrationFields } from "../../src/routes/registration";
import { type Database, isUniqueViolation, storeCall } from "../../src/store/db";
import { findTakenIdentifiers, findUserByUsername, insertAccounts } from "../../src/store/users";
import { CliError } from "./d1";
import { readNewPassword } from "./prompt";

/** The username and e-mail fields of the registration form, as the web sign-up checks them. */
const identityFields = registrationFields.pick({ username: true, email: true });

export interface PasswordOptions {
  passwordStdin: boolean;
  force: boolean;
}

/** The user named `username` (in any case); a clear error when there is none. */
export async function findUser(db: Database, username: string): Promise<UserRow> {
  const user = await findUserByUsername(db, canonicalUsername(username));
  if (!user) throw new CliError(`no user named "${username}"`);
  return user;
}

/** Reads a new password for `user` and returns its hash; refuses a blank, over-long or (without --force) weak one. */
export async function newPasswordHash(
  user: { username: string; email?: string | null; firstName?: string; lastName?: string },
  options: PasswordOptions,
): Promise<string> {
  const password = await readNewPassword(options.passwordStdin);
  if (password === "") throw new CliError("the password may not be blank");
  // Not even --force: every password field refuses a longer one, so no one could sign in with it.
  if ([...password].length > MAX_PASSWORD_LENGTH) {
    throw new CliError(`the password may have at most ${MAX_PASSWORD_LENGTH} characters`);
  }
  const problems = validatePassword(password, user);
  if (problems.length > 0 && !options.force) {
    throw new CliError(`${problems.join("\n")}\n(pass --force to accept it anyway)`);
  }
  return hashPassword(password);
}

export interface NewAccountRequest {
  username: string;
  email: string | undefined;
  staff: boolean;
  superuser: boolean;
}

/** Creates an account (asking for its password); returns the username as stored. */
export async function createAccount(db: Database, request: NewAccountRequest, options: PasswordOptions) {
  const { values, errors } = parseFields(identityFields, { username: request.username, email: request.email ?? "" });
  const username = values.username === undefined ? request.username.trim() : normalizeUsername(values.username);
  if (!errors.username && !isValidUsername(username)) errors.username = [INVALID_USERNAME];
  if (errors.username) throw new CliError(`invalid username "${username}": ${errors.username.join(" ")}`);
  if (errors.email) throw new CliError(`invalid e-mail address "${request.email}": ${errors.email.join(" ")}`);
  const email = values.email ? normalizeEmail(values.email) : null;

  const usernameCanonical = canonicalUsername(username);
  const emailCanonical = email ? canonicalEmail(email) : null;
  const taken = await findTakenIdentifiers(db, { usernameCanonical, emailCanonical });
  if (taken.username) throw new CliError(`a user named "${username}" already exists`);
  if (taken.email) throw new CliError(`a user with the e-mail address "${email}" already exists`);
  const passwordHash = await newPasswordHash({ username, email }, options);
  const account = {
    username,
    usernameCanonical,
    email,
    emailCanonical,
    passwordHash,
    isStaff: request.staff || request.superuser,
    isSuperuser: request.superuser,
    // An operator creating the account vouches for its address.
    emailVerified: email !== null,
    dateJoinedMs: Date.now(),
  };
  try {
    await storeCall(() => insertAccounts(db, [account]).run());
  } catch (error) {
    // Someone registered the name or address while the password was typed.
    if (isUniqueViolation(error, "users.username_canonical")) {
      throw new CliError(`a user named "${username}" already exists`);
    }
    if (isUniqueViolation(error, "users.email_canonical")) {
      throw new CliError(`a user with the e-mail address "${email}" already exists`);
    }
    throw error;
  }
  return username;
}
