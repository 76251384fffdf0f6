/**
 * Importing a Django dump (see django-dump.ts) into D1 without logging anyone out: users keep their pk,
 * username and e-mail (verbatim), names, flags, dates and password hash (Django PBKDF2, scrypt and Argon2id hashes are verified at
 * login and upgraded to this service's Argon2id then); tokens keep their `created`, so each still expires on its original schedule, and only
 * their SHA-256 digests are stored. Idempotent: a user already present with the same pk, username and
 * e-mail is left alone, a token already present is skipped. A user whose pk, username or e-mail belongs to
 * another account is reported as a conflict and not touched, and neither are their tokens. It runs through
 * the store over a D1 binding (the Worker's in tests, wrangler's platform proxy in the CLI), in bounded
 * statements and batches, so dumps of any size stay within D1's limits.
 */
import type { BatchItem } from "drizzle-orm/batch";
import { sha256Hex } from "../auth/digest";
import { DJANGO_PBKDF2_MAX_ITERATIONS, djangoPbkdf2Iterations, hasherName } from "../auth/django-hash";
import { canonicalEmail, canonicalUsername } from "../auth/identity";
import { isVerifiableHash } from "../auth/password-hash";
import { generateSessionId } from "../auth/token-key";
import { type Database, writeAtomically } from "../store/db";
import { insertSessionForAccount } from "../store/tokens";
import { findAccountsByIdentifiers, insertAccounts, type NewAccount } from "../store/users";
import type { DjangoDump, DjangoUser } from "./django-dump";

/** D1 refuses a statement with more bound parameters than this. */
export const D1_MAX_BOUND_PARAMETERS = 100;
/** Users per look-up: each binds its pk, username and e-mail. */
const LOOKUP_CHUNK = Math.floor(D1_MAX_BOUND_PARAMETERS / 3);
/** Statements per batch (one transaction): small enough to finish well within the store's timeout. */
const STATEMENTS_PER_BATCH = 25;

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
  usernameCanonical: string;
  emailCanonical: string | null;
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Runs the statements in batches of STATEMENTS_PER_BATCH, in order; how many rows each statement changed. */
async function runInBatches(db: Database, statements: BatchItem<"sqlite">[]): Promise<number[]> {
  const changes: number[] = [];
  for (const [first, ...rest] of chunks(statements, STATEMENTS_PER_BATCH)) {
    if (!first) continue;
    // Inserts without RETURNING: D1 answers each with its result and `meta`.
    const results = (await writeAtomically(db, [first, ...rest])) as unknown as D1Result[];
    for (const result of results) changes.push(result.meta.changes);
  }
  return changes;
}

async function existingAccounts(dump: DjangoDump, db: Database): Promise<Existing[]> {
  const found: Existing[] = [];
  for (const users of chunks(dump.users, LOOKUP_CHUNK)) {
    found.push(
      ...(await findAccountsByIdentifiers(db, {
        ids: users.map((user) => user.pk),
        usernamesCanonical: users.map((user) => canonicalUsername(user.username)),
        emailsCanonical: users.filter((user) => user.email).map((user) => canonicalEmail(user.email)),
      })),
    );
  }
  return found;
}

/**
 * A user's row. The username and e-mail are stored exactly as Django stored them (what `/auth/user/` shows and
 * mail is sent to); only their canonical forms, used for uniqueness and look-ups, are folded.
 */
function userRow(user: DjangoUser): NewAccount {
  const email = user.email || null;
  return {
    id: user.pk,
    username: user.username,
    usernameCanonical: canonicalUsername(user.username),
    email,
    emailCanonical: email ? canonicalEmail(email) : null,
    firstName: user.firstName,
    lastName: user.lastName,
    passwordHash: user.passwordHash,
    isActive: user.isActive,
    isStaff: user.isStaff,
    isSuperuser: user.isSuperuser,
    dateJoinedMs: user.dateJoinedMs,
    lastLoginMs: user.lastLoginMs,
    // Django users signed up and used the address there; verifying it again would lock them out.
    emailVerified: email !== null,
  };
}

export async function importDjangoDump(dump: DjangoDump, db: Database): Promise<ImportReport> {
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
    byUsername.set(account.usernameCanonical, account);
    if (account.emailCanonical) byEmail.set(account.emailCanonical, account);
  };
  for (const account of await existingAccounts(dump, db)) remember(account);

  /** Django pk → canonical username, for every user whose tokens may be imported. */
  const importable = new Map<number, string>();
  const toInsert: DjangoUser[] = [];
  for (const user of dump.users) {
    const name = canonicalUsername(user.username);
    const email = user.email ? canonicalEmail(user.email) : null;
    const sameId = byId.get(user.pk);
    if (sameId && sameId.usernameCanonical === name && sameId.emailCanonical === email) {
      report.usersAlreadyPresent += 1;
      importable.set(user.pk, name);
      continue;
    }
    const clash =
      (byUsername.get(name) && `username "${user.username}" already belongs to another account`) ||
      (email && byEmail.get(email) && `e-mail ${user.email} already belongs to another account`) ||
      (sameId && `pk ${user.pk} already belongs to "${sameId.usernameCanonical}"`);
    if (clash) {
      report.conflicts.push(`"${user.username}" (pk ${user.pk}) not imported: ${clash}`);
      continue;
    }
    remember({ id: user.pk, usernameCanonical: name, emailCanonical: email });
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
  const rows = toInsert.map(userRow);
  // One bound parameter per column per row.
  const rowsPerStatement = Math.floor(D1_MAX_BOUND_PARAMETERS / Math.max(1, Object.keys(rows[0] ?? {}).length));
  await runInBatches(
    db,
    chunks(rows, rowsPerStatement).map((accounts) => insertAccounts(db, accounts)),
  );
  report.usersImported = toInsert.length;

  const sessions = [];
  for (const token of dump.tokens) {
    const usernameCanonical = importable.get(token.userPk);
    if (usernameCanonical === undefined) {
      const reason = dump.users.some((user) => user.pk === token.userPk)
        ? "its user was not imported (conflict)"
        : "its user is not in the dump";
      report.tokensSkipped[reason] = (report.tokensSkipped[reason] ?? 0) + 1;
      continue;
    }
    // Each token is tied to its user by pk *and* username, so it can never land on another account.
    sessions.push(
      insertSessionForAccount(
        db,
        { id: token.userPk, usernameCanonical },
        {
          id: generateSessionId(),
          keyDigest: sha256Hex(token.key),
          createdMs: token.createdMs,
          client: null,
          userAgent: null,
          ip: null,
          city: null,
          country: null,
        },
      ),
    );
  }
  const inserted = await runInBatches(db, sessions);
  report.tokensImported = inserted.reduce((sum, changes) => sum + changes, 0);
  report.tokensAlreadyPresent = sessions.length - report.tokensImported;
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
