import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { keyDigest } from "../../src/auth/token-key";
import { call, json, login, PASSWORD, recordingD1, register, TestClock, tokenHeader } from "../helpers";

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
