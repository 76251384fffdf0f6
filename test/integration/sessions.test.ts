import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
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
    expect(list[0]?.expiry).toBe("2026-12-01T13:00:00.000000Z");
  });

  it("reports the earlier of the two limits as the expiry at login", async () => {
    const clock = new TestClock();
    const { username } = await register({ clock });
    const response = await call("/auth/login/", json("POST", { username, password: PASSWORD }), {
      clock,
      env: { TOKEN_IDLE_TTL: "2h" },
    });
    expect(((await response.json()) as { expiry: string }).expiry).toBe("2026-12-01T12:00:00.000000Z");
    expect(response.headers.get("set-cookie")).toContain("Max-Age=7200;");
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
