import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { keyDigest } from "../../src/auth/token-key";
import { DEVELOPMENT_KEY } from "../../src/gateway/signing-key";
import {
  brokenD1,
  call,
  json,
  login,
  mailbox,
  originBucket,
  PASSWORD,
  register,
  T0,
  TestClock,
  tokenHeader,
  uniqueName,
} from "../helpers";

afterEach(() => {
  vi.restoreAllMocks();
});

type Line = Record<string, unknown>;
const STREAMS = ["log", "info", "debug", "warn", "error"] as const;

/** Captures everything the app writes to the console while a test runs. */
function captureLogs() {
  const calls: { stream: (typeof STREAMS)[number]; args: unknown[] }[] = [];
  for (const stream of STREAMS) {
    vi.spyOn(console, stream).mockImplementation((...args: unknown[]) => {
      calls.push({ stream, args });
    });
  }
  return {
    calls,
    /** Every call, each checked to be one string holding one JSON object. */
    lines(): Line[] {
      return calls.map(({ args }) => {
        expect(args).toHaveLength(1);
        expect(typeof args[0]).toBe("string");
        const parsed = JSON.parse(args[0] as string) as unknown;
        expect(parsed).toBeTypeOf("object");
        expect(Array.isArray(parsed)).toBe(false);
        return parsed as Line;
      });
    },
    requests(): Line[] {
      return this.lines().filter((line) => line.event === "request");
    },
    /** The request line of the last request made. */
    last(): Line {
      const found = this.requests().at(-1);
      if (!found) throw new Error("no request line was logged");
      return found;
    },
    text(): string {
      return calls.map(({ args }) => args.map(String).join(" ")).join("\n");
    },
  };
}

const OUTCOMES = [
  "valid",
  "expired",
  "invalid",
  "inactive",
  "throttled",
  "none",
  "login_ok",
  "login_failed",
  "csrf_failed",
  null,
];

function expectRequestLine(line: Line): void {
  expect(Object.keys(line)).toEqual([
    "level",
    "event",
    "request_id",
    "method",
    "route",
    "status",
    "duration_ms",
    "outcome",
    "user_id",
  ]);
  expect(line.level).toBe("info");
  expect(line.request_id).toMatch(/^[\w-]{1,64}$/);
  expect(line.method).toMatch(/^[A-Z]+$/);
  expect(line.route).toMatch(/^\/[\w/:*.-]*$/);
  expect(line.status).toBeTypeOf("number");
  expect(line.duration_ms).toBeTypeOf("number");
  expect(line.duration_ms as number).toBeGreaterThanOrEqual(0);
  expect(OUTCOMES).toContain(line.outcome);
  if (line.user_id !== null) expect(line.user_id).toBeTypeOf("number");
}

describe("the request log line", () => {
  it("is one JSON line per request, with the route pattern, status, outcome and user, and its id answered", async () => {
    const logs = captureLogs();
    const { key, pk } = await register();
    const response = await call("/auth/user/", { headers: tokenHeader(key) });
    expect(response.status).toBe(200);
    expect(logs.requests()).toHaveLength(2);
    const line = logs.last();
    expectRequestLine(line);
    expect(line).toMatchObject({ method: "GET", route: "/auth/user", status: 200, outcome: "valid", user_id: pk });
    expect(response.headers.get("x-request-id")).toBe(line.request_id);
  });

  it("takes the request id from cf-ray, and makes one up when it is absent or not an id", async () => {
    const logs = captureLogs();
    const ray = "8c3e2c7f5a9d1234-AMS";
    const withRay = await call("/auth/user/", { headers: { "cf-ray": ray } });
    expect(withRay.headers.get("x-request-id")).toBe(ray);
    expect(logs.last().request_id).toBe(ray);

    const junk = await call("/auth/user/", { headers: { "cf-ray": "a b;c" } });
    const made = junk.headers.get("x-request-id");
    expect(made).toMatch(/^[0-9a-f-]{36}$/);
    expect(logs.last().request_id).toBe(made);
    const other = await call("/auth/user/");
    expect(other.headers.get("x-request-id")).not.toBe(made);
  });

  it("names the route pattern, never the path with its ids or the query", async () => {
    const logs = captureLogs();
    const { key } = await register();
    const sessions = (await (await call("/auth/sessions/", { headers: tokenHeader(key) })).json()) as { id: string }[];
    const id = sessions[0]?.id ?? "";
    const response = await call(`/auth/sessions/${id}/?secret=abc`, { method: "DELETE", headers: tokenHeader(key) });
    expect(response.status).toBe(204);
    expect(logs.last()).toMatchObject({ method: "DELETE", route: "/auth/sessions/:id", status: 204 });
    expect(logs.text()).not.toContain(id);
    expect(logs.text()).not.toContain("secret=abc");
  });

  describe("outcome", () => {
    it("is none without credentials and invalid for a malformed header or an unknown key", async () => {
      const logs = captureLogs();
      await call("/auth/user/");
      expect(logs.last()).toMatchObject({ status: 401, outcome: "none", user_id: null });
      await call("/auth/user/", { headers: { authorization: "Token a b" } });
      expect(logs.last()).toMatchObject({ status: 401, outcome: "invalid" });
      await call("/auth/user/", { headers: tokenHeader("etk_unknown") });
      expect(logs.last()).toMatchObject({ status: 401, outcome: "invalid" });
    });

    it("is expired for a token past its TTL", async () => {
      const clock = new TestClock(T0);
      const { key } = await register({ clock });
      clock.advance(16 * 24 * 3600 * 1000);
      const logs = captureLogs();
      const response = await call("/auth/user/", { headers: tokenHeader(key) }, { clock });
      expect(response.status).toBe(401);
      expect(logs.last()).toMatchObject({ status: 401, outcome: "expired", user_id: null });
    });

    it("is inactive for a token of a deactivated user", async () => {
      const { key, pk } = await register();
      await env.DB.prepare("UPDATE users SET is_active = 0 WHERE id = ?").bind(pk).run();
      const logs = captureLogs();
      await call("/auth/user/", { headers: tokenHeader(key) });
      expect(logs.last()).toMatchObject({ status: 401, outcome: "inactive" });
    });

    it("is login_ok with the user, login_failed, then throttled", async () => {
      const { username, pk } = await register();
      const options = { env: { LOGIN_FAILURES_PER_ACCOUNT: "1/15m" } };
      const logs = captureLogs();
      await login(username, options);
      expect(logs.last()).toMatchObject({ route: "/auth/login", status: 200, outcome: "login_ok", user_id: pk });
      await call("/auth/login/", json("POST", { username, password: "wrong password" }), options);
      expect(logs.last()).toMatchObject({ status: 400, outcome: "login_failed", user_id: null });
      await call("/auth/login/", json("POST", { username, password: PASSWORD }), options);
      expect(logs.last()).toMatchObject({ status: 429, outcome: "throttled", user_id: null });
    });

    it("is csrf_failed for a cookie-authenticated request from another site", async () => {
      const { key } = await register();
      const logs = captureLogs();
      await call("/auth/logoutall/", {
        method: "POST",
        headers: { cookie: `auth_token=${key}`, origin: "https://evil.example" },
      });
      expect(logs.last()).toMatchObject({ status: 403, outcome: "csrf_failed" });
    });

    it("is absent where no credential is checked", async () => {
      const logs = captureLogs();
      await call("/.well-known/jwks.json");
      expect(logs.last()).toMatchObject({ route: "/.well-known/jwks.json", status: 200, outcome: null, user_id: null });
    });
  });
});

describe("a full flow", () => {
  it("logs only JSON lines with the documented fields, and none of its keys, passwords, codes or cookies", async () => {
    const logs = captureLogs();
    const box = mailbox();
    const origin = originBucket();
    const options = {
      env: {
        ...box.env,
        EMAIL_VERIFICATION: "optional",
        ORIGIN_URL: origin.url,
        GATEWAY_SIGNING_KEY: JSON.stringify(DEVELOPMENT_KEY.privateJwk),
      },
    };
    const username = uniqueName();
    const email = `${username}@example.com`;
    const WRONG_PASSWORD = "an entirely wrong guess";
    const CHANGED_PASSWORD = "a changed secret phrase";
    const RESET_PASSWORD = "the reset secret phrase";
    const OTHER_COOKIE = "otherCookieValue7a1f";
    const QUERY_SECRET = "querySecret93bd";
    const secrets = [PASSWORD, WRONG_PASSWORD, CHANGED_PASSWORD, RESET_PASSWORD, OTHER_COOKIE, QUERY_SECRET, email];
    const keys: string[] = [];
    const expectStatus = async (response: Promise<Response>, status: number) => {
      const answered = await response;
      expect(answered.status).toBe(status);
      expect(answered.headers.get("x-request-id")).toBe(logs.last().request_id);
      return answered;
    };

    // Registration (with a verification mail) and verification.
    const registered = await expectStatus(
      call("/auth/registration/", json("POST", { username, email, password1: PASSWORD, password2: PASSWORD }), options),
      201,
    );
    keys.push(((await registered.json()) as { key: string }).key);
    const verification = (await box.read()).messages[0]?.body.data as { key: string; url: string };
    secrets.push(verification.key, verification.url);
    await expectStatus(call(verification.url.replace("https://auth.example.com", ""), {}, options), 200);
    await expectStatus(call("/auth/registration/verify-email/", json("POST", { key: verification.key }), options), 200);

    // Logins, right and wrong, and authenticated calls.
    await expectStatus(call("/auth/login/", json("POST", { username, password: WRONG_PASSWORD }), options), 400);
    const loggedIn = await expectStatus(
      call("/auth/login/", json("POST", { username, password: PASSWORD }), options),
      200,
    );
    const phone = ((await loggedIn.json()) as { key: string }).key;
    keys.push(phone);
    await expectStatus(call("/auth/user/", { headers: tokenHeader(phone) }, options), 200);
    const sessions = (await (
      await expectStatus(call("/auth/sessions/", { headers: tokenHeader(phone) }, options), 200)
    ).json()) as { id: string; current: boolean }[];
    const other = sessions.find((session) => !session.current)?.id ?? "";
    secrets.push(other);
    await expectStatus(
      call(`/auth/sessions/${other}/`, { method: "DELETE", headers: tokenHeader(phone) }, options),
      204,
    );

    // Password change, then reset and confirm with the mailed code.
    await expectStatus(
      call(
        "/auth/password/change/",
        json(
          "POST",
          { old_password: PASSWORD, new_password1: CHANGED_PASSWORD, new_password2: CHANGED_PASSWORD },
          tokenHeader(phone),
        ),
        options,
      ),
      200,
    );
    await expectStatus(call("/auth/password/reset/", json("POST", { email }), options), 200);
    const reset = (await box.read()).messages.find((mail) => mail.body.kind === "password_reset")?.body.data as {
      uid: string;
      token: string;
      url: string;
    };
    secrets.push(reset.uid, reset.token, reset.url);
    await expectStatus(call(reset.url.replace("https://auth.example.com", ""), {}, options), 200);
    await expectStatus(
      call(
        "/auth/password/reset/confirm/",
        json("POST", { ...reset, new_password1: RESET_PASSWORD, new_password2: RESET_PASSWORD }),
        options,
      ),
      200,
    );

    // A browser: the cookie from login, through the gateway with another cookie and a secret in the query.
    const browser = await expectStatus(
      call("/auth/login/", json("POST", { username, password: RESET_PASSWORD }), options),
      200,
    );
    const cookieKey = ((await browser.json()) as { key: string }).key;
    keys.push(cookieKey);
    expect(browser.headers.get("set-cookie")).toContain(cookieKey);
    await expectStatus(
      call(
        `/api/orders/42?api_key=${QUERY_SECRET}`,
        { headers: { cookie: `theme=dark; auth_token=${cookieKey}; other=${OTHER_COOKIE}` } },
        options,
      ),
      201,
    );
    expect(await origin.calls()).toHaveLength(1);
    await expectStatus(call("/auth/logout/", { method: "POST", headers: tokenHeader(cookieKey) }, options), 200);

    const text = logs.text();
    for (const key of keys) secrets.push(key, keyDigest(key));
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(5);
      expect(text).not.toContain(secret);
      expect(text).not.toContain(encodeURIComponent(secret));
      expect(text).not.toContain(JSON.stringify(secret).slice(1, -1));
    }

    const lines = logs.lines();
    const requests = logs.requests();
    expect(requests).toHaveLength(lines.length);
    for (const line of requests) expectRequestLine(line);
    expect(requests.map((line) => [line.route, line.status, line.outcome])).toEqual([
      ["/auth/registration", 201, null],
      ["/account/verify-email", 200, null],
      ["/auth/registration/verify-email", 200, null],
      ["/auth/login", 400, "login_failed"],
      ["/auth/login", 200, "login_ok"],
      ["/auth/user", 200, "valid"],
      ["/auth/sessions", 200, "valid"],
      ["/auth/sessions/:id", 204, "valid"],
      ["/auth/password/change", 200, "valid"],
      ["/auth/password/reset", 200, null],
      ["/account/reset-password", 200, null],
      ["/auth/password/reset/confirm", 200, null],
      ["/auth/login", 200, "login_ok"],
      ["/*", 201, "valid"],
      ["/auth/logout", 200, null],
    ]);
  });
});

describe("error logs", () => {
  it("logs a D1 failure as one structured line with the request id, without the key", async () => {
    const { key } = await register();
    const logs = captureLogs();
    const response = await call("/auth/user/", { headers: tokenHeader(key) }, { env: { DB: brokenD1("throwing") } });
    expect(response.status).toBe(503);
    const [failure, request] = logs.lines();
    expect(failure).toEqual({
      level: "error",
      event: "store_unavailable",
      request_id: response.headers.get("x-request-id"),
      method: "GET",
      route: "/auth/user",
      reason: "Error: D1_ERROR: Network connection lost.",
    });
    expect(logs.calls[0]?.stream).toBe("error");
    expect(request).toMatchObject({ event: "request", status: 503, outcome: null });
    expect(logs.text()).not.toContain(key);
    expect(logs.text()).not.toContain(keyDigest(key));
  });

  it("logs a configuration error as one structured line", async () => {
    const logs = captureLogs();
    const response = await call("/auth/user/", {}, { env: { TOKEN_TTL: "forever" } });
    expect(response.status).toBe(500);
    const [failure, request] = logs.lines();
    expect(failure).toMatchObject({ level: "error", event: "config_error", request_id: request?.request_id });
    expect(failure?.reason).toContain("TOKEN_TTL");
    expect(request).toMatchObject({ status: 500, route: "/*" });
  });

  it("logs an unreachable origin as one structured line", async () => {
    const { key } = await register();
    const logs = captureLogs();
    const response = await call(
      "/api/items?code=zzz",
      { headers: tokenHeader(key) },
      { env: { ORIGIN_URL: "http://127.0.0.1:9", GATEWAY_SIGNING_KEY: JSON.stringify(DEVELOPMENT_KEY.privateJwk) } },
    );
    expect(response.status).toBe(502);
    const [failure, request] = logs.lines();
    expect(failure).toMatchObject({ level: "error", event: "origin_unreachable", request_id: request?.request_id });
    expect(request).toMatchObject({ status: 502, outcome: "valid" });
    expect(logs.text()).not.toContain(key);
    expect(logs.text()).not.toContain("code=zzz");
  });

  it("logs failed mail deliveries as structured lines naming only the kind", async () => {
    const username = uniqueName();
    const email = `${username}@example.com`;
    await register({ username, email });
    const box = mailbox("down");
    const logs = captureLogs();
    const response = await call("/auth/password/reset/", json("POST", { email }), { env: box.env });
    expect(response.status).toBe(200);
    expect((await box.read()).attempts).toBe(3);
    const lines = logs.lines().filter((line) => line.event !== "request");
    expect(lines).toEqual([
      {
        level: "warn",
        event: "mail_attempt_failed",
        kind: "password_reset",
        attempt: 1,
        attempts: 3,
        reason: "HTTP 500",
      },
      {
        level: "warn",
        event: "mail_attempt_failed",
        kind: "password_reset",
        attempt: 2,
        attempts: 3,
        reason: "HTTP 500",
      },
      {
        level: "warn",
        event: "mail_attempt_failed",
        kind: "password_reset",
        attempt: 3,
        attempts: 3,
        reason: "HTTP 500",
      },
      { level: "error", event: "mail_dropped", kind: "password_reset", attempts: 3 },
    ]);
    expect(logs.text()).not.toContain(email);
  });
});

/** A stand-in for the Analytics Engine binding that records what is written. */
function recordingDataset() {
  const points: AnalyticsEngineDataPoint[] = [];
  const binding: AnalyticsEngineDataset = { writeDataPoint: (point) => void points.push(point ?? {}) };
  return { points, binding };
}

describe("Analytics Engine (AUTH_EVENTS)", () => {
  it("records each request's outcome, route, method, status and duration, indexed by outcome", async () => {
    const { username, key } = await register();
    const dataset = recordingDataset();
    const options = { env: { AUTH_EVENTS: dataset.binding } };
    await call("/auth/login/", json("POST", { username, password: "a wrong password" }), options);
    await call("/auth/user/", { headers: tokenHeader(key) }, options);
    await call("/auth/registration/", json("POST", {}), options);
    expect(dataset.points).toHaveLength(3);
    const [failed, valid, unauthenticated] = dataset.points;
    expect(failed).toEqual({
      blobs: ["login_failed", "/auth/login", "POST"],
      doubles: [400, expect.any(Number)],
      indexes: ["login_failed"],
    });
    expect(valid).toMatchObject({ blobs: ["valid", "/auth/user", "GET"], doubles: [200, expect.any(Number)] });
    expect(unauthenticated).toMatchObject({ blobs: ["", "/auth/registration", "POST"], indexes: [""] });
    expect(JSON.stringify(dataset.points)).not.toContain(key);
    expect(JSON.stringify(dataset.points)).not.toContain("a wrong password");
  });

  it("is optional: without the binding the service answers and logs as usual", async () => {
    const { key } = await register();
    const logs = captureLogs();
    const response = await call("/auth/user/", { headers: tokenHeader(key) }, { env: { AUTH_EVENTS: undefined } });
    expect(response.status).toBe(200);
    expect(logs.last()).toMatchObject({ status: 200, outcome: "valid" });
  });

  it("never fails a request when writing the data point fails", async () => {
    const { key } = await register();
    const logs = captureLogs();
    const failing = {
      writeDataPoint: () => {
        throw new Error("dataset unavailable");
      },
    };
    const response = await call("/auth/user/", { headers: tokenHeader(key) }, { env: { AUTH_EVENTS: failing } });
    expect(response.status).toBe(200);
    expect(logs.lines().map((line) => line.event)).toEqual(["request", "analytics_write_failed"]);
  });
});
