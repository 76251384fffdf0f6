/**
 * `npm run manage -- <command>`: the operator's tools, the edge equivalents of Django's `createsuperuser`
 * and `drf_create_token` housekeeping. Works on the local D1 by default and on the deployed database with
 * `--remote`; never prints a password; a missing user is a clear error (exit status 1).
 */
import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { unstable_readConfig } from "wrangler";
import { parseConfig } from "../src/config";
import { StoreUnavailableError } from "../src/errors";
import { parseDjangoDump } from "../src/import/django-dump";
import { formatReport, importDjangoDump } from "../src/import/django-import";
import { type Database, database, storeFailureReason } from "../src/store/db";
import { resetSecondFactors } from "../src/store/mfa";
import { replacePassword } from "../src/store/password-resets";
import { purgeExpired } from "../src/store/purge";
import { deleteUserSessions } from "../src/store/tokens";
import { setUserActive } from "../src/store/users";
import { createAccount, findUser, newPasswordHash } from "./manage/accounts";
import { CliError, connect, type Target } from "./manage/d1";
import { explainMissingTables, migrateLocal } from "./manage/migrations";
import { ask } from "./manage/prompt";

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
  "mfa-reset",
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

const passwordOptions = { passwordStdin: options["password-stdin"], force: options.force };

/**
 * Rows per purge statement: the purge runs in bounded deletes, repeated until a task has nothing left, so no
 * single statement outlasts the store's timeout on a large table.
 */
const PURGE_BATCH_ROWS = 1000;

function requireUsername(value: string | undefined): string {
  if (!value) throw new CliError(`missing <username>\n\n${USAGE}`);
  return value;
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

/** The commands that need the database, over `db`. */
async function runOnDatabase(db: Database): Promise<void> {
  switch (command) {
    case "createsuperuser": {
      const username = options.username ?? (await ask("Username: "));
      const email =
        options.email ??
        (options["password-stdin"] || !process.stdin.isTTY ? undefined : await ask("Email address (optional): "));
      const request = { username: requireUsername(username), email: email || undefined, staff: true, superuser: true };
      console.log(`Superuser "${await createAccount(db, request, passwordOptions)}" created.`);
      return;
    }
    case "create-user": {
      const request = {
        username: requireUsername(args[0]),
        email: options.email,
        staff: options.staff,
        superuser: false,
      };
      console.log(`User "${await createAccount(db, request, passwordOptions)}" created.`);
      return;
    }
    case "set-password": {
      const user = await findUser(db, requireUsername(args[0]));
      const passwordHash = await newPasswordHash(user, passwordOptions);
      // Credentials changed: every device signs in again (the same store call as the auth core's).
      const revoked = await replacePassword(db, user.id, passwordHash);
      console.log(`Password changed for "${user.username}"; ${revoked} token(s) revoked.`);
      return;
    }
    case "deactivate":
    case "activate": {
      const user = await findUser(db, requireUsername(args[0]));
      await setUserActive(db, user.id, command === "activate");
      console.log(`User "${user.username}" ${command}d.`);
      return;
    }
    case "revoke-tokens": {
      const user = await findUser(db, requireUsername(args[0]));
      const revoked = await deleteUserSessions(db, user.id);
      console.log(`${revoked.length} token(s) of "${user.username}" revoked.`);
      return;
    }
    case "mfa-reset": {
      // For a user locked out of their second factor, once their identity is checked some other way.
      const user = await findUser(db, requireUsername(args[0]));
      const removed = await resetSecondFactors(db, user.id);
      console.log(
        `Second factors of "${user.username}" removed (TOTP, ${removed.passkeys} passkey(s), recovery codes); ${removed.tokens} token(s) revoked.`,
      );
      return;
    }
    case "purge-expired": {
      // The Cron Trigger's purge (the store's Drizzle deletes) with wrangler.toml's vars, each step run to the end.
      const config = parseConfig(workerVars());
      const deleted = await purgeExpired(db, config.purge, Date.now(), {
        batchSize: PURGE_BATCH_ROWS,
        maxBatchesPerStep: Number.POSITIVE_INFINITY,
      });
      for (const [label, count] of Object.entries(deleted)) console.log(`${count} ${label} deleted.`);
      return;
    }
    case "import-django": {
      const file = args[0];
      if (!file) throw new CliError(`missing <dump.json>\n\n${USAGE}`);
      const dump = parseDjangoDump(JSON.parse(readFileSync(file, "utf8")));
      console.log(formatReport(await importDjangoDump(dump, db)));
      return;
    }
  }
}

async function run(): Promise<void> {
  if (options.help || !command) {
    console.log(USAGE);
    return;
  }
  if (command === "gateway-key") {
    // Printed once for `wrangler secret put GATEWAY_SIGNING_KEY`; it is never stored by this command.
    const { privateKey } = generateKeyPairSync("ed25519");
    const kid = options.kid ?? new Date().toISOString().slice(0, 10);
    console.log(JSON.stringify({ ...privateKey.export({ format: "jwk" }), kid }));
    return;
  }
  if (!DATABASE_COMMANDS.has(command)) throw new CliError(`unknown command "${command}"\n\n${USAGE}`);
  // A fresh local state gets its tables before any command that uses the database.
  migrateLocal(target);
  const connection = await connect(target);
  try {
    await runOnDatabase(database(connection.d1));
  } finally {
    await connection.close();
  }
}

/** What the operator is told: for a storage failure, D1's own reason (never Drizzle's, which quotes the values). */
function operatorMessage(error: unknown): string {
  if (error instanceof StoreUnavailableError) return storeFailureReason(error);
  return error instanceof Error ? error.message : String(error);
}

run().catch((error: unknown) => {
  // CliError and ConfigError carry a message for the operator; anything else is reported the same way.
  console.error(`error: ${explainMissingTables(operatorMessage(error), target)}`);
  process.exit(1);
});
