import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyPassword } from "../../src/auth/password-hash";
import { keyDigest } from "../../src/auth/token-key";
import { parseSigningJwk } from "../../src/gateway/signing-key";

const PASSWORD = "a long operator passphrase";
let state: string;

/** Runs the CLI as `npm run manage` does (tsx scripts/manage.ts), on the test's own local D1. */
function manage(args: string[], stdin = "", viaNpm = false): { status: number; output: string } {
  const command = viaNpm ? ["npm", "run", "-s", "manage", "--"] : ["tsx", "scripts/manage.ts"];
  const result = spawnSync(command[0] as string, [...command.slice(1), ...args, "--persist-to", state], {
    input: stdin,
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  return { status: result.status ?? 1, output: `${result.stdout}${result.stderr}` };
}

/** Reads and seeds the CLI's local D1 directly through its SQLite file (fast; wrangler stays the CLI's path). */
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

async function insertToken(userId: number, createdMs: number): Promise<void> {
  const id = `t${Math.random().toString(36).slice(2)}`;
  sql(
    `INSERT INTO tokens (id, user_id, key_digest, created_ms) VALUES ('${id}', ${userId}, '${keyDigest(id)}', ${createdMs})`,
  );
}

const userRow = (name: string) =>
  sql(`SELECT * FROM users WHERE username_canonical = '${name}'`)[0] as Record<string, unknown>;
const tokenCount = (userId: number) => Number(sql(`SELECT count(*) AS n FROM tokens WHERE user_id = ${userId}`)[0]?.n);

beforeAll(() => {
  state = mkdtempSync(join(tmpdir(), "manage-test-"));
  const migrated = spawnSync("wrangler", ["d1", "migrations", "apply", "DB", "--local", "--persist-to", state], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  expect(migrated.status).toBe(0);
});

afterAll(() => {
  rmSync(state, { recursive: true, force: true });
});

describe("npm run manage", () => {
  it("createsuperuser creates a staff superuser whose password verifies, without printing it", async () => {
    const result = manage(
      ["createsuperuser", "--username", "Root", "--email", "root@example.com", "--password-stdin"],
      `${PASSWORD}\n`,
      true,
    );
    expect(result).toMatchObject({ status: 0 });
    expect(result.output).toContain('Superuser "Root" created.');
    expect(result.output).not.toContain(PASSWORD);
    const row = userRow("root");
    expect(row).toMatchObject({
      username: "Root",
      email: "root@example.com",
      is_staff: 1,
      is_superuser: 1,
      is_active: 1,
      email_verified: 1,
    });
    expect(await verifyPassword(PASSWORD, String(row.password_hash))).toBe(true);
  });

  it("create-user refuses a taken name, a weak password and bad input", () => {
    expect(manage(["create-user", "root", "--password-stdin"], PASSWORD).output).toContain(
      'a user named "root" already exists',
    );
    const weak = manage(["create-user", "weakling", "--password-stdin"], "password");
    expect(weak.status).toBe(1);
    expect(weak.output).toContain("This password is too common.");
    // Longer than any password field accepts, so no one could sign in with it: not even --force lets it through.
    const tooLong = manage(["create-user", "longwinded", "--force", "--password-stdin"], "x1y2z3w4".repeat(17));
    expect(tooLong.status).toBe(1);
    expect(tooLong.output).toContain("at most 128 characters");
    expect(manage(["create-user", "bad name", "--password-stdin"], PASSWORD).output).toContain("invalid username");
    expect(
      manage(["create-user", "alice", "--email", "root@example.com", "--password-stdin"], PASSWORD).output,
    ).toContain("e-mail address");
    const created = manage(["create-user", "alice", "--staff", "--password-stdin"], PASSWORD);
    expect(created.status).toBe(0);
    expect(userRow("alice")).toMatchObject({ is_staff: 1, is_superuser: 0 });
  });

  it("set-password replaces the hash and revokes every token", async () => {
    const alice = userRow("alice");
    await insertToken(Number(alice.id), Date.now());
    await insertToken(Number(alice.id), Date.now());
    const result = manage(["set-password", "ALICE", "--password-stdin"], "another long passphrase\n");
    expect(result.status).toBe(0);
    expect(result.output).toContain("2 token(s) revoked");
    expect(await verifyPassword("another long passphrase", String(userRow("alice").password_hash))).toBe(true);
    expect(tokenCount(Number(alice.id))).toBe(0);
  });

  it("deactivate and activate flip is_active", () => {
    expect(manage(["deactivate", "alice"]).status).toBe(0);
    expect(userRow("alice").is_active).toBe(0);
    expect(manage(["activate", "alice"]).status).toBe(0);
    expect(userRow("alice").is_active).toBe(1);
  });

  it("revoke-tokens signs every device of one user out", async () => {
    const alice = Number(userRow("alice").id);
    const root = Number(userRow("root").id);
    await insertToken(alice, Date.now());
    await insertToken(root, Date.now());
    expect(manage(["revoke-tokens", "alice"]).output).toContain('1 token(s) of "alice" revoked.');
    expect(tokenCount(alice)).toBe(0);
    expect(tokenCount(root)).toBe(1);
  });

  it("purge-expired deletes only tokens older than the TTL", async () => {
    const root = Number(userRow("root").id);
    await insertToken(root, Date.now() - 2 * 3_600_000);
    const result = manage(["purge-expired", "--var", "TOKEN_TTL:1h", "--var", "EXPIRED_TOKEN_RETENTION:1s"]);
    expect(result.output).toContain("1 tokens past every TTL deleted.");
    expect(tokenCount(root)).toBe(1);
  });

  it.each([["set-password"], ["deactivate"], ["activate"], ["revoke-tokens"]])(
    "%s fails clearly for a missing user",
    (command) => {
      const result = manage([command, "ghost", "--password-stdin"], PASSWORD);
      expect(result.status).toBe(1);
      expect(result.output).toContain('error: no user named "ghost"');
    },
  );

  it("gateway-key prints a private Ed25519 JWK the Worker accepts", () => {
    const result = manage(["gateway-key", "--kid", "2026-12"]);
    expect(result.status).toBe(0);
    const jwk = JSON.parse(result.output) as Record<string, string>;
    expect(jwk).toMatchObject({ kty: "OKP", crv: "Ed25519", kid: "2026-12" });
    expect(parseSigningJwk(result.output, true)?.publicJwk).toEqual({
      kty: "OKP",
      crv: "Ed25519",
      x: jwk.x,
      alg: "EdDSA",
      kid: "2026-12",
      use: "sig",
    });
  });

  it("explains unknown commands", () => {
    const result = manage(["frobnicate"]);
    expect(result.status).toBe(1);
    expect(result.output).toContain('unknown command "frobnicate"');
  });
});
