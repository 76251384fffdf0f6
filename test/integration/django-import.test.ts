import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { parseDjangoDump } from "../../src/import/django-dump";
import { D1_MAX_BOUND_PARAMETERS, importDjangoDump } from "../../src/import/django-import";
import { database } from "../../src/store/db";
import dump from "../fixtures/django/dump.json";
import expected from "../fixtures/django/expected.json";
import { call, json, mailbox, TestClock, tokenHeader } from "../helpers";

/** The dump's reference instant: fixture token ages are relative to it. */
const REFERENCE = Date.parse(expected.reference);
const db = database(env.DB);

const user = (name: string) =>
  expected.users.find((candidate) => candidate.username === name) as (typeof expected.users)[number];
const tokenOf = (name: string, table: string) =>
  expected.tokens.find((token) => token.username === name && token.table === table)?.key as string;

beforeAll(async () => {
  const report = await importDjangoDump(parseDjangoDump(dump), db);
  expect(report.usersImported).toBe(expected.users.length);
  expect(report.tokensImported).toBe(expected.tokens.length);
});

describe("users and tokens imported from a real Django dump", () => {
  it("authenticate with the very keys the Django server issued, on their original schedule", async () => {
    const clock = new TestClock(REFERENCE);
    const me = (key: string) => call("/auth/user/", { headers: tokenHeader(key) }, { clock });
    const bob = await me(tokenOf("bob", "authtoken"));
    expect(bob.status).toBe(200);
    expect(await bob.json()).toEqual({
      pk: user("bob").pk,
      username: "bob",
      email: "bob@example.com",
      first_name: "",
      last_name: "",
    });
    expect((await me(tokenOf("carol", "devices"))).status).toBe(200);
    // Created 20 days before the reference instant: past the 15-day TOKEN_TTL.
    expect(await (await me(tokenOf("dave", "devices"))).json()).toEqual({
      error: "Token has expired",
      is_authenticated: false,
    });
    // An inactive Django user stays refused.
    expect(await (await me(tokenOf("erin", "devices"))).json()).toEqual({
      error: "Invalid user",
      is_authenticated: false,
    });
  });

  it("keeps the username and e-mail exactly as Django stored them", async () => {
    const clock = new TestClock(REFERENCE);
    const response = await call("/auth/user/", { headers: tokenHeader(tokenOf("Grace.Hopper", "devices")) }, { clock });
    expect(await response.json()).toEqual({
      pk: user("Grace.Hopper").pk,
      username: "Grace.Hopper",
      email: "Grace.Hopper@Example.COM",
      first_name: "Grace",
      last_name: "Hopper",
    });
  });

  it("finds and protects that e-mail in any case", async () => {
    const taken = await call(
      "/auth/registration/",
      json("POST", {
        username: "ghopper",
        email: "GRACE.HOPPER@example.com",
        password1: "x7-Q!long",
        password2: "x7-Q!long",
      }),
    );
    expect(await taken.json()).toEqual({ email: ["A user is already registered with this e-mail address."] });
    // Looked up by its canonical form, mailed to the address as stored.
    const box = mailbox();
    const reset = await call("/auth/password/reset/", json("POST", { email: "grace.hopper@EXAMPLE.com" }), {
      env: box.env,
    });
    expect(reset.status).toBe(200);
    expect((await box.read()).messages.map((message) => message.body.to)).toEqual(["Grace.Hopper@Example.COM"]);
  });

  it("stores only digests of the Django keys", async () => {
    const rows = JSON.stringify((await env.DB.prepare("SELECT * FROM tokens").all()).results);
    for (const token of expected.tokens) expect(rows).not.toContain(token.key);
  });

  it("lets a user log in with the original password, then upgrades the hash to Argon2id", async () => {
    const alice = user("alice");
    const login = () => call("/auth/login/", json("POST", { username: "alice", password: alice.password }));
    const first = await login();
    expect(first.status).toBe(200);
    expect(((await first.json()) as { user: { pk: number } }).user.pk).toBe(alice.pk);
    const row = await env.DB.prepare("SELECT password_hash FROM users WHERE id = ?")
      .bind(alice.pk)
      .first<{ password_hash: string }>();
    expect(row?.password_hash).toMatch(/^argon2\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect((await login()).status).toBe(200);
  }, 120_000);

  it("refuses a password whose Django hasher is not supported, and an unusable one", async () => {
    for (const username of ["grace", "frank"]) {
      const response = await call("/auth/login/", json("POST", { username, password: "grace-secret" }));
      expect(await response.json()).toEqual({ non_field_errors: ["Unable to log in with provided credentials."] });
    }
  });
});

describe("Django PBKDF2 hashes above the iteration ceiling", () => {
  it("are imported but named in the summary: their users must reset their password", async () => {
    const report = await importDjangoDump(
      parseDjangoDump([
        {
          model: "auth.user",
          pk: 9001,
          fields: {
            username: "ceiling",
            email: "ceiling@example.com",
            password: `pbkdf2_sha256$1200000$NaClSalt123$${"A".repeat(43)}=`,
            date_joined: "2026-01-01T00:00:00Z",
          },
        },
      ]),
      db,
    );
    expect(report.usersImported).toBe(1);
    expect(report.passwordWarnings).toEqual([
      '"ceiling" has a pbkdf2_sha256 hash of 1,200,000 iterations, more than the 1,000,000 verified here: they must reset their password',
    ]);
  });
});

describe("a dump of many users and tokens", () => {
  /** env.DB, noting the most parameters any statement binds. */
  function measuredD1(): { d1: D1Database; mostParameters: () => number } {
    let most = 0;
    const d1 = {
      prepare(query: string) {
        const statement = env.DB.prepare(query);
        const bind = statement.bind.bind(statement);
        statement.bind = (...values: unknown[]) => {
          most = Math.max(most, values.length);
          return bind(...values);
        };
        return statement;
      },
      batch: (statements: D1PreparedStatement[]) => env.DB.batch(statements),
    };
    return { d1: d1 as unknown as D1Database, mostParameters: () => most };
  }

  it("is imported in statements within D1's limit of bound parameters, and only once", async () => {
    const records = Array.from({ length: 150 }, (_, index) => [
      {
        model: "auth.user",
        pk: 20_000 + index,
        fields: {
          username: `bulk${index}`,
          email: `bulk${index}@example.com`,
          password: "!",
          date_joined: "2026-01-01T00:00:00Z",
        },
      },
      {
        model: "authtoken.token",
        pk: `bulk-key-${index}`,
        fields: { user: 20_000 + index, created: "2026-11-01T00:00:00Z" },
      },
    ]).flat();
    const measured = measuredD1();
    const first = await importDjangoDump(parseDjangoDump(records), database(measured.d1));
    expect(first).toMatchObject({ usersImported: 150, tokensImported: 150 });
    expect(measured.mostParameters()).toBeGreaterThan(0);
    expect(measured.mostParameters()).toBeLessThanOrEqual(D1_MAX_BOUND_PARAMETERS);
    const again = await importDjangoDump(parseDjangoDump(records), database(measured.d1));
    expect(again).toMatchObject({
      usersImported: 0,
      usersAlreadyPresent: 150,
      tokensImported: 0,
      tokensAlreadyPresent: 150,
    });
  });
});
