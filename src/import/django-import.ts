/**
 * Importing a Django dump (see django-dump.ts) into D1 without logging anyone out: users keep their pk,
 * username and e-mail (verbatim), names, flags, dates and password hash (Django PBKDF2, scrypt and Argon2id hashes are verified at
 * login and upgraded to this service's Argon2id then); tokens keep their `created`, so each still expires on its original schedule, and only
 * their SHA-256 digests are stored. Idempotent: a user already present with the same pk, username and
 * e-mail is left alone, a token already present is skipped. A user whose pk, username or e-mail belongs to
 * another account is reported as a conflict and not touched, and neither are their tokens. Work is done in
 * bounded batches through `run`, so large dumps import with bounded statements.
 */
import { sha256Hex } from "../auth/digest";
import { DJANGO_PBKDF2_MAX_ITERATIONS, djangoPbkdf2Iterations, hasherName } from "../auth/django-hash";
import { canonicalEmail, canonicalUsername } from "../auth/identity";
import { isVerifiableHash } from "../auth/password-hash";
import { generateSessionId } from "../auth/token-key";
import type { DjangoDump, DjangoUser } from "./django-dump";
import { literal } from "./sql-literal";

/** Runs SQL statements in order (one transaction per call where the runner can) and returns each one's rows. */
export type SqlRunner = (statements: string[]) => Promise<Record<string, unknown>[][]>;

/** Rows per INSERT statement, and statements per runner call. */
const ROWS_PER_STATEMENT = 100;
const STATEMENTS_PER_CALL = 20;
const LOOKUP_CHUNK = 200;

export interface ImportReport {
  usersImported: number;
  usersAlreadyPresent: number;
  /** One line per user not imported because it clashes with an existing account. */
  conflicts: string[];
  /** Users imported whose password cannot be used here (they must reset it). */
  passwordWarnings: string[];
  tokensImported: number;
  tokensAlreadyPresent: number;
  /** Reason → number of tokens skipped for it. */
  tokensSkipped: Record<string, number>;
  problems: string[];
  ignored: Record<string, number>;
}

interface Existing {
  id: number;
  username_canonical: string;
  email_canonical: string | null;
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function runAll(run: SqlRunner, statements: string[]): Promise<Record<string, unknown>[][]> {
  const results: Record<string, unknown>[][] = [];
  for (const group of chunks(statements, STATEMENTS_PER_CALL)) results.push(...(await run(group)));
  return results;
}

async function existingAccounts(dump: DjangoDump, run: SqlRunner): Promise<Existing[]> {
  const statements = chunks(dump.users, LOOKUP_CHUNK).map((users) => {
    const ids = users.map((user) => literal(user.pk)).join(", ");
    const names = users.map((user) => literal(canonicalUsername(user.username))).join(", ");
    const emails = users.filter((user) => user.email).map((user) => literal(canonicalEmail(user.email)));
    return `SELECT id, username_canonical, email_canonical FROM users WHERE id IN (${ids}) OR username_canonical IN (${names})${
      emails.length > 0 ? ` OR email_canonical IN (${emails.join(", ")})` : ""
    }`;
  });
  return (await runAll(run, statements)).flat() as unknown as Existing[];
}

/**
 * A user's row. The username and e-mail are stored exactly as Django stored them (what `/auth/user/` shows and
 * mail is sent to); only their canonical forms, used for uniqueness and look-ups, are folded.
 */
function userRow(user: DjangoUser): string {
  const email = user.email || null;
  return `(${[
    literal(user.pk),
    literal(user.username),
    literal(canonicalUsername(user.username)),
    literal(email),
    literal(email ? canonicalEmail(email) : null),
    literal(user.firstName),
    literal(user.lastName),
    literal(user.passwordHash),
    literal(user.isActive),
    literal(user.isStaff),
    literal(user.isSuperuser),
    literal(user.dateJoinedMs),
    literal(user.lastLoginMs),
    // Django users signed up and used the address there; verifying it again would lock them out.
    literal(email !== null),
  ].join(", ")})`;
}

export async function importDjangoDump(dump: DjangoDump, run: SqlRunner): Promise<ImportReport> {
  const report: ImportReport = {
    usersImported: 0,
    usersAlreadyPresent: 0,
    conflicts: [],
    passwordWarnings: [],
    tokensImported: 0,
    tokensAlreadyPresent: 0,
    tokensSkipped: {},
    problems: [...dump.problems],
    ignored: dump.ignored,
  };
  const byId = new Map<number, Existing>();
  const byUsername = new Map<string, Existing>();
  const byEmail = new Map<string, Existing>();
  const remember = (account: Existing) => {
    byId.set(account.id, account);
    byUsername.set(account.username_canonical, account);
    if (account.email_canonical) byEmail.set(account.email_canonical, account);
  };
  for (const account of await existingAccounts(dump, run)) remember(account);

  /** Django pk → canonical username, for every user whose tokens may be imported. */
  const importable = new Map<number, string>();
  const toInsert: DjangoUser[] = [];
  for (const user of dump.users) {
    const name = canonicalUsername(user.username);
    const email = user.email ? canonicalEmail(user.email) : null;
    const sameId = byId.get(user.pk);
    if (sameId && sameId.username_canonical === name && sameId.email_canonical === email) {
      report.usersAlreadyPresent += 1;
      importable.set(user.pk, name);
      continue;
    }
    const clash =
      (byUsername.get(name) && `username "${user.username}" already belongs to another account`) ||
      (email && byEmail.get(email) && `e-mail ${user.email} already belongs to another account`) ||
      (sameId && `pk ${user.pk} already belongs to "${sameId.username_canonical}"`);
    if (clash) {
      report.conflicts.push(`"${user.username}" (pk ${user.pk}) not imported: ${clash}`);
      continue;
    }
    remember({ id: user.pk, username_canonical: name, email_canonical: email });
    importable.set(user.pk, name);
    toInsert.push(user);
    const hasher = hasherName(user.passwordHash);
    const iterations = djangoPbkdf2Iterations(user.passwordHash) ?? 0;
    if (hasher === "!")
      report.passwordWarnings.push(`"${user.username}" has no usable password (Django's unusable marker)`);
    else if (iterations > DJANGO_PBKDF2_MAX_ITERATIONS) {
      const count = (n: number) => n.toLocaleString("en-US");
      report.passwordWarnings.push(
        `"${user.username}" has a ${hasher} hash of ${count(iterations)} iterations, more than the ${count(DJANGO_PBKDF2_MAX_ITERATIONS)} verified here: they must reset their password`,
      );
    } else if (!isVerifiableHash(user.passwordHash)) {
      report.passwordWarnings.push(
        `"${user.username}" uses the unsupported Django hasher "${hasher}": they must reset their password (supported: pbkdf2_sha256, pbkdf2_sha1, scrypt, argon2 (argon2id, up to 64 MiB))`,
      );
    }
  }
  const columns =
    "id, username, username_canonical, email, email_canonical, first_name, last_name, password_hash, is_active, is_staff, is_superuser, date_joined_ms, last_login_ms, email_verified";
  await runAll(
    run,
    chunks(toInsert, ROWS_PER_STATEMENT).map(
      (users) => `INSERT INTO users (${columns}) VALUES ${users.map(userRow).join(", ")}`,
    ),
  );
  report.usersImported = toInsert.length;

  const tokenRows: string[] = [];
  for (const token of dump.tokens) {
    const username = importable.get(token.userPk);
    if (username === undefined) {
      const reason = dump.users.some((user) => user.pk === token.userPk)
        ? "its user was not imported (conflict)"
        : "its user is not in the dump";
      report.tokensSkipped[reason] = (report.tokensSkipped[reason] ?? 0) + 1;
      continue;
    }
    const digest = sha256Hex(token.key);
    tokenRows.push(
      `(${[literal(generateSessionId()), literal(token.userPk), literal(digest), literal(token.createdMs), literal(username)].join(", ")})`,
    );
  }
  // Each token is tied to its user by pk *and* username, so it can never land on another account.
  const tokenStatements = chunks(tokenRows, ROWS_PER_STATEMENT).flatMap((rows) => [
    `INSERT OR IGNORE INTO tokens (id, user_id, key_digest, created_ms, last_used_ms)
     SELECT v.column1, u.id, v.column3, v.column4, v.column4 FROM (VALUES ${rows.join(", ")}) AS v
     JOIN users AS u ON u.id = v.column2 AND u.username_canonical = v.column5`,
    "SELECT changes() AS n",
  ]);
  const results = await runAll(run, tokenStatements);
  report.tokensImported = results
    .filter((_, index) => index % 2 === 1)
    .reduce((sum, rows) => sum + Number(rows[0]?.n ?? 0), 0);
  report.tokensAlreadyPresent = tokenRows.length - report.tokensImported;
  return report;
}

/** The summary printed at the end of an import. */
export function formatReport(report: ImportReport): string {
  const lines = [
    `Users: ${report.usersImported} imported, ${report.usersAlreadyPresent} already present, ${report.conflicts.length} skipped (conflicts).`,
    ...report.conflicts.map((line) => `  - ${line}`),
    ...report.passwordWarnings.map((line) => `  ! ${line}`),
    `Tokens: ${report.tokensImported} imported, ${report.tokensAlreadyPresent} already present, ${Object.values(report.tokensSkipped).reduce((a, b) => a + b, 0)} skipped.`,
    ...Object.entries(report.tokensSkipped).map(([reason, count]) => `  - ${count} skipped: ${reason}`),
    ...report.problems.map((line) => `Problem: ${line}`),
    ...Object.entries(report.ignored).map(([model, count]) => `Ignored: ${count} ${model} record(s) (not imported)`),
  ];
  return lines.join("\n");
}
