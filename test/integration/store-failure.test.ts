import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { STORE_TIMEOUT_MS } from "../../src/store/db";
import { brokenD1, call, json, PASSWORD, recordingD1, register, tokenHeader } from "../helpers";

const UNAVAILABLE = { detail: "Service temporarily unavailable, try again later." };

const failingD1 = () => brokenD1("throwing");

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe("when D1 fails", () => {
  it.each([
    ["GET /auth/user/", "/auth/user/", { headers: {} }],
    ["POST /auth/logoutall/", "/auth/logoutall/", { method: "POST" }],
    ["POST /auth/logout/", "/auth/logout/", { method: "POST" }],
  ])("%s answers 503 and never lets the request through", async (_name, path, init) => {
    const { key } = await register();
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const response = await call(path, { ...init, headers: tokenHeader(key) }, { env: { DB: failingD1() } });
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual(UNAVAILABLE);
    expect(errors).toHaveBeenCalled();
    expect(JSON.stringify(errors.mock.calls)).not.toContain(key);
  });

  it.each([
    ["GET /auth/user/", "/auth/user/", {}],
    ["POST /auth/logout/", "/auth/logout/", { method: "POST" }],
    ["POST /auth/login/", "/auth/login/", json("POST", { username: "someone", password: PASSWORD })],
  ])("%s answers 503 once a stalled D1 has not answered within the deadline", async (_name, path, init) => {
    const { key } = await register();
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    let settled = false;
    const pending = call(
      path,
      { ...init, headers: { ...init.headers, ...tokenHeader(key) } },
      { env: { DB: brokenD1("hanging") } },
    );
    void pending.then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(STORE_TIMEOUT_MS - 1);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const response = await pending;
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual(UNAVAILABLE);
    expect(JSON.stringify(errors.mock.calls)).toContain(`D1 did not answer within ${STORE_TIMEOUT_MS} ms`);
    expect(JSON.stringify(errors.mock.calls)).not.toContain(key);
  });

  it("refuses logins and registrations with 503, logging no secret", async () => {
    const { username } = await register();
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const options = { env: { DB: failingD1() } };
    const login = await call("/auth/login/", json("POST", { username, password: PASSWORD }), options);
    expect(login.status).toBe(503);
    const registration = await call(
      "/auth/registration/",
      json("POST", { username: "newbie", password1: PASSWORD, password2: PASSWORD }),
      options,
    );
    expect(registration.status).toBe(503);
    expect(JSON.stringify(errors.mock.calls)).not.toContain(PASSWORD);
  });

  it("does not log bound parameters of a failed write", async () => {
    const { username } = await register();
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const recorded = recordingD1(env.DB);
    // Reads succeed, the login's write batch fails.
    const db = new Proxy(recorded.db, {
      get(target, property) {
        if (property === "batch") return () => Promise.reject(new Error("D1_ERROR: storage overloaded"));
        return Reflect.get(target, property);
      },
    });
    const response = await call("/auth/login/", json("POST", { username, password: PASSWORD }), { env: { DB: db } });
    expect(response.status).toBe(503);
    const logged = JSON.stringify(errors.mock.calls);
    expect(logged).toContain("storage overloaded");
    expect(logged).not.toMatch(/etk_|[0-9a-f]{64}|scrypt\$/);
  });
});

describe("the cost of authentication", () => {
  it("is exactly one indexed D1 query (token joined with its user) and no write", async () => {
    const { key } = await register();
    const recorded = recordingD1(env.DB);
    const response = await call("/auth/user/", { headers: tokenHeader(key) }, { env: { DB: recorded.db } });
    expect(response.status).toBe(200);
    expect(recorded.statements).toHaveLength(1);
    expect(recorded.batches).toBe(0);
    const [query] = recorded.statements as [string];
    expect(query).toMatch(/^select .* from "tokens" inner join "users"/);
    const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${query}`).bind("0".repeat(64)).all<{ detail: string }>();
    const details = plan.results.map((row) => row.detail).join("\n");
    expect(details).toContain("USING INDEX tokens_key_digest_unique (key_digest=?)");
    expect(details).toMatch(/SEARCH users USING INTEGER PRIMARY KEY/);
    expect(details).not.toMatch(/\bSCAN\b/);
  });

  it("is no query at all for a key that cannot be ours", async () => {
    const recorded = recordingD1(env.DB);
    const response = await call(
      "/auth/user/",
      { headers: tokenHeader("not-a-key-we-issued") },
      { env: { DB: recorded.db } },
    );
    expect(response.status).toBe(401);
    expect(recorded.statements).toHaveLength(0);
  });
});
