import { env as dbEnv } from "cloudflare:workers";
import { pbkdf2Sync } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import { call, json, mailbox, PASSWORD, register, TestClock, uniqueName } from "../helpers";

const BAD_CREDENTIALS = { non_field_errors: ["Unable to log in with provided credentials."] };

function attempt(
  username: string,
  password: string,
  options: { clock: TestClock; env: Record<string, string>; ip?: string },
) {
  const headers: Record<string, string> = options.ip ? { "cf-connecting-ip": options.ip } : {};
  return call("/auth/login/", json("POST", { username, password }, headers), options);
}

describe("login throttling per account", () => {
  const env = { LOGIN_FAILURES_PER_ACCOUNT: "3/15m", LOGIN_FAILURES_PER_IP: "off" };

  it("refuses the account with 429 and Retry-After after N failures, even with the right password", async () => {
    const clock = new TestClock();
    const { username } = await register({ clock });
    for (let i = 0; i < 3; i++) {
      const response = await attempt(username, "wrong password", { clock, env });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual(BAD_CREDENTIALS);
    }
    clock.advance(60_000);
    const throttled = await attempt(username, PASSWORD, { clock, env });
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after")).toBe("840");
    expect(await throttled.text()).toBe('{"detail":"Request was throttled. Expected available in 840 seconds."}');

    clock.advance(840_000);
    expect((await attempt(username, PASSWORD, { clock, env })).status).toBe(200);
  });

  it("answers an unknown account exactly the same way", async () => {
    const clock = new TestClock();
    const ghost = uniqueName("ghost");
    for (let i = 0; i < 3; i++) expect((await attempt(ghost, PASSWORD, { clock, env })).status).toBe(400);
    const throttled = await attempt(ghost, PASSWORD, { clock, env });
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after")).toBe("900");
  });

  it("does not count attempts answered 429", async () => {
    const clock = new TestClock();
    const { username } = await register({ clock });
    for (let i = 0; i < 3; i++) await attempt(username, "wrong password", { clock, env });
    for (let i = 0; i < 5; i++) expect((await attempt(username, "wrong password", { clock, env })).status).toBe(429);
    clock.advance(15 * 60_000 + 1);
    expect((await attempt(username, "wrong password", { clock, env })).status).toBe(400);
    expect((await attempt(username, PASSWORD, { clock, env })).status).toBe(200);
  });

  it("clears the account's failures on a successful login", async () => {
    const clock = new TestClock();
    const { username } = await register({ clock });
    for (let i = 0; i < 2; i++) await attempt(username, "wrong password", { clock, env });
    expect((await attempt(username, PASSWORD, { clock, env })).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await attempt(username, "wrong password", { clock, env })).status).toBe(400);
    expect((await attempt(username, PASSWORD, { clock, env })).status).toBe(200);
  });

  it("counts the account by name whatever its case", async () => {
    const clock = new TestClock();
    const { username } = await register({ clock });
    for (const name of [username, username.toUpperCase(), username])
      await attempt(name, "wrong password", { clock, env });
    expect((await attempt(username.toUpperCase(), PASSWORD, { clock, env })).status).toBe(429);
  });
});

describe("login throttling under concurrent attempts", () => {
  const statuses = async (responses: Promise<Response>[]) => (await Promise.all(responses)).map((r) => r.status);
  const count = (all: number[], status: number) => all.filter((s) => s === status).length;

  it("lets at most the account's limit of 40 parallel wrong passwords through to a 400", async () => {
    const env = { LOGIN_FAILURES_PER_ACCOUNT: "10/15m", LOGIN_FAILURES_PER_IP: "off" };
    const clock = new TestClock();
    const { username } = await register({ clock });
    const all = await statuses(Array.from({ length: 40 }, () => attempt(username, "wrong password", { clock, env })));
    expect(count(all, 400)).toBeLessThanOrEqual(10);
    expect(count(all, 400) + count(all, 429)).toBe(40);
    // The refused attempts did not count either: the window holds exactly the failures answered 400.
    const row = await dbEnv.DB.prepare("SELECT count FROM throttle_counters WHERE key = ?")
      .bind(`login:account:${username}`)
      .first<{ count: number }>();
    expect(row?.count).toBe(count(all, 400));
  });

  it("lets at most the IP's limit through, across accounts", async () => {
    const env = { LOGIN_FAILURES_PER_ACCOUNT: "off", LOGIN_FAILURES_PER_IP: "5/15m" };
    const clock = new TestClock();
    const all = await statuses(
      Array.from({ length: 40 }, () =>
        attempt(uniqueName("guess"), "wrong password", { clock, env, ip: "198.51.100.77" }),
      ),
    );
    expect(count(all, 400)).toBeLessThanOrEqual(5);
    expect(count(all, 400) + count(all, 429)).toBe(40);
  });

  it("gives back the IP's place of an attempt refused for its account", async () => {
    const env = { LOGIN_FAILURES_PER_ACCOUNT: "3/15m", LOGIN_FAILURES_PER_IP: "100/15m" };
    const clock = new TestClock();
    const ip = "198.51.100.79";
    const all = await statuses(Array.from({ length: 20 }, () => attempt(uniqueName("x"), "a", { clock, env, ip })));
    expect(count(all, 400)).toBe(20);
    const { username } = await register({ clock });
    const burst = await statuses(Array.from({ length: 20 }, () => attempt(username, "wrong", { clock, env, ip })));
    expect(count(burst, 400)).toBeLessThanOrEqual(3);
    const row = await dbEnv.DB.prepare("SELECT count FROM throttle_counters WHERE key = ?")
      .bind(`login:ip:${ip}`)
      .first<{ count: number }>();
    expect(row?.count).toBe(20 + count(burst, 400));
  });

  it("does not count a reserved attempt that succeeds against the IP", async () => {
    const env = { LOGIN_FAILURES_PER_ACCOUNT: "off", LOGIN_FAILURES_PER_IP: "3/15m" };
    const clock = new TestClock();
    const { username } = await register({ clock });
    const ip = "198.51.100.78";
    for (let i = 0; i < 4; i++) expect((await attempt(username, PASSWORD, { clock, env, ip })).status).toBe(200);
    for (let i = 0; i < 3; i++)
      expect((await attempt(username, "wrong password", { clock, env, ip })).status).toBe(400);
    expect((await attempt(username, PASSWORD, { clock, env, ip })).status).toBe(429);
  });
});

describe("login throttling of accounts on a legacy password hash", () => {
  // The default per-account budget, 10/15m, applies to everyone else.
  const env = { LOGIN_FAILURES_PER_IP: "off" };

  /** A registered user whose password is stored as an imported Django PBKDF2 hash. */
  async function djangoUser(clock: TestClock) {
    const registered = await register({ clock });
    const hash = pbkdf2Sync(PASSWORD, "NaClSalt123", 1000, 32, "sha256").toString("base64");
    await dbEnv.DB.prepare("UPDATE users SET password_hash = ? WHERE id = ?")
      .bind(`pbkdf2_sha256$1000$NaClSalt123$${hash}`, registered.pk)
      .run();
    return registered;
  }

  it("allows it 3 failures per window, then 429 even with the right password", async () => {
    const clock = new TestClock();
    const { username } = await djangoUser(clock);
    for (let i = 0; i < 3; i++) expect((await attempt(username, "wrong password", { clock, env })).status).toBe(400);
    const throttled = await attempt(username, PASSWORD, { clock, env });
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after")).toBe("900");
    clock.advance(15 * 60_000 + 1);
    expect((await attempt(username, PASSWORD, { clock, env })).status).toBe(200);
  });

  it("holds under parallel wrong passwords", async () => {
    const clock = new TestClock();
    const { username } = await djangoUser(clock);
    const all = await Promise.all(Array.from({ length: 20 }, () => attempt(username, "wrong", { clock, env })));
    expect(all.filter((response) => response.status === 400).length).toBeLessThanOrEqual(3);
    expect(all.every((response) => response.status === 400 || response.status === 429)).toBe(true);
  });

  it("gives the account the usual budget once its hash is upgraded at a successful login", async () => {
    const clock = new TestClock();
    const { username } = await djangoUser(clock);
    expect((await attempt(username, PASSWORD, { clock, env })).status).toBe(200);
    for (let i = 0; i < 10; i++) expect((await attempt(username, "wrong password", { clock, env })).status).toBe(400);
    expect((await attempt(username, PASSWORD, { clock, env })).status).toBe(429);
  });
});

describe("login throttling per client IP", () => {
  const env = { LOGIN_FAILURES_PER_ACCOUNT: "off", LOGIN_FAILURES_PER_IP: "3/15m" };

  it("refuses an IP that failed too often, across accounts, and no other IP", async () => {
    const clock = new TestClock();
    const { username } = await register({ clock });
    for (let i = 0; i < 3; i++) await attempt(uniqueName("guess"), "wrong password", { clock, env, ip: "203.0.113.9" });
    expect((await attempt(username, PASSWORD, { clock, env, ip: "203.0.113.9" })).status).toBe(429);
    expect((await attempt(username, PASSWORD, { clock, env, ip: "203.0.113.10" })).status).toBe(200);
  });
});

describe("registration throttling per client IP", () => {
  const signUp = (ip: string, options: { clock?: TestClock; env?: Record<string, string> } = {}) => {
    const username = uniqueName("new");
    return call(
      "/auth/registration/",
      json("POST", { username, password1: PASSWORD, password2: PASSWORD }, { "cf-connecting-ip": ip }),
      options,
    );
  };

  it("allows 20 registrations per IP per hour by default, then answers DRF's 429", async () => {
    const clock = new TestClock();
    for (let i = 0; i < 20; i++) expect((await signUp("203.0.113.50", { clock })).status).toBe(201);
    clock.advance(60_000);
    const throttled = await signUp("203.0.113.50", { clock });
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after")).toBe("3540");
    expect(await throttled.text()).toBe('{"detail":"Request was throttled. Expected available in 3540 seconds."}');
    expect((await signUp("203.0.113.51", { clock })).status).toBe(201);
    clock.advance(3540_000);
    expect((await signUp("203.0.113.50", { clock })).status).toBe(201);
  }, 60_000);

  it("holds under parallel registrations", async () => {
    const env = { REGISTRATIONS_PER_IP: "3/1h" };
    const all = await Promise.all(Array.from({ length: 12 }, () => signUp("203.0.113.52", { env })));
    expect(all.filter((response) => response.status === 201).length).toBeLessThanOrEqual(3);
    expect(all.every((response) => response.status === 201 || response.status === 429)).toBe(true);
  });

  it("can be turned off", async () => {
    const env = { REGISTRATIONS_PER_IP: "off" };
    for (let i = 0; i < 3; i++) expect((await signUp("203.0.113.53", { env })).status).toBe(201);
    const strict = { REGISTRATIONS_PER_IP: "2/1h" };
    for (let i = 0; i < 2; i++) expect((await signUp("203.0.113.54", { env: strict })).status).toBe(201);
    expect((await signUp("203.0.113.54", { env: strict })).status).toBe(429);
  });

  it("fails closed on an invalid REGISTRATIONS_PER_IP", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const response = await signUp("203.0.113.55", { env: { REGISTRATIONS_PER_IP: "lots" } });
    expect(response.status).toBe(500);
    expect(((await response.json()) as { detail: string }).detail).toContain("REGISTRATIONS_PER_IP must be a count");
  });
});

describe("mail request throttling", () => {
  it("limits password-reset requests per address, known or not", async () => {
    const box = mailbox();
    const env = { ...box.env, MAIL_REQUESTS_PER_ADDRESS: "2/1h" };
    const username = uniqueName();
    await register({ username, email: `${username}@example.com` });
    for (const email of [`${username}@example.com`, "nobody@example.com"]) {
      for (let i = 0; i < 2; i++)
        expect((await call("/auth/password/reset/", json("POST", { email }), { env })).status).toBe(200);
      const throttled = await call("/auth/password/reset/", json("POST", { email }), { env });
      expect(throttled.status).toBe(429);
      expect(throttled.headers.get("retry-after")).toBe("3600");
    }
    expect((await box.read()).messages).toHaveLength(2);
  });

  it("limits resend-email requests per IP", async () => {
    const env = { MAIL_REQUESTS_PER_IP: "2/1h" };
    const resend = (email: string) =>
      call("/auth/registration/resend-email/", json("POST", { email }, { "cf-connecting-ip": "192.0.2.1" }), { env });
    expect((await resend("a@example.com")).status).toBe(200);
    expect((await resend("b@example.com")).status).toBe(200);
    expect((await resend("c@example.com")).status).toBe(429);
  });
});

describe("throttle configuration", () => {
  it.each(["ten/15m", "10/ever", "0/1m"])("fails closed on LOGIN_FAILURES_PER_ACCOUNT=%s", async (value) => {
    const response = await call("/auth/login/", json("POST", { username: "a", password: "b" }), {
      env: { LOGIN_FAILURES_PER_ACCOUNT: value },
    });
    expect(response.status).toBe(500);
    expect(((await response.json()) as { detail: string }).detail).toContain(
      "LOGIN_FAILURES_PER_ACCOUNT must be a count per duration",
    );
  });
});
