import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { keyDigest } from "../../src/auth/token-key";
import { call, json, login, PASSWORD, register, T0, TestClock, tokenHeader, uniqueName } from "../helpers";

const EXPIRED = { error: "Token has expired", is_authenticated: false };
const HOUR_MS = 3_600_000;

async function userStatus(key: string, clock: TestClock, ttl?: string): Promise<number> {
  const response = await call(
    "/auth/user/",
    { headers: tokenHeader(key) },
    { clock, env: ttl ? { TOKEN_TTL: ttl } : {} },
  );
  return response.status;
}

describe("token expiry against TOKEN_TTL", () => {
  it.each(["3600", "60m", "1h", "PT1H", "3600s"])(
    "keeps a token valid for exactly TOKEN_TTL=%s and no longer",
    async (ttl) => {
      const clock = new TestClock();
      const { username } = await register({ clock });
      const key = await login(username, { clock, env: { TOKEN_TTL: ttl } });

      clock.advance(HOUR_MS);
      expect(await userStatus(key, clock, ttl)).toBe(200);

      clock.advance(1);
      const response = await call("/auth/user/", { headers: tokenHeader(key) }, { clock, env: { TOKEN_TTL: ttl } });
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe("Token");
      expect(await response.text()).toBe(JSON.stringify(EXPIRED));
    },
  );

  it("defaults to 15 days", async () => {
    const clock = new TestClock();
    const { key } = await register({ clock });
    clock.advance(15 * 24 * HOUR_MS);
    expect(await userStatus(key, clock)).toBe(200);
    clock.advance(1000);
    expect(await userStatus(key, clock)).toBe(401);
  });

  it("reads the TTL at every check: shortening it expires older tokens at once, restoring it revives them", async () => {
    const clock = new TestClock();
    const { key } = await register({ clock });
    clock.advance(2 * HOUR_MS);
    expect(await userStatus(key, clock, "15d")).toBe(200);
    expect(await userStatus(key, clock, "1h")).toBe(401);
    expect(await userStatus(key, clock, "15d")).toBe(200);
  });

  it("reports the expiry at login and sizes the cookie to the TTL", async () => {
    const clock = new TestClock(T0);
    const { username } = await register({ clock });
    const response = await call("/auth/login/", json("POST", { username, password: PASSWORD }), {
      clock,
      env: { TOKEN_TTL: "12h" },
    });
    const body = (await response.json()) as { expiry: string };
    expect(body.expiry).toBe("2026-12-01T22:00:00.000000Z");
    expect(response.headers.get("set-cookie")).toContain("Max-Age=43200;");
  });

  it("keeps answering 'Token has expired' for an expired token until it is removed", async () => {
    const clock = new TestClock();
    const { key } = await register({ clock });
    clock.advance(16 * 24 * HOUR_MS);
    expect(await userStatus(key, clock)).toBe(401);
    expect(await userStatus(key, clock)).toBe(401);
    const row = await env.DB.prepare("SELECT count(*) AS n FROM tokens WHERE key_digest = ?")
      .bind(keyDigest(key))
      .first<{ n: number }>();
    expect(row?.n).toBe(1);
  });

  it("lets logout delete an expired token, after which it is unknown", async () => {
    const clock = new TestClock();
    const { key } = await register({ clock });
    clock.advance(16 * 24 * HOUR_MS);
    const logout = await call("/auth/logout/", { method: "POST", headers: tokenHeader(key) }, { clock });
    expect(logout.status).toBe(200);
    const response = await call("/auth/user/", { headers: tokenHeader(key) }, { clock });
    expect(await response.json()).toEqual({ error: "Invalid or Inactive Token", is_authenticated: false });
  });

  it("measures age from the token's own creation, not the account's", async () => {
    const clock = new TestClock();
    const { username } = await register({ clock, username: uniqueName() });
    clock.advance(20 * 24 * HOUR_MS);
    const fresh = await login(username, { clock });
    expect(await userStatus(fresh, clock)).toBe(200);
  });
});

describe("an invalid TOKEN_TTL", () => {
  it.each(["forever", "0", "-1h", "P1M"])(
    "fails every authenticated request closed with a clear 500 (%j)",
    async (ttl) => {
      const { key } = await register();
      const response = await call("/auth/user/", { headers: tokenHeader(key) }, { env: { TOKEN_TTL: ttl } });
      expect(response.status).toBe(500);
      const body = (await response.json()) as { detail: string };
      expect(body.detail).toMatch(/^Server configuration error: TOKEN_TTL must be a positive duration/);
    },
  );

  it("does not issue tokens either", async () => {
    const { username } = await register();
    const response = await call("/auth/login/", json("POST", { username, password: PASSWORD }), {
      env: { TOKEN_TTL: "x" },
    });
    expect(response.status).toBe(500);
  });
});
