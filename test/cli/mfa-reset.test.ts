import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let state: string;

function manage(args: string[]): { status: number; output: string } {
  const result = spawnSync("tsx", ["scripts/manage.ts", ...args, "--persist-to", state], {
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  return { status: result.status ?? 1, output: `${result.stdout}${result.stderr}` };
}

/** Reads and seeds the CLI's local D1 through its SQLite file (wrangler stays the CLI's own path). */
function sql(query: string): Record<string, unknown>[] {
  const directory = join(state, "v3", "d1", "miniflare-D1DatabaseObject");
  const file = readdirSync(directory).find((name) => name.endsWith(".sqlite") && name !== "metadata.sqlite");
  const db = new DatabaseSync(join(directory, file as string));
  try {
    const statement = db.prepare(query);
    if (/^\s*select/i.test(query)) return statement.all() as Record<string, unknown>[];
    statement.run();
    return [];
  } finally {
    db.close();
  }
}

const count = (table: string, userId: number) =>
  Number(sql(`SELECT count(*) AS n FROM ${table} WHERE user_id = ${userId}`)[0]?.n);

function seedUser(id: number, name: string): void {
  sql(
    `INSERT INTO users (id, username, username_canonical, password_hash, date_joined_ms) VALUES (${id}, '${name}', '${name.toLowerCase()}', '!', 0)`,
  );
  sql(`INSERT INTO tokens (id, user_id, key_digest, created_ms) VALUES ('t${id}', ${id}, 'd${id}', 0)`);
  sql(`INSERT INTO mfa_totp (user_id, secret_sealed, created_ms, confirmed_ms) VALUES (${id}, 'v1.x.y', 0, 1)`);
  sql(`INSERT INTO mfa_recovery_codes (user_id, code_digest, created_ms) VALUES (${id}, 'c${id}', 0)`);
  sql(
    `INSERT INTO passkeys (id, user_id, credential_id, public_key, counter, name, created_ms) VALUES ('p${id}', ${id}, 'cred${id}', 'pk', 0, 'Laptop', 0)`,
  );
  sql(
    `INSERT INTO mfa_logins (token_digest, user_id, account, created_ms, expires_ms) VALUES ('m${id}', ${id}, '${name}', 0, 9999999999999)`,
  );
  sql(
    `INSERT INTO webauthn_challenges (id, purpose, user_id, challenge, expires_ms) VALUES ('w${id}', 'register', ${id}, 'ch${id}', 9999999999999)`,
  );
}

const TABLES = ["tokens", "mfa_totp", "mfa_recovery_codes", "passkeys", "mfa_logins", "webauthn_challenges"];

beforeAll(() => {
  state = mkdtempSync(join(tmpdir(), "mfa-reset-test-"));
  const migrated = spawnSync("wrangler", ["d1", "migrations", "apply", "DB", "--local", "--persist-to", state], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  expect(migrated.status).toBe(0);
  seedUser(1, "Locked");
  seedUser(2, "bystander");
});

afterAll(() => {
  rmSync(state, { recursive: true, force: true });
});

describe("npm run manage -- mfa-reset", () => {
  it("removes every second factor and pending step of the user and signs every device out", () => {
    const result = manage(["mfa-reset", "locked"]);
    expect(result.status).toBe(0);
    expect(result.output).toContain(
      'Second factors of "Locked" removed (TOTP, 1 passkey(s), recovery codes); 1 token(s) revoked.',
    );
    for (const table of TABLES) expect({ table, rows: count(table, 1) }).toEqual({ table, rows: 0 });
    for (const table of TABLES) expect({ table, rows: count(table, 2) }).toEqual({ table, rows: 1 });
  });

  it("is an error for a missing user", () => {
    const result = manage(["mfa-reset", "nobody"]);
    expect(result.status).toBe(1);
    expect(result.output).toContain('error: no user named "nobody"');
  });
});
