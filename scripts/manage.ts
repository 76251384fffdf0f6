/**
 * `npm run manage -- <command>`: the operator's tools, the edge equivalents of Django's `createsuperuser`
 * and `drf_create_token` housekeeping. Works on the local D1 by default and on the deployed database with
 * `--remote`; never prints a password; a missing user is a clear error (exit status 1).
 */
import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { unstable_readConfig } from "wrangler";
import {
  canonicalEmail,
  canonicalUsername,
  isValidEmail,
  isValidUsername,
  normalizeEmail,
  normalizeUsername,
  USERNAME_MAX_LENGTH,
} from "../src/auth/identity";
import { hashPassword } from "../src/auth/password-hash";
import { MAX_PASSWORD_LENGTH, validatePassword } from "../src/auth/password-validation";
import { parseConfig } from "../src/config";
import { parseDjangoDump } from "../src/import/django-dump";
import { formatReport, importDjangoDump } from "../src/import/django-import";
import { literal } from "../src/import/sql-literal";
import { purgeTasks } from "../src/store/purge";
import { CliError, execute, type Row, type Target } from "./manage/d1";
import { explainMissingTables, migrateLocal } from "./manage/migrations";
import { ask, readNewPassword } from "./manage/prompt";

const USAGE = `usage: npm run manage -- <command> [arguments] [options]

commands:
  createsuperuser [--username NAME] [--email ADDRESS]  create a staff superuser (asks for the password)
  create-user <username> [--email ADDRESS] [--staff]   create a user (asks for the password)
  set-password <username>                              set a new password and sign every device out
  deactivate <username>                                refuse every token of the user at once
  activate <username>                                  let the user (and unexpired tokens) back in
  revoke-tokens <username>                             sign every device of the user out
  mfa-reset <username>                                 remove the user's second factors (TOTP, passkeys,
                                                       recovery codes) and sign every device out
  import-django <dump.json>                            import users and tokens from Django's dumpdata (see README)
  gateway-key [--kid ID]                               print a new Ed25519 signing key (JWK) for the gateway
  purge-expired [--var NAME:VALUE ...]                 delete expired tokens, spent codes, stale counters
                                                       (TTLs from wrangler.toml's vars unless overridden)

options:
  --remote             the deployed D1 database instead of the local one
  --persist-to DIR     the local state directory (as given to npm start)
  --config FILE        wrangler configuration file (default wrangler.toml)
  --env NAME           wrangler environment
  --password-stdin     read the password from standard input instead of asking
  --force              accept a password that Django's validators refuse`;

const DATABASE_COMMANDS = new Set([
  "createsuperuser",
  "create-user",
  "set-password",
  "deactivate",
  "activate",
  "revoke-tokens",
  "purge-expired",
  "import-django",
]);

const { values: options, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    remote: { type: "boolean", default: false },
    "persist-to": { type: "string" },
    config: { type: "string" },
    env: { type: "string" },
    username: { type: "string" },
    email: { type: "string" },
    staff: { type: "boolean", default: false },
    var: { type: "string", multiple: true },
    kid: { type: "string" },
    "password-stdin": { type: "boolean", default: false },
    force: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});

const target: Target = {
  remote: options.remote,
  persistTo: options["persist-to"],
  config: options.config,
  env: options.env,
};
const [command, ...args] = positionals;

interface UserRecord {
  id: number;
  username: string;
  email: string | null;
  first_name: string;
  last_name: string;
}

function findUser(username: string): UserRecord {
  const [rows] = execute(target, [
    `SELECT id, username, email, first_name, last_name FROM users WHERE username_canonical = ${literal(canonicalUsername(username))}`,
  ]);
  const user = rows?.[0] as UserRecord | undefined;
  if (!user) throw new CliError(`no user named "${username}"`);
  return user;
}

function requireUsername(value: string | undefined): string {
  if (!value) throw new CliError(`missing <username>\n\n${USAGE}`);
  return value;
}

async function newPasswordHash(user: {
  username: string;
  email?: string | null;
  first_name?: string;
  last_name?: string;
}) {
  const password = await readNewPassword(options["password-stdin"]);
  if (password === "") throw new CliError("the password may not be blank");
  // Not even --force: every password field refuses a longer one, so no one could sign in with it.
  if ([...password].length > MAX_PASSWORD_LENGTH) {
    throw new CliError(`the password may have at most ${MAX_PASSWORD_LENGTH} characters`);
  }
  const problems = validatePassword(password, {
    username: user.username,
    email: user.email,
    firstName: user.first_name,
    lastName: user.last_name,
  });
  if (problems.length > 0 && !options.force) {
    throw new CliError(`${problems.join("\n")}\n(pass --force to accept it anyway)`);
  }
  return hashPassword(password);
}

async function createUser(rawUsername: string, email: string | undefined, superuser: boolean): Promise<void> {
  const username = normalizeUsername(rawUsername.trim());
  if (!isValidUsername(username) || [...username].length > USERNAME_MAX_LENGTH) {
    throw new CliError(`invalid username "${username}": at most 150 letters, digits and @/./+/-/_`);
  }
  const address = email ? normalizeEmail(email.trim()) : null;
  if (address && !isValidEmail(address)) throw new CliError(`invalid e-mail address "${address}"`);
  const [taken] = execute(target, [
    `SELECT username_canonical = ${literal(canonicalUsername(username))} AS same_name FROM users WHERE username_canonical = ${literal(canonicalUsername(username))}${address ? ` OR email_canonical = ${literal(canonicalEmail(address))}` : ""}`,
  ]);
  if (taken?.some((row: Row) => row.same_name === 1)) throw new CliError(`a user named "${username}" already exists`);
  if (taken && taken.length > 0) throw new CliError(`a user with the e-mail address "${address}" already exists`);
  const passwordHash = await newPasswordHash({ username, email: address });
  const staff = superuser || options.staff;
  execute(target, [
    `INSERT INTO users (username, username_canonical, email, email_canonical, password_hash, is_staff, is_superuser, email_verified, date_joined_ms) VALUES (${[
      literal(username),
      literal(canonicalUsername(username)),
      literal(address),
      literal(address ? canonicalEmail(address) : null),
      literal(passwordHash),
      literal(staff),
      literal(superuser),
      // An operator creating the account vouches for its address.
      literal(address !== null),
      literal(Date.now()),
    ].join(", ")})`,
  ]);
  console.log(`${superuser ? "Superuser" : "User"} "${username}" created.`);
}

function countOf(rows: Row[] | undefined): number {
  return Number(rows?.[0]?.n ?? 0);
}

/** The Worker's vars as wrangler.toml (and `--env`) define them, overridden by `--var NAME:VALUE`. */
function workerVars(): Record<string, unknown> {
  const config = unstable_readConfig({ config: options.config, env: options.env });
  const vars: Record<string, unknown> = { ...config.vars };
  for (const assignment of options.var ?? []) {
    const colon = assignment.indexOf(":");
    if (colon < 1) throw new CliError(`--var takes NAME:VALUE, got "${assignment}"`);
    vars[assignment.slice(0, colon)] = assignment.slice(colon + 1);
  }
  return vars;
}

/** `sql` with each `?` replaced by its parameter as an SQL literal, in order. */
function bindLiterals(sql: string, params: (string | number)[]): string {
  let index = 0;
  return sql.replace(/\?/g, () => literal(params[index++] ?? null));
}

async function run(): Promise<void> {
  if (options.help || !command) {
    console.log(USAGE);
    return;
  }
  // A fresh local state gets its tables before any command that uses the database.
  if (DATABASE_COMMANDS.has(command)) migrateLocal(target);
  switch (command) {
    case "createsuperuser": {
      const username = options.username ?? (await ask("Username: "));
      const email =
        options.email ??
        (options["password-stdin"] || !process.stdin.isTTY ? undefined : await ask("Email address (optional): "));
      return createUser(requireUsername(username), email || undefined, true);
    }
    case "create-user":
      return createUser(requireUsername(args[0]), options.email, false);
    case "set-password": {
      const user = findUser(requireUsername(args[0]));
      const passwordHash = await newPasswordHash(user);
      // Credentials changed: every device signs in again.
      const [, , revoked] = execute(target, [
        `UPDATE users SET password_hash = ${literal(passwordHash)} WHERE id = ${literal(user.id)}`,
        `DELETE FROM tokens WHERE user_id = ${literal(user.id)}`,
        "SELECT changes() AS n",
      ]);
      console.log(`Password changed for "${user.username}"; ${countOf(revoked)} token(s) revoked.`);
      return;
    }
    case "deactivate":
    case "activate": {
      const user = findUser(requireUsername(args[0]));
      execute(target, [
        `UPDATE users SET is_active = ${literal(command === "activate")} WHERE id = ${literal(user.id)}`,
      ]);
      console.log(`User "${user.username}" ${command}d.`);
      return;
    }
    case "revoke-tokens": {
      const user = findUser(requireUsername(args[0]));
      const [, revoked] = execute(target, [
        `DELETE FROM tokens WHERE user_id = ${literal(user.id)}`,
        "SELECT changes() AS n",
      ]);
      console.log(`${countOf(revoked)} token(s) of "${user.username}" revoked.`);
      return;
    }
    case "mfa-reset": {
      // For a user locked out of their second factor, once their identity is checked some other way.
      const user = findUser(requireUsername(args[0]));
      const id = literal(user.id);
      const results = execute(target, [
        `DELETE FROM mfa_totp WHERE user_id = ${id}`,
        `DELETE FROM passkeys WHERE user_id = ${id}`,
        "SELECT changes() AS n",
        `DELETE FROM mfa_recovery_codes WHERE user_id = ${id}`,
        `DELETE FROM mfa_logins WHERE user_id = ${id}`,
        `DELETE FROM webauthn_challenges WHERE user_id = ${id}`,
        // The factors changed: every device signs in again, with the password alone.
        `DELETE FROM tokens WHERE user_id = ${id}`,
        "SELECT changes() AS n",
      ]);
      console.log(
        `Second factors of "${user.username}" removed (TOTP, ${countOf(results[2])} passkey(s), recovery codes); ${countOf(results[7])} token(s) revoked.`,
      );
      return;
    }
    case "purge-expired": {
      // The same statements as the Cron Trigger's purge, unbounded (LIMIT -1), with wrangler.toml's vars.
      const config = parseConfig(workerVars());
      const tasks = purgeTasks(config, Date.now(), -1);
      const results = execute(
        target,
        tasks.flatMap((task) => [bindLiterals(task.sql, task.params), "SELECT changes() AS n"]),
      );
      for (const [index, task] of tasks.entries())
        console.log(`${countOf(results[index * 2 + 1])} ${task.label} deleted.`);
      return;
    }
    case "import-django": {
      const file = args[0];
      if (!file) throw new CliError(`missing <dump.json>\n\n${USAGE}`);
      const dump = parseDjangoDump(JSON.parse(readFileSync(file, "utf8")));
      const report = await importDjangoDump(dump, async (statements) => execute(target, statements));
      console.log(formatReport(report));
      return;
    }
    case "gateway-key": {
      // Printed once for `wrangler secret put GATEWAY_SIGNING_KEY`; it is never stored by this command.
      const { privateKey } = generateKeyPairSync("ed25519");
      const kid = options.kid ?? new Date().toISOString().slice(0, 10);
      console.log(JSON.stringify({ ...privateKey.export({ format: "jwk" }), kid }));
      return;
    }
    default:
      throw new CliError(`unknown command "${command}"\n\n${USAGE}`);
  }
}

run().catch((error: unknown) => {
  // CliError and ConfigError carry a message for the operator; anything else is reported the same way.
  console.error(`error: ${explainMissingTables(error instanceof Error ? error.message : String(error), target)}`);
  process.exit(1);
});
