import { afterAll, describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/auth/digest";
import { verifyPassword } from "../../src/auth/password-hash";
import expected from "../fixtures/django/expected.json";
import { emptyState, type LocalD1, manage, migratedState, openLocalD1, removeStates } from "../support/manage";

function freshState(): string {
  return migratedState("import-test-");
}

/** Each state's local D1, opened at its first query and closed after the file. */
const opened = new Map<string, Promise<LocalD1>>();
async function query(state: string, sql: string): Promise<Record<string, unknown>[]> {
  const db = opened.get(state) ?? openLocalD1(state);
  opened.set(state, db);
  return (await db).sql(sql);
}

afterAll(async () => {
  for (const db of opened.values()) await (await db).close();
  removeStates();
});

describe("npm run manage -- import-django", () => {
  it("imports users and both kinds of tokens, keeping pks, hashes and creation times, and is idempotent", async () => {
    const state = freshState();
    const first = await manage(state, ["import-django", "test/fixtures/django/dump.json"]);
    expect(first.status).toBe(0);
    expect(first.output).toContain("Users: 9 imported, 0 already present, 0 skipped (conflicts).");
    expect(first.output).toContain('"grace" uses the unsupported Django hasher "sha1"');
    expect(first.output).toContain('"frank" has no usable password');
    expect(first.output).toContain("Tokens: 8 imported, 0 already present, 0 skipped.");

    const users = await query(
      state,
      "SELECT id, username, email, password_hash, is_active, is_staff, email_verified FROM users ORDER BY id",
    );
    for (const wanted of expected.users) {
      const row = users.find((candidate) => candidate.id === wanted.pk);
      // Exactly as Django stored them (Grace.Hopper@Example.COM keeps its case).
      expect(row).toMatchObject({
        username: wanted.username,
        email: wanted.email === "" ? null : wanted.email,
        is_active: wanted.is_active ? 1 : 0,
        is_staff: wanted.is_staff ? 1 : 0,
      });
      if (wanted.password) expect(await verifyPassword(wanted.password, String(row?.password_hash))).toBe(true);
    }
    const tokens = await query(
      state,
      "SELECT t.key_digest, t.created_ms, u.username FROM tokens t JOIN users u ON u.id = t.user_id",
    );
    for (const token of expected.tokens) {
      const digest = sha256Hex(token.key);
      expect(tokens.find((row) => row.key_digest === digest)).toMatchObject({
        username: token.username,
        created_ms: Date.parse(token.created),
      });
    }
    expect(JSON.stringify(tokens)).not.toContain(expected.tokens[0]?.key);

    const second = await manage(state, ["import-django", "test/fixtures/django/dump.json"]);
    expect(second.output).toContain("Users: 0 imported, 9 already present, 0 skipped (conflicts).");
    expect(second.output).toContain("Tokens: 0 imported, 8 already present, 0 skipped.");
    expect((await query(state, "SELECT count(*) AS n FROM tokens"))[0]?.n).toBe(8);
  }, 180_000);

  it("reports a username already present with another e-mail and leaves it and its tokens alone", async () => {
    const state = freshState();
    expect(
      (
        await manage(state, ["create-user", "bob", "--email", "robert@elsewhere.example", "--password-stdin"], {
          stdin: "a long enough password",
        })
      ).status,
    ).toBe(0);
    const result = await manage(state, ["import-django", "test/fixtures/django/dump.json"]);
    expect(result.output).toContain('"bob" (pk 2) not imported: username "bob" already belongs to another account');
    // The local bob also took pk 1, which alice has in Django: she is reported too, not merged into bob.
    expect(result.output).toContain('"alice" (pk 1) not imported: pk 1 already belongs to "bob"');
    expect(result.output).toContain("Users: 7 imported, 0 already present, 2 skipped (conflicts).");
    expect(result.output).toMatch(/4 skipped: its user was not imported \(conflict\)/);
    expect(await query(state, "SELECT email FROM users WHERE username = 'bob'")).toEqual([
      { email: "robert@elsewhere.example" },
    ]);
  }, 180_000);

  it("imports a large dump in bounded batches", async () => {
    const state = freshState();
    const result = await manage(state, ["import-django", "test/fixtures/django/dump-large.json"]);
    expect(result.status).toBe(0);
    expect(result.output).toContain(`Users: ${expected.large.users} imported`);
    expect(result.output).toContain(`Tokens: ${expected.large.tokens} imported`);
    expect((await query(state, "SELECT count(*) AS n FROM users"))[0]?.n).toBe(expected.large.users);
  }, 180_000);

  it("into a fresh --persist-to state, applies the migrations first, as npm start does", async () => {
    const state = emptyState("import-test-");
    const result = await manage(state, ["import-django", "test/fixtures/django/dump.json"]);
    expect(result.output).not.toContain("no such table");
    expect(result.status).toBe(0);
    expect(result.output).toContain("Applied the pending D1 migrations to the local database.");
    expect(result.output).toContain(
      `Users: ${expected.users.length} imported, 0 already present, 0 skipped (conflicts).`,
    );
    expect((await query(state, "SELECT count(*) AS n FROM tokens"))[0]?.n).toBe(expected.tokens.length);

    // Already migrated: nothing to apply, nothing said about it.
    const again = await manage(state, ["import-django", "test/fixtures/django/dump.json"]);
    expect(again.status).toBe(0);
    expect(again.output).not.toContain("migrations");
    expect(again.output).toContain(
      `Users: 0 imported, ${expected.users.length} already present, 0 skipped (conflicts).`,
    );
  }, 180_000);

  it("fails clearly without a file", async () => {
    const state = freshState();
    expect((await manage(state, ["import-django", "/nonexistent.json"])).status).toBe(1);
  }, 60_000);
});
