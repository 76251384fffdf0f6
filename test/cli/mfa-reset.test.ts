/** `npm run manage -- mfa-reset`: an operator's way back in for a user locked out of their second factor. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalD1, manage, migratedState, openLocalD1, removeStates } from "../support/manage";

let state: string;
let d1: LocalD1;

const count = async (table: string, userId: number) =>
  Number((await d1.sql(`SELECT count(*) AS n FROM ${table} WHERE user_id = ?`, userId))[0]?.n);

async function seedUser(id: number, name: string): Promise<void> {
  await d1.sql(
    "INSERT INTO users (id, username, username_canonical, password_hash, date_joined_ms) VALUES (?, ?, ?, '!', 0)",
    id,
    name,
    name.toLowerCase(),
  );
  await d1.sql("INSERT INTO tokens (id, user_id, key_digest, created_ms) VALUES (?, ?, ?, 0)", `t${id}`, id, `d${id}`);
  await d1.sql(
    "INSERT INTO mfa_totp (user_id, secret_sealed, created_ms, confirmed_ms) VALUES (?, 'v1.x.y', 0, 1)",
    id,
  );
  await d1.sql("INSERT INTO mfa_recovery_codes (user_id, code_digest, created_ms) VALUES (?, ?, 0)", id, `c${id}`);
  await d1.sql(
    "INSERT INTO passkeys (id, user_id, credential_id, public_key, counter, name, created_ms) VALUES (?, ?, ?, 'pk', 0, 'Laptop', 0)",
    `p${id}`,
    id,
    `cred${id}`,
  );
  await d1.sql(
    "INSERT INTO mfa_logins (token_digest, user_id, account, created_ms, expires_ms) VALUES (?, ?, ?, 0, 9999999999999)",
    `m${id}`,
    id,
    name,
  );
  await d1.sql(
    "INSERT INTO webauthn_challenges (id, purpose, user_id, challenge, expires_ms) VALUES (?, 'register', ?, ?, 9999999999999)",
    `w${id}`,
    id,
    `ch${id}`,
  );
}

const TABLES = ["tokens", "mfa_totp", "mfa_recovery_codes", "passkeys", "mfa_logins", "webauthn_challenges"];

beforeAll(async () => {
  state = migratedState("mfa-reset-test-");
  d1 = await openLocalD1(state);
  await seedUser(1, "Locked");
  await seedUser(2, "bystander");
});

afterAll(async () => {
  await d1?.close();
  removeStates();
});

describe("npm run manage -- mfa-reset", () => {
  it("removes every second factor and pending step of the user and signs every device out", async () => {
    const result = await manage(state, ["mfa-reset", "locked"]);
    expect(result.status).toBe(0);
    expect(result.output).toContain(
      'Second factors of "Locked" removed (TOTP, 1 passkey(s), recovery codes); 1 token(s) revoked.',
    );
    for (const table of TABLES) expect({ table, rows: await count(table, 1) }).toEqual({ table, rows: 0 });
    for (const table of TABLES) expect({ table, rows: await count(table, 2) }).toEqual({ table, rows: 1 });
  });

  it("is an error for a missing user", async () => {
    const result = await manage(state, ["mfa-reset", "nobody"]);
    expect(result.status).toBe(1);
    expect(result.output).toContain('error: no user named "nobody"');
  });
});
