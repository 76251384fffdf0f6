import { env } from "cloudflare:workers";
import { scryptSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hashPassword } from "../../src/auth/password-hash";
import {
  call,
  json,
  login,
  PASSWORD,
  register,
  TestClock,
  TOO_LONG,
  TOO_LONG_PASSWORD,
  tokenHeader,
  uniqueName,
} from "../helpers";

const BAD_CREDENTIALS = { non_field_errors: ["Unable to log in with provided credentials."] };
const loginWith = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  call("/auth/login/", json("POST", body, headers));

describe("POST /auth/login/", () => {
  it("answers {key, expiry, user} with the cookie and Cache-Control: no-store", async () => {
    const { username, pk } = await register();
    const response = await loginWith({ username, password: PASSWORD });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("content-type")).toBe("application/json");
    const body = (await response.json()) as { key: string; user: unknown };
    expect(Object.keys(body)).toEqual(["key", "expiry", "user"]);
    expect(body.user).toEqual({ pk, username, email: "", first_name: "", last_name: "" });
    expect(response.headers.get("set-cookie")).toContain(`auth_token=${body.key};`);
  });

  it("gives N logins N working tokens, one per device", async () => {
    const { username } = await register();
    const keys = await Promise.all(Array.from({ length: 5 }, () => login(username)));
    expect(new Set(keys).size).toBe(5);
    for (const key of keys) expect((await call("/auth/user/", { headers: tokenHeader(key) })).status).toBe(200);
  });

  it("accepts the username in any case, or the e-mail", async () => {
    const username = uniqueName();
    await register({ username, email: `${username}@example.com` });
    expect((await loginWith({ username: username.toUpperCase(), password: PASSWORD })).status).toBe(200);
    expect((await loginWith({ email: `${username.toUpperCase()}@EXAMPLE.com`, password: PASSWORD })).status).toBe(200);
    expect((await loginWith({ username: `${username}@example.com`, password: PASSWORD })).status).toBe(200);
    expect((await loginWith({ username: "", email: `${username}@example.com`, password: PASSWORD })).status).toBe(200);
  });

  it("accepts form and multipart bodies", async () => {
    const { username } = await register();
    const form = await call("/auth/login/", {
      method: "POST",
      body: new URLSearchParams({ username, password: PASSWORD }),
    });
    expect(form.status).toBe(200);
    const multipart = new FormData();
    multipart.append("username", username);
    multipart.append("password", PASSWORD);
    expect((await call("/auth/login/", { method: "POST", body: multipart })).status).toBe(200);
  });

  it("refuses a wrong password, an unknown user and an inactive user alike", async () => {
    const { username, pk } = await register();
    for (const body of [
      { username, password: "wrong password" },
      { username: uniqueName("nobody"), password: PASSWORD },
      { email: "nobody@example.com", password: PASSWORD },
    ]) {
      const response = await loginWith(body);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual(BAD_CREDENTIALS);
    }
    await env.DB.prepare("UPDATE users SET is_active = 0 WHERE id = ?").bind(pk).run();
    expect(await (await loginWith({ username, password: PASSWORD })).json()).toEqual(BAD_CREDENTIALS);
  });

  // Issue 12: these were 500s, the hashing engine reading the password's bytes as the number they spell.
  it("reads a JSON number as text, as DRF does, and refuses a wrong all-digit password like any other", async () => {
    const username = uniqueName();
    await register({ username, email: `${username}@example.com` });
    for (const body of [
      { username, password: 0 },
      { username, password: 83920174652 },
      { email: `${username}@example.com`, password: "83920174652" },
      { username: uniqueName("nobody"), password: "83920174652" },
      { username: uniqueName("nobody"), password: 0 },
      { username: uniqueName("nobody"), password: "7" },
    ]) {
      const response = await loginWith(body);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual(BAD_CREDENTIALS);
    }
  });

  it("signs in with a password sent as a JSON number (an all-digit password, imported from Django)", async () => {
    const { username, pk } = await register();
    await env.DB.prepare("UPDATE users SET password_hash = ? WHERE id = ?")
      .bind(await hashPassword("83920174652"), pk)
      .run();
    expect((await loginWith({ username, password: 83920174652 })).status).toBe(200);
    expect((await loginWith({ username, password: "83920174652" })).status).toBe(200);
  });

  it("refuses a password of any other type with DRF's messages", async () => {
    const { username } = await register();
    for (const [password, message] of [
      [true, "Not a valid string."],
      [null, "This field may not be null."],
      [["p"], "Not a valid string."],
      [{ p: 1 }, "Not a valid string."],
    ] as const) {
      const response = await loginWith({ username, password });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ password: [message] });
    }
  });

  it("refuses a password over 128 characters as a field error, as every password field does", async () => {
    const { username } = await register();
    const response = await loginWith({ username, password: TOO_LONG_PASSWORD });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ password: [TOO_LONG] });
    const unknown = await loginWith({ username: uniqueName("nobody"), password: TOO_LONG_PASSWORD });
    expect(await unknown.json()).toEqual({ password: [TOO_LONG] });
  });

  it("needs a password and a username or e-mail", async () => {
    const missing = await loginWith({});
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ password: ["This field is required."] });
    const neither = await loginWith({ password: PASSWORD });
    expect(await neither.json()).toEqual({
      non_field_errors: ['Must include either "username" or "email" and "password".'],
    });
    const badEmail = await loginWith({ email: "not-an-address", password: PASSWORD });
    expect(await badEmail.json()).toEqual({ email: ["Enter a valid email address."] });
  });

  it("ignores a stale, invalid or malformed token sent with good credentials", async () => {
    const { username, key } = await register();
    await call("/auth/logout/", { method: "POST", headers: tokenHeader(key) });
    for (const authorization of [`Token ${key}`, "Token junk", "Token a b", "Token"]) {
      expect((await loginWith({ username, password: PASSWORD }, { authorization })).status).toBe(200);
    }
  });

  it("stamps last_login and records the device", async () => {
    const clock = new TestClock();
    const { username, pk } = await register({ clock });
    clock.advance(60_000);
    await call(
      "/auth/login/",
      json(
        "POST",
        { username, password: PASSWORD, client: "ios" },
        { "user-agent": "MyApp/1.0", "cf-connecting-ip": "203.0.113.7" },
      ),
      { clock },
    );
    const user = await env.DB.prepare("SELECT last_login_ms FROM users WHERE id = ?")
      .bind(pk)
      .first<{ last_login_ms: number }>();
    expect(user?.last_login_ms).toBe(clock.nowMs);
    const token = await env.DB.prepare(
      "SELECT client, user_agent, ip, created_ms FROM tokens WHERE user_id = ? ORDER BY created_ms DESC LIMIT 1",
    )
      .bind(pk)
      .first();
    expect(token).toEqual({ client: "ios", user_agent: "MyApp/1.0", ip: "203.0.113.7", created_ms: clock.nowMs });
  });

  it.each([
    ["weaker Argon2id parameters", () => hashPassword(PASSWORD, { m: 8192, t: 1, p: 1 })],
    [
      "scrypt (what this service wrote before)",
      async () => {
        const hash = scryptSync(PASSWORD, "JrFPC3o3dhHJ8jd8GdGtKp", 64, { N: 2 ** 14, r: 8, p: 5, maxmem: 64 << 20 });
        return `scrypt$16384$JrFPC3o3dhHJ8jd8GdGtKp$8$5$${hash.toString("base64")}`;
      },
    ],
  ])("upgrades a hash made with %s at the next login", async (_name, makeHash) => {
    const { username, pk } = await register();
    await env.DB.prepare("UPDATE users SET password_hash = ? WHERE id = ?")
      .bind(await makeHash(), pk)
      .run();
    expect((await loginWith({ username, password: PASSWORD })).status).toBe(200);
    const row = await env.DB.prepare("SELECT password_hash FROM users WHERE id = ?")
      .bind(pk)
      .first<{ password_hash: string }>();
    expect(row?.password_hash).toMatch(/^argon2\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect((await loginWith({ username, password: PASSWORD })).status).toBe(200);
  });
});

describe("POST /auth/login/ from a browser page (login CSRF)", () => {
  it("refuses a foreign Origin with 403 before reading the body, and signs nothing in", async () => {
    const { username } = await register();
    for (const origin of ["https://evil.example", "null", "http://auth.example.com"]) {
      const response = await loginWith({ username, password: PASSWORD }, { origin });
      expect(response.status).toBe(403);
      expect(await response.text()).toBe(
        JSON.stringify({
          detail: `CSRF Failed: Origin checking failed - ${origin} does not match any trusted origins.`,
        }),
      );
      expect(response.headers.get("set-cookie")).toBeNull();
    }
    const malformed = await call("/auth/login/", {
      method: "POST",
      headers: { "content-type": "application/json", origin: "https://evil.example" },
      body: "{",
    });
    expect(malformed.status).toBe(403);
    const sessions = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM tokens JOIN users ON users.id = tokens.user_id WHERE users.username = ?",
    )
      .bind(username)
      .first<{ n: number }>();
    expect(sessions?.n).toBe(1);
  });

  it("proceeds without an Origin (native apps, curl), from its own origin and from ALLOWED_ORIGINS", async () => {
    const { username } = await register();
    expect((await loginWith({ username, password: PASSWORD })).status).toBe(200);
    expect((await loginWith({ username, password: PASSWORD }, { origin: "https://auth.example.com" })).status).toBe(
      200,
    );
    const allowed = await call(
      "/auth/login/",
      json("POST", { username, password: PASSWORD }, { origin: "https://app.example.com" }),
      { env: { ALLOWED_ORIGINS: "https://app.example.com" } },
    );
    expect(allowed.status).toBe(200);
  });
});

describe("POST /auth/logout/", () => {
  it("revokes only the presented token", async () => {
    const { username, key: first } = await register();
    const second = await login(username);
    const response = await call("/auth/logout/", { method: "POST", headers: tokenHeader(first) });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ detail: "Successfully logged out." });
    expect(response.headers.get("set-cookie")).toMatch(/^auth_token=; Max-Age=0; Path=\//);
    expect((await call("/auth/user/", { headers: tokenHeader(first) })).status).toBe(401);
    expect((await call("/auth/user/", { headers: tokenHeader(second) })).status).toBe(200);
  });

  it("answers 200 without a token, with an unknown one, or a malformed header", async () => {
    for (const headers of [{}, tokenHeader("etk_unknown"), { authorization: "Token a b" }]) {
      const response = await call("/auth/logout/", { method: "POST", headers });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ detail: "Successfully logged out." });
    }
  });

  it("revokes the cookie's token from a trusted page, and refuses a cross-site one", async () => {
    const { key } = await register();
    const forged = await call("/auth/logout/", {
      method: "POST",
      headers: { cookie: `auth_token=${key}`, origin: "https://evil.example" },
    });
    expect(forged.status).toBe(403);
    expect((await call("/auth/user/", { headers: tokenHeader(key) })).status).toBe(200);
    const own = await call("/auth/logout/", {
      method: "POST",
      headers: { cookie: `auth_token=${key}`, origin: "https://auth.example.com" },
    });
    expect(own.status).toBe(200);
    expect((await call("/auth/user/", { headers: tokenHeader(key) })).status).toBe(401);
  });

  it("is POST only", async () => {
    const response = await call("/auth/logout/");
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST, OPTIONS");
  });
});

describe("POST /auth/logoutall/", () => {
  it("revokes every token of the user and no one else's", async () => {
    const alice = await register();
    const aliceSecond = await login(alice.username);
    const bob = await register();
    const response = await call("/auth/logoutall/", { method: "POST", headers: tokenHeader(alice.key) });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
    for (const key of [alice.key, aliceSecond])
      expect((await call("/auth/user/", { headers: tokenHeader(key) })).status).toBe(401);
    expect((await call("/auth/user/", { headers: tokenHeader(bob.key) })).status).toBe(200);
  });

  it("requires authentication", async () => {
    const response = await call("/auth/logoutall/", { method: "POST" });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ detail: "Authentication credentials were not provided." });
  });
});
