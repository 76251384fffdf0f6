import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { keyDigest } from "../../src/auth/token-key";
import { MemoryLayer } from "../../src/cache/memory-layer";
import {
  call,
  json,
  login,
  mailbox,
  PASSWORD,
  recordingD1,
  register,
  TestClock,
  tokenHeader,
  uniqueName,
} from "../helpers";
import { enrolTotp, mfaOptions } from "../support/mfa";

const CACHE = { TOKEN_CACHE_TTL: "30s" };

async function me(key: string, clock: TestClock, vars: Record<string, string> = CACHE) {
  const recorded = recordingD1(env.DB);
  const response = await call(
    "/auth/user/",
    { headers: tokenHeader(key) },
    { clock, env: { ...vars, DB: recorded.db } },
  );
  return { status: response.status, body: await response.json(), queries: recorded.statements.length };
}

describe("TOKEN_CACHE_TTL", () => {
  it("is off by default: every authenticated request reads D1", async () => {
    const clock = new TestClock();
    const { key } = await register({ clock });
    expect((await me(key, clock, {})).queries).toBe(1);
    expect((await me(key, clock, {})).queries).toBe(1);
  });

  it("serves a validated token from the isolate's memory for up to TOKEN_CACHE_TTL", async () => {
    const clock = new TestClock();
    const { key } = await register({ clock });
    expect((await me(key, clock)).queries).toBe(1);
    clock.advance(30_000);
    expect(await me(key, clock)).toMatchObject({ status: 200, queries: 0 });
    clock.advance(1);
    expect((await me(key, clock)).queries).toBe(1);
  });

  it("applies revocations made through this isolate at once", async () => {
    const clock = new TestClock();
    const { username, key } = await register({ clock });
    const other = await login(username, { clock });
    await me(key, clock);
    await me(other, clock);
    await call("/auth/logout/", { method: "POST", headers: tokenHeader(key) }, { clock, env: CACHE });
    expect((await me(key, clock)).status).toBe(401);
    await call("/auth/logoutall/", { method: "POST", headers: tokenHeader(other) }, { clock, env: CACHE });
    expect((await me(other, clock)).status).toBe(401);
  });

  it("drops a user's cached tokens when the password changes", async () => {
    const clock = new TestClock();
    const { username, key } = await register({ clock });
    const phone = await login(username, { clock });
    await me(phone, clock);
    const body = {
      old_password: PASSWORD,
      new_password1: "another long passphrase",
      new_password2: "another long passphrase",
    };
    expect(
      (await call("/auth/password/change/", json("POST", body, tokenHeader(key)), { clock, env: CACHE })).status,
    ).toBe(200);
    expect((await me(phone, clock)).status).toBe(401);
  });

  it("lags behind revocations made elsewhere by at most TOKEN_CACHE_TTL", async () => {
    const clock = new TestClock();
    const { key, pk } = await register({ clock });
    await me(key, clock);
    await env.DB.prepare("DELETE FROM tokens WHERE key_digest = ?").bind(keyDigest(key)).run();
    await env.DB.prepare("UPDATE users SET is_active = 0 WHERE id = ?").bind(pk).run();
    clock.advance(10_000);
    expect((await me(key, clock)).status).toBe(200);
    clock.advance(20_001);
    expect((await me(key, clock)).status).toBe(401);
  });

  it("never serves a token past its own expiry", async () => {
    const clock = new TestClock();
    const vars = { ...CACHE, TOKEN_TTL: "60s" };
    const { username } = await register({ clock });
    const key = await login(username, { clock, env: vars });
    clock.advance(50_000);
    expect((await me(key, clock, vars)).status).toBe(200);
    clock.advance(10_001);
    expect((await me(key, clock, vars)).body).toEqual({ error: "Token has expired", is_authenticated: false });
  });

  it("drops only the tokens a login evicts by MAX_TOKENS_PER_USER, not the user's others", async () => {
    const clock = new TestClock();
    const vars = { ...CACHE, MAX_TOKENS_PER_USER: "2" };
    const { username, key: oldest } = await register({ clock });
    clock.advance(1000);
    const kept = await login(username, { clock, env: vars });
    await me(oldest, clock, vars);
    await me(kept, clock, vars);
    clock.advance(1000);
    await login(username, { clock, env: vars });
    expect((await me(oldest, clock, vars)).status).toBe(401);
    expect(await me(kept, clock, vars)).toMatchObject({ status: 200, queries: 0 });
  });
});

describe("TOKEN_CACHE_TTL: the data centre's layer (Cache API)", () => {
  /** A request from another isolate of the same data centre: its memory is empty, the Cache API is shared. */
  async function elsewhere(key: string, clock: TestClock, vars: Record<string, string> = CACHE) {
    const recorded = recordingD1(env.DB);
    const response = await call(
      "/auth/user/",
      { headers: tokenHeader(key) },
      { clock, env: { ...vars, DB: recorded.db }, sessionMemory: new MemoryLayer() },
    );
    // Reads only: a use due for its `last_used` stamp also writes, after the response.
    const queries = recorded.statements.filter((sql) => /^select/i.test(sql)).length;
    return { status: response.status, body: await response.json(), queries };
  }

  it("shares a validated token with every isolate of the data centre", async () => {
    const clock = new TestClock();
    const { key, username } = await register({ clock });
    expect((await me(key, clock)).queries).toBe(1);
    // Gone from D1 behind the service's back: only the shared layer can still answer.
    await env.DB.prepare("DELETE FROM tokens WHERE key_digest = ?").bind(keyDigest(key)).run();
    clock.advance(10_000);
    expect(await elsewhere(key, clock)).toMatchObject({ status: 200, queries: 0, body: { username } });
    expect(await elsewhere(key, clock)).toMatchObject({ status: 200, queries: 0 });
  });

  it("counts TOKEN_CACHE_TTL from the D1 read, however the copy travelled between layers", async () => {
    const clock = new TestClock();
    const { key } = await register({ clock });
    await me(key, clock);
    clock.advance(20_000);
    const isolate = new MemoryLayer();
    const fromIsolate = async () => {
      const recorded = recordingD1(env.DB);
      const options = { clock, env: { ...CACHE, DB: recorded.db }, sessionMemory: isolate };
      const response = await call("/auth/user/", { headers: tokenHeader(key) }, options);
      return { status: response.status, queries: recorded.statements.length };
    };
    expect(await fromIsolate()).toEqual({ status: 200, queries: 0 });
    clock.advance(10_001);
    expect(await fromIsolate()).toEqual({ status: 200, queries: 1 });
  });

  it("never serves a shared copy past the token's expiry", async () => {
    const clock = new TestClock();
    const vars = { ...CACHE, TOKEN_TTL: "60s" };
    const { username } = await register({ clock });
    const key = await login(username, { clock, env: vars });
    clock.advance(50_000);
    expect((await me(key, clock, vars)).queries).toBe(1);
    clock.advance(10_001);
    expect(await elsewhere(key, clock, vars)).toEqual({
      status: 401,
      body: { error: "Token has expired", is_authenticated: false },
      queries: 1,
    });
  });

  it("never caches an unknown, inactive or expired answer", async () => {
    const clock = new TestClock();
    const { key, pk } = await register({ clock });
    await env.DB.prepare("UPDATE users SET is_active = 0 WHERE id = ?").bind(pk).run();
    expect((await me(key, clock)).body).toEqual({ error: "Invalid user", is_authenticated: false });
    await env.DB.prepare("UPDATE users SET is_active = 1 WHERE id = ?").bind(pk).run();
    expect(await elsewhere(key, clock)).toMatchObject({ status: 200, queries: 1 });

    const unknown = await register({ clock });
    const row = await env.DB.prepare("SELECT * FROM tokens WHERE user_id = ?").bind(unknown.pk).first();
    await env.DB.prepare("DELETE FROM tokens WHERE user_id = ?").bind(unknown.pk).run();
    expect((await me(unknown.key, clock)).status).toBe(401);
    const columns = Object.keys(row ?? {});
    await env.DB.prepare(`INSERT INTO tokens (${columns}) VALUES (${columns.map(() => "?")})`)
      .bind(...Object.values(row ?? {}))
      .run();
    expect(await elsewhere(unknown.key, clock)).toMatchObject({ status: 200, queries: 1 });

    const vars = { ...CACHE, TOKEN_TTL: "60s" };
    const expiring = await register({ clock });
    clock.advance(60_001);
    expect((await me(expiring.key, clock, vars)).status).toBe(401);
    expect(await elsewhere(expiring.key, clock, { ...CACHE, TOKEN_TTL: "1h" })).toMatchObject({
      status: 200,
      queries: 1,
    });
  });

  const change = (password: string) => ({
    old_password: password,
    new_password1: "another long passphrase",
    new_password2: "another long passphrase",
  });

  it.each([
    ["logout", (key: string) => call("/auth/logout/", { method: "POST", headers: tokenHeader(key) }, { env: CACHE })],
    [
      "logoutall from another device",
      async (_key: string, username: string) => {
        const other = await login(username);
        return call("/auth/logoutall/", { method: "POST", headers: tokenHeader(other) }, { env: CACHE });
      },
    ],
    [
      "session delete from another device",
      async (key: string, username: string) => {
        const other = await login(username);
        const id = await env.DB.prepare("SELECT id FROM tokens WHERE key_digest = ?")
          .bind(keyDigest(key))
          .first<string>("id");
        return call(`/auth/sessions/${id}/`, { method: "DELETE", headers: tokenHeader(other) }, { env: CACHE });
      },
    ],
    [
      "password change on another device",
      async (_key: string, username: string) => {
        const other = await login(username);
        return call("/auth/password/change/", json("POST", change(PASSWORD), tokenHeader(other)), { env: CACHE });
      },
    ],
    [
      "a login beyond MAX_TOKENS_PER_USER",
      async (_key: string, username: string) => {
        const capped = { env: { ...CACHE, MAX_TOKENS_PER_USER: "1" } };
        return call("/auth/login/", json("POST", { username, password: PASSWORD }), capped);
      },
    ],
  ])("purges both layers on %s", async (_name, revoke) => {
    const clock = new TestClock();
    const { key, username } = await register({ clock });
    expect((await me(key, clock)).status).toBe(200);
    expect((await elsewhere(key, clock)).queries).toBe(0);
    expect((await revoke(key, username)).status).toBeLessThan(300);
    expect(await me(key, clock)).toMatchObject({ status: 401, queries: 1 });
    expect(await elsewhere(key, clock)).toMatchObject({ status: 401, queries: 1 });
  });

  it("purges both layers when the password is reset", async () => {
    const box = mailbox();
    const username = uniqueName();
    const email = `${username}@example.com`;
    const clock = new TestClock();
    const { key } = await register({ username, email, clock });
    await me(key, clock);
    expect((await elsewhere(key, clock)).queries).toBe(0);
    await call("/auth/password/reset/", json("POST", { email }), { env: box.env, clock });
    const data = (await box.read()).messages[0]?.body.data as { uid: string; token: string };
    const { new_password1, new_password2 } = change("");
    const reset = { uid: data.uid, token: data.token, new_password1, new_password2 };
    const confirmed = await call("/auth/password/reset/confirm/", json("POST", reset), { clock, env: CACHE });
    expect(confirmed.status).toBe(200);
    expect(await elsewhere(key, clock)).toMatchObject({ status: 401, queries: 1 });
  });

  it("purges the data centre's copies of the other devices' tokens when a second factor is enabled", async () => {
    // Longer than the enrolment takes (it moves the clock past the confirming code's step).
    const vars = { TOKEN_CACHE_TTL: "5m" };
    const clock = new TestClock();
    const { key, username } = await register({ clock });
    const phone = await login(username, { clock });
    await me(phone, clock, vars);
    expect((await elsewhere(phone, clock, vars)).queries).toBe(0);
    await enrolTotp(key, mfaOptions(clock, vars));
    expect(await elsewhere(phone, clock, vars)).toMatchObject({ status: 401, queries: 1 });
  });

  it("drops the shared copies when the user's details change, so no isolate shows the old username", async () => {
    const clock = new TestClock();
    const { key, username } = await register({ clock });
    const phone = await login(username, { clock });
    await me(phone, clock);
    expect((await elsewhere(phone, clock)).queries).toBe(0);
    const renamed = `${username}_x`;
    const edit = await call("/auth/user/", json("PATCH", { username: renamed }, tokenHeader(key)), {
      clock,
      env: CACHE,
    });
    expect(edit.status).toBe(200);
    expect(await elsewhere(phone, clock)).toMatchObject({ status: 200, queries: 1, body: { username: renamed } });
  });
});
