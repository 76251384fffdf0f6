import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { keyDigest } from "../../src/auth/token-key";
import { call, json, login, PASSWORD, recordingD1, register, T0, TestClock, tokenHeader, uniqueName } from "../helpers";

const HOUR_MS = 3_600_000;

interface SessionJson {
  id: string;
  created: string;
  last_used: string;
  expiry: string;
  client: string | null;
  user_agent: string | null;
  ip: string | null;
  location: string | null;
  current: boolean;
}

async function sessions(key: string, options: Parameters<typeof call>[2] = {}): Promise<SessionJson[]> {
  const response = await call("/auth/sessions/", { headers: tokenHeader(key) }, options);
  expect(response.status).toBe(200);
  return (await response.json()) as SessionJson[];
}

/** Logs in through a request carrying the edge's `cf` data, as Cloudflare sends it. */
async function loginFrom(
  username: string,
  client: string | undefined,
  cf: Record<string, string>,
  options: Parameters<typeof call>[2] = {},
) {
  const body = client ? { username, password: PASSWORD, client } : { username, password: PASSWORD };
  const request = new Request("https://auth.example.com/auth/login/", {
    ...json("POST", body, { "user-agent": "Mozilla/5.0 (iPhone) Safari/605", "cf-connecting-ip": "198.51.100.4" }),
    cf,
  } as RequestInit);
  const response = await call(request.url, request, options);
  expect(response.status).toBe(200);
  return ((await response.json()) as { key: string }).key;
}

describe("GET /auth/sessions/", () => {
  it("lists each live token with its device and marks the current one, never the key", async () => {
    const clock = new TestClock();
    const { username, key: first } = await register({ clock });
    clock.advance(1000);
    const second = await loginFrom(username, "ios", { city: "Berlin", country: "DE" }, { clock });
    const list = await sessions(second, { clock });
    expect(list).toHaveLength(2);
    const [newest, oldest] = list as [SessionJson, SessionJson];
    expect(Object.keys(newest)).toEqual([
      "id",
      "created",
      "last_used",
      "expiry",
      "client",
      "user_agent",
      "ip",
      "location",
      "current",
    ]);
    expect(newest).toMatchObject({
      client: "ios",
      user_agent: "Mozilla/5.0 (iPhone) Safari/605",
      ip: "198.51.100.4",
      location: "Berlin, DE",
      current: true,
      created: "2026-12-01T10:00:01.000000Z",
      expiry: "2026-12-16T10:00:01.000000Z",
    });
    expect(newest.id).toMatch(/^[0-9A-Za-z]{16}$/);
    expect(oldest).toMatchObject({ current: false, location: null, client: "api" });
    const text = JSON.stringify(list);
    for (const key of [first, second]) expect(text).not.toContain(key.slice(4, 36));
    const digests = await env.DB.prepare("SELECT key_digest FROM tokens").all<{ key_digest: string }>();
    for (const { key_digest } of digests.results) expect(text).not.toContain(key_digest);
  });

  it("leaves out expired tokens", async () => {
    const clock = new TestClock();
    const { username } = await register({ clock });
    clock.advance(10 * 86_400_000);
    const fresh = await login(username, { clock });
    expect(await sessions(fresh, { clock, env: { TOKEN_TTL: "5d" } })).toHaveLength(1);
    expect(await sessions(fresh, { clock })).toHaveLength(2);
  });

  it("requires authentication", async () => {
    expect((await call("/auth/sessions/")).status).toBe(401);
  });
});

describe("DELETE /auth/sessions/{id}/", () => {
  it("revokes another device of the user", async () => {
    const { username, key: laptop } = await register();
    const phone = await login(username);
    const target = (await sessions(laptop)).find((session) => !session.current) as SessionJson;
    const response = await call(`/auth/sessions/${target.id}/`, { method: "DELETE", headers: tokenHeader(laptop) });
    expect(response.status).toBe(204);
    expect((await call("/auth/user/", { headers: tokenHeader(phone) })).status).toBe(401);
    expect((await call("/auth/user/", { headers: tokenHeader(laptop) })).status).toBe(200);
  });

  it("answers 404 alike for an unknown id and another user's session, which survives", async () => {
    const alice = await register();
    const bob = await register();
    const bobSession = (await sessions(bob.key))[0] as SessionJson;
    for (const id of ["unknown", bobSession.id]) {
      const response = await call(`/auth/sessions/${id}`, { method: "DELETE", headers: tokenHeader(alice.key) });
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ detail: "Not found." });
    }
    expect((await call("/auth/user/", { headers: tokenHeader(bob.key) })).status).toBe(200);
  });

  it("may revoke the current session, like logout", async () => {
    const { key } = await register();
    const current = (await sessions(key))[0] as SessionJson;
    const response = await call(`/auth/sessions/${current.id}/`, { method: "DELETE", headers: tokenHeader(key) });
    expect(response.status).toBe(204);
    expect(response.headers.get("set-cookie")).toMatch(/^auth_token=; Max-Age=0/);
    expect((await call("/auth/user/", { headers: tokenHeader(key) })).status).toBe(401);
  });

  it("is DELETE only", async () => {
    const { key } = await register();
    const response = await call("/auth/sessions/anything/", { method: "GET", headers: tokenHeader(key) });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("DELETE, OPTIONS");
  });
});

describe("TOKEN_IDLE_TTL", () => {
  it("expires an unused token while an active sibling lives on, within the absolute TTL", async () => {
    const clock = new TestClock();
    const options = { clock, env: { TOKEN_IDLE_TTL: "1h" } };
    const { username, key: active } = await register(options);
    const idle = await login(username, options);
    for (let i = 0; i < 4; i++) {
      clock.advance(30 * 60_000);
      expect((await call("/auth/user/", { headers: tokenHeader(active) }, options)).status).toBe(200);
    }
    const response = await call("/auth/user/", { headers: tokenHeader(idle) }, options);
    expect(await response.json()).toEqual({ error: "Token has expired", is_authenticated: false });
    const list = await sessions(active, options);
    expect(list).toHaveLength(1);
    // The absolute end (created + TOKEN_TTL), not the idle deadline.
    expect(list[0]?.expiry).toBe("2026-12-16T10:00:00.000000Z");
  });

  it("reports the absolute end as the expiry at login, not the idle deadline", async () => {
    const clock = new TestClock();
    const { username } = await register({ clock });
    const response = await call("/auth/login/", json("POST", { username, password: PASSWORD }), {
      clock,
      env: { TOKEN_IDLE_TTL: "2h" },
    });
    expect(((await response.json()) as { expiry: string }).expiry).toBe("2026-12-16T10:00:00.000000Z");
  });

  it("reports each token's own TTL as its expiry, per client, at login and in sessions/", async () => {
    const clock = new TestClock();
    const vars = { TOKEN_IDLE_TTL: "2h", CLIENT_TOKEN_TTLS: '{"web":"1d","ios":"30d"}' };
    const { username } = await register({ clock, env: vars });
    clock.advance(1000);
    const expiries: Record<string, string> = {};
    let key = "";
    for (const client of ["web", "ios", "cli"]) {
      const response = await call("/auth/login/", json("POST", { username, password: PASSWORD, client }), {
        clock,
        env: vars,
      });
      const body = (await response.json()) as { key: string; expiry: string };
      expiries[client] = body.expiry;
      key = body.key;
    }
    expect(expiries).toEqual({
      web: "2026-12-02T10:00:01.000000Z",
      ios: "2026-12-31T10:00:01.000000Z",
      cli: "2026-12-16T10:00:01.000000Z",
    });
    clock.advance(30 * 60_000);
    const listed = await sessions(key, { clock, env: vars });
    for (const client of ["web", "ios", "cli"]) {
      expect(listed.find((session) => session.client === client)?.expiry).toBe(expiries[client]);
    }
  });
});

/** A browser's jar for the auth cookie: it keeps what `Set-Cookie` says, for `Max-Age` by the test clock. */
class BrowserCookie {
  private value: string | null = null;
  private expiresAtMs = 0;
  constructor(private readonly clock: TestClock) {}

  /** Stores the response's auth cookie, if it set one (RFC 6265: expiry = receipt + Max-Age). */
  receive(response: Response): void {
    const header = response.headers.get("set-cookie");
    if (!header?.startsWith("auth_token=")) return;
    const [pair = "", ...attributes] = header.split(";").map((part) => part.trim());
    const maxAge = attributes.find((attribute) => /^max-age=/i.test(attribute));
    this.value = pair.slice("auth_token=".length);
    this.expiresAtMs = maxAge ? this.clock.nowMs + Number(maxAge.split("=")[1]) * 1000 : Number.POSITIVE_INFINITY;
  }

  /** What the browser sends now: the cookie until it expires, then nothing. */
  headers(): Record<string, string> {
    return this.value && this.clock.nowMs < this.expiresAtMs ? { cookie: `auth_token=${this.value}` } : {};
  }
}

describe("the auth cookie under TOKEN_IDLE_TTL", () => {
  const vars = { TOKEN_IDLE_TTL: "1h", CLIENT_TOKEN_TTLS: '{"web":"1d"}' };
  const browser = { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0" };

  async function signIn(clock: TestClock): Promise<{ cookie: BrowserCookie; response: Response }> {
    const { username } = await register({ clock, env: vars });
    const cookie = new BrowserCookie(clock);
    const response = await call("/auth/login/", json("POST", { username, password: PASSWORD }, browser), {
      clock,
      env: vars,
    });
    expect(response.status).toBe(200);
    cookie.receive(response);
    return { cookie, response };
  }

  async function visit(cookie: BrowserCookie, clock: TestClock): Promise<Response> {
    const response = await call("/auth/user/", { headers: { ...browser, ...cookie.headers() } }, { clock, env: vars });
    cookie.receive(response);
    return response;
  }

  it("lives until the token's absolute expiry, as the body's expiry says", async () => {
    const clock = new TestClock();
    const { response } = await signIn(clock);
    expect(((await response.json()) as { expiry: string }).expiry).toBe("2026-12-02T10:00:00.000000Z");
    // Matched alone, so a failure never prints the key.
    expect(response.headers.get("set-cookie")?.match(/; Max-Age=(\d+);/)?.[1]).toBe("86400");
  });

  it("keeps an active browser signed in past the idle limit, and an idle one out", async () => {
    const clock = new TestClock();
    const { cookie } = await signIn(clock);
    for (let visitNumber = 1; visitNumber <= 9; visitNumber++) {
      clock.advance(20 * 60_000);
      expect((await visit(cookie, clock)).status, `visit ${visitNumber} at +${visitNumber * 20} min`).toBe(200);
    }
    clock.advance(HOUR_MS + 1000);
    const idle = await visit(cookie, clock);
    expect(idle.status).toBe(401);
    expect(await idle.json()).toEqual({ error: "Token has expired", is_authenticated: false });
  });
});

describe("last_used", () => {
  it("is written at most once a minute, after the response, leaving requests one read", async () => {
    const clock = new TestClock();
    const { key } = await register({ clock });
    const request = async () => {
      const recorded = recordingD1(env.DB);
      const response = await call("/auth/user/", { headers: tokenHeader(key) }, { clock, env: { DB: recorded.db } });
      expect(response.status).toBe(200);
      return recorded.statements;
    };
    clock.advance(30_000);
    expect(await request()).toHaveLength(1);
    clock.advance(31_000);
    const stamped = await request();
    expect(stamped).toHaveLength(2);
    expect(stamped[1]).toMatch(/^update "tokens" set "last_used_ms"/);
    clock.advance(59_000);
    expect(await request()).toHaveLength(1);
    const list = await sessions(key, { clock });
    expect(list[0]?.last_used).toBe("2026-12-01T10:01:01.000000Z");
  });
});

describe("last_used under a short TOKEN_IDLE_TTL", () => {
  const options = (clock: TestClock, db?: D1Database) => ({
    clock,
    env: db ? { TOKEN_IDLE_TTL: "3s", DB: db } : { TOKEN_IDLE_TTL: "3s" },
  });

  it("never idle-expires a token used every 1.2 s", async () => {
    const clock = new TestClock();
    const { key } = await register(options(clock));
    for (let use = 1; use <= 10; use++) {
      clock.advance(1200);
      const response = await call("/auth/user/", { headers: tokenHeader(key) }, options(clock));
      expect(response.status, `use ${use} at +${use * 1200} ms`).toBe(200);
    }
    clock.advance(3001);
    const response = await call("/auth/user/", { headers: tokenHeader(key) }, options(clock));
    expect(await response.json()).toEqual({ error: "Token has expired", is_authenticated: false });
  });

  it("is recorded every half idle limit at most, after the response, leaving requests one read", async () => {
    const clock = new TestClock();
    const { key } = await register(options(clock));
    const request = async () => {
      const recorded = recordingD1(env.DB);
      const response = await call("/auth/user/", { headers: tokenHeader(key) }, options(clock, recorded.db));
      expect(response.status).toBe(200);
      return recorded.statements;
    };
    clock.advance(1499);
    expect(await request()).toHaveLength(1);
    clock.advance(1);
    const stamped = await request();
    expect(stamped).toHaveLength(2);
    expect(stamped[1]).toMatch(/^update "tokens" set "last_used_ms"/);
    clock.advance(1499);
    expect(await request()).toHaveLength(1);
    expect((await sessions(key, options(clock)))[0]?.last_used).toBe("2026-12-01T10:00:01.500000Z");
  });
});

describe("CLIENT_TOKEN_TTLS", () => {
  const options = (clock: TestClock) => ({ clock, env: { CLIENT_TOKEN_TTLS: '{"web":"1h","ios":"30d"}' } });

  it("gives each client its own TTL and the rest TOKEN_TTL", async () => {
    const clock = new TestClock();
    const { username } = await register(options(clock));
    const web = await call(
      "/auth/login/",
      json("POST", { username, password: PASSWORD, client: "web" }),
      options(clock),
    );
    const ios = await call(
      "/auth/login/",
      json("POST", { username, password: PASSWORD, client: "ios" }),
      options(clock),
    );
    const other = await call(
      "/auth/login/",
      json("POST", { username, password: PASSWORD, client: "cli" }),
      options(clock),
    );
    const [webBody, iosBody, otherBody] = (await Promise.all([web.json(), ios.json(), other.json()])) as {
      key: string;
      expiry: string;
    }[];
    expect(webBody?.expiry).toBe("2026-12-01T11:00:00.000000Z");
    expect(iosBody?.expiry).toBe("2026-12-31T10:00:00.000000Z");
    expect(otherBody?.expiry).toBe("2026-12-16T10:00:00.000000Z");
    clock.advance(2 * HOUR_MS);
    const status = async (key: string) =>
      (await call("/auth/user/", { headers: tokenHeader(key) }, options(clock))).status;
    expect(await status(webBody?.key as string)).toBe(401);
    expect(await status(iosBody?.key as string)).toBe(200);
    expect(await status(otherBody?.key as string)).toBe(200);
  });

  it("names a device without a client field after its User-Agent", async () => {
    const { username } = await register();
    const browser = await call(
      "/auth/login/",
      json("POST", { username, password: PASSWORD }, { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0" }),
    );
    const key = ((await browser.json()) as { key: string }).key;
    const clients = (await sessions(key)).map((session) => session.client);
    expect(clients).toContain("web");
  });

  it("refuses an invalid client name", async () => {
    const { username } = await register();
    const response = await call("/auth/login/", json("POST", { username, password: PASSWORD, client: "my phone" }));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ client: ["Enter a valid client name: letters, digits, '.', '_' or '-'."] });
  });

  it.each(['{"web":', '["web"]', '{"web":"forever"}', '{"web":0}'])("fails closed on %s", async (value) => {
    const { key } = await register();
    const response = await call("/auth/user/", { headers: tokenHeader(key) }, { env: { CLIENT_TOKEN_TTLS: value } });
    expect(response.status).toBe(500);
    expect(((await response.json()) as { detail: string }).detail).toMatch(
      /^Server configuration error: CLIENT_TOKEN_TTLS/,
    );
  });
});

describe("MAX_TOKENS_PER_USER", () => {
  const options = (clock?: TestClock) => ({ clock, env: { MAX_TOKENS_PER_USER: "3" } });

  it("evicts the least recently used token beyond the cap", async () => {
    const clock = new TestClock();
    const { username, key: oldest } = await register(options(clock));
    clock.advance(60_000);
    const second = await login(username, options(clock));
    clock.advance(60_000);
    const third = await login(username, options(clock));
    clock.advance(61_000);
    // Using the oldest makes the second the least recently used.
    expect((await call("/auth/user/", { headers: tokenHeader(oldest) }, options(clock))).status).toBe(200);
    clock.advance(60_000);
    const fourth = await login(username, options(clock));
    const status = async (key: string) =>
      (await call("/auth/user/", { headers: tokenHeader(key) }, options(clock))).status;
    expect(await status(second)).toBe(401);
    for (const key of [oldest, third, fourth]) expect(await status(key)).toBe(200);
  });

  it("follows recorded use: A, B, C a second apart, A used, then D revokes B", async () => {
    const clock = new TestClock();
    const recent = { clock, env: { MAX_TOKENS_PER_USER: "3", TOKEN_IDLE_TTL: "4s" } };
    const { username, key: a } = await register(recent);
    clock.advance(1000);
    const b = await login(username, recent);
    clock.advance(1000);
    const c = await login(username, recent);
    clock.advance(1000);
    expect((await call("/auth/user/", { headers: tokenHeader(a) }, recent)).status).toBe(200);
    clock.advance(1000);
    const d = await login(username, recent);
    const status = async (key: string) => (await call("/auth/user/", { headers: tokenHeader(key) }, recent)).status;
    expect(await status(b)).toBe(401);
    for (const key of [a, c, d]) expect(await status(key)).toBe(200);
  });

  it("counts a token with no recorded use (imported from Django) from its creation", async () => {
    const clock = new TestClock();
    const { username, key: a } = await register(options(clock));
    clock.advance(60_000);
    const b = await login(username, options(clock));
    clock.advance(60_000);
    const c = await login(username, options(clock));
    await env.DB.prepare("UPDATE tokens SET last_used_ms = NULL WHERE key_digest = ?").bind(keyDigest(c)).run();
    clock.advance(60_000);
    const d = await login(username, options(clock));
    const status = async (key: string) =>
      (await call("/auth/user/", { headers: tokenHeader(key) }, options(clock))).status;
    expect(await status(a)).toBe(401);
    for (const key of [b, c, d]) expect(await status(key)).toBe(200);
  });

  it("revokes the older of two tokens last used at the same recorded time", async () => {
    const clock = new TestClock();
    const recent = { clock, env: { MAX_TOKENS_PER_USER: "2", TOKEN_IDLE_TTL: "2s" } };
    const { username, key: older } = await register(recent);
    clock.advance(1000);
    const newer = await login(username, recent);
    // Recorded at the newer token's creation instant: a tie on last_used.
    expect((await call("/auth/user/", { headers: tokenHeader(older) }, recent)).status).toBe(200);
    clock.advance(500);
    await login(username, recent);
    expect((await call("/auth/user/", { headers: tokenHeader(older) }, recent)).status).toBe(401);
    expect((await call("/auth/user/", { headers: tokenHeader(newer) }, recent)).status).toBe(200);
  });

  it("breaks a tie on last use and creation by id, never by chance", async () => {
    const clock = new TestClock();
    const { username, key: first } = await register(options(clock));
    const second = await login(username, options(clock));
    const ids = new Map<string, string>();
    for (const key of [first, second]) {
      const current = (await sessions(key, options(clock))).find((session) => session.current);
      ids.set(key, current?.id as string);
    }
    const [lower, higher] = [first, second].sort((x, y) => ((ids.get(x) as string) < (ids.get(y) as string) ? -1 : 1));
    clock.advance(1000);
    await login(username, options(clock));
    await login(username, options(clock));
    const status = async (key: string) =>
      (await call("/auth/user/", { headers: tokenHeader(key) }, options(clock))).status;
    expect(await status(lower as string)).toBe(401);
    expect(await status(higher as string)).toBe(200);
  });

  it("never revokes the token the login itself issues, even among logins at the same instant", async () => {
    const clock = new TestClock();
    const single = { clock, env: { MAX_TOKENS_PER_USER: "1" } };
    const { username, key: registered } = await register(single);
    let previous = registered;
    for (let i = 0; i < 8; i++) {
      const fresh = await login(username, single);
      expect((await call("/auth/user/", { headers: tokenHeader(fresh) }, single)).status).toBe(200);
      expect((await call("/auth/user/", { headers: tokenHeader(previous) }, single)).status).toBe(401);
      previous = fresh;
    }
  });

  it("holds under concurrent logins", async () => {
    const { username, pk } = await register(options());
    const keys = await Promise.all(Array.from({ length: 8 }, () => login(username, options())));
    expect(keys).toHaveLength(8);
    const row = await env.DB.prepare("SELECT count(*) AS n FROM tokens WHERE user_id = ?")
      .bind(pk)
      .first<{ n: number }>();
    expect(row?.n).toBe(3);
  });

  it("refuses an invalid value", async () => {
    const response = await call("/auth/login/", json("POST", { username: uniqueName(), password: PASSWORD }), {
      env: { MAX_TOKENS_PER_USER: "zero" },
    });
    expect(response.status).toBe(500);
  });

  /** Gives the user 100 more token rows, used before anything else, the first of them least recently. */
  async function hundredOldTokens(pk: number) {
    const rows = Array.from({ length: 100 }, (_, i) =>
      env.DB.prepare(
        "INSERT INTO tokens (id, user_id, key_digest, created_ms, last_used_ms) VALUES (?, ?, ?, ?, ?)",
      ).bind(`seed-${pk}-${i}`, pk, `digest-${pk}-${i}`, T0 - 2 * HOUR_MS, T0 - 2 * HOUR_MS + i * 1000),
    );
    await env.DB.batch(rows);
  }
  const tokenIds = async (pk: number) =>
    (await env.DB.prepare("SELECT id FROM tokens WHERE user_id = ?").bind(pk).all<{ id: string }>()).results.map(
      (row) => row.id,
    );

  it("is 100 by default: the 101st live token evicts the least recently used", async () => {
    const clock = new TestClock();
    const { username, pk } = await register({ clock });
    await hundredOldTokens(pk);
    expect(await tokenIds(pk)).toHaveLength(101);
    await login(username, { clock });
    const ids = await tokenIds(pk);
    expect(ids).toHaveLength(100);
    expect(ids).not.toContain(`seed-${pk}-0`);
    expect(ids).not.toContain(`seed-${pk}-1`);
    expect(ids).toContain(`seed-${pk}-2`);
  });

  it("is lifted by off", async () => {
    const clock = new TestClock();
    const { username, pk } = await register({ clock });
    await hundredOldTokens(pk);
    await login(username, { clock, env: { MAX_TOKENS_PER_USER: "off" } });
    expect(await tokenIds(pk)).toHaveLength(102);
  });
});
