import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyPassword } from "../../src/auth/password-hash";
import { keyDigest } from "../../src/auth/token-key";
import { parseSigningJwk } from "../../src/gateway/signing-key";
import { type LocalD1, manage as manageIn, migratedState, openLocalD1, removeStates } from "../support/manage";

const PASSWORD = "a long operator passphrase";
let state: string;
let db: LocalD1;

/** Runs the CLI as `npm run manage` does (tsx scripts/manage.ts), on the test's own local D1. */
function manage(args: string[], stdin = "", viaNpm = false): Promise<{ status: number; output: string }> {
  return manageIn(state, args, { stdin, viaNpm });
}

async function insertToken(userId: number, createdMs: number): Promise<void> {
  const id = `t${Math.random().toString(36).slice(2)}`;
  await db.sql(
    "INSERT INTO tokens (id, user_id, key_digest, created_ms) VALUES (?, ?, ?, ?)",
    id,
    userId,
    keyDigest(id),
    createdMs,
  );
}

const userRow = async (name: string) =>
  (await db.sql("SELECT * FROM users WHERE username_canonical = ?", name))[0] as Record<string, unknown>;
const tokenCount = async (userId: number) =>
  Number((await db.sql("SELECT count(*) AS n FROM tokens WHERE user_id = ?", userId))[0]?.n);

beforeAll(async () => {
  state = migratedState();
  db = await openLocalD1(state);
});

afterAll(async () => {
  await db?.close();
  removeStates();
});

describe("npm run manage", () => {
  it("createsuperuser creates a staff superuser whose password verifies, without printing it", async () => {
    const result = await manage(
      ["createsuperuser", "--username", "Root", "--email", "root@example.com", "--password-stdin"],
      `${PASSWORD}\n`,
      true,
    );
    expect(result).toMatchObject({ status: 0 });
    expect(result.output).toContain('Superuser "Root" created.');
    expect(result.output).not.toContain(PASSWORD);
    const row = await userRow("root");
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

  it("create-user refuses a taken name, a weak password and bad input", async () => {
    expect((await manage(["create-user", "root", "--password-stdin"], PASSWORD)).output).toContain(
      'a user named "root" already exists',
    );
    const weak = await manage(["create-user", "weakling", "--password-stdin"], "password");
    expect(weak.status).toBe(1);
    expect(weak.output).toContain("This password is too common.");
    // Longer than any password field accepts, so no one could sign in with it: not even --force lets it through.
    const tooLong = await manage(["create-user", "longwinded", "--force", "--password-stdin"], "x1y2z3w4".repeat(17));
    expect(tooLong.status).toBe(1);
    expect(tooLong.output).toContain("at most 128 characters");
    expect((await manage(["create-user", "bad name", "--password-stdin"], PASSWORD)).output).toContain(
      "invalid username",
    );
    expect(
      (await manage(["create-user", "alice", "--email", "root@example.com", "--password-stdin"], PASSWORD)).output,
    ).toContain("e-mail address");
    const created = await manage(["create-user", "alice", "--staff", "--password-stdin"], PASSWORD);
    expect(created.status).toBe(0);
    expect(await userRow("alice")).toMatchObject({ is_staff: 1, is_superuser: 0 });
  });

  it("create-user applies the registration's field rules to the username and the e-mail address", async () => {
    const tooLong = await manage(["create-user", "x".repeat(151), "--password-stdin"], PASSWORD);
    expect(tooLong.status).toBe(1);
    expect(tooLong.output).toContain("Ensure this field has no more than 150 characters.");
    // A well-formed address of 316 characters: Django's EmailValidator takes it, the registration's 254 do not.
    const label = "d".repeat(60);
    const longAddress = `${"a".repeat(64)}@${label}.${label}.${label}.${label}.example`;
    const longEmail = await manage(["create-user", "longmail", "--email", longAddress, "--password-stdin"], PASSWORD);
    expect(longEmail.status).toBe(1);
    expect(longEmail.output).toContain("Ensure this field has no more than 254 characters.");
  });

  it("reaches the database through wrangler's platform proxy, never `wrangler d1 execute`", async () => {
    // A wrangler on PATH that logs its arguments, then runs the real one.
    const bin = mkdtempSync(join(tmpdir(), "wrangler-shim-"));
    const log = join(bin, "calls.log");
    const real = join(process.cwd(), "node_modules", ".bin", "wrangler");
    writeFileSync(join(bin, "wrangler"), `#!/bin/sh\necho "$*" >> "${log}"\nexec "${real}" "$@"\n`, { mode: 0o755 });
    try {
      const result = await manageIn(state, ["revoke-tokens", "root"], {
        env: { PATH: `${bin}:${process.env.PATH ?? ""}` },
      });
      expect(result.status).toBe(0);
      expect(result.output).toContain('token(s) of "Root" revoked.');
      const calls = existsSync(log) ? readFileSync(log, "utf8") : "";
      expect(calls).not.toContain("d1 execute");
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it("set-password replaces the hash and revokes every token", async () => {
    const alice = await userRow("alice");
    await insertToken(Number(alice.id), Date.now());
    await insertToken(Number(alice.id), Date.now());
    const result = await manage(["set-password", "ALICE", "--password-stdin"], "another long passphrase\n");
    expect(result.status).toBe(0);
    expect(result.output).toContain("2 token(s) revoked");
    expect(await verifyPassword("another long passphrase", String((await userRow("alice")).password_hash))).toBe(true);
    expect(await tokenCount(Number(alice.id))).toBe(0);
  });

  it("deactivate and activate flip is_active", async () => {
    expect((await manage(["deactivate", "alice"])).status).toBe(0);
    expect((await userRow("alice")).is_active).toBe(0);
    expect((await manage(["activate", "alice"])).status).toBe(0);
    expect((await userRow("alice")).is_active).toBe(1);
  });

  it("revoke-tokens signs every device of one user out", async () => {
    const alice = Number((await userRow("alice")).id);
    const root = Number((await userRow("root")).id);
    await insertToken(alice, Date.now());
    await insertToken(root, Date.now());
    expect((await manage(["revoke-tokens", "alice"])).output).toContain('1 token(s) of "alice" revoked.');
    expect(await tokenCount(alice)).toBe(0);
    expect(await tokenCount(root)).toBe(1);
  });

  it("purge-expired deletes only tokens older than the TTL", async () => {
    const root = Number((await userRow("root")).id);
    await insertToken(root, Date.now() - 2 * 3_600_000);
    const result = await manage(["purge-expired", "--var", "TOKEN_TTL:1h", "--var", "EXPIRED_TOKEN_RETENTION:1s"]);
    expect(result.output).toContain("1 tokens past every TTL deleted.");
    expect(await tokenCount(root)).toBe(1);
  });

  it.each([["set-password"], ["deactivate"], ["activate"], ["revoke-tokens"]])(
    "%s fails clearly for a missing user",
    async (command) => {
      const result = await manage([command, "ghost", "--password-stdin"], PASSWORD);
      expect(result.status).toBe(1);
      expect(result.output).toContain('error: no user named "ghost"');
    },
  );

  it("gateway-key prints a private Ed25519 JWK the Worker accepts", async () => {
    const result = await manage(["gateway-key", "--kid", "2026-12"]);
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

  it("explains unknown commands", async () => {
    const result = await manage(["frobnicate"]);
    expect(result.status).toBe(1);
    expect(result.output).toContain('unknown command "frobnicate"');
  });
});
