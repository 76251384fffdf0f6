/**
 * The security activity log: GET /auth/activity/ (DRF cursor pagination, newest first, own events only), the
 * events each flow records, the retention purge, and the "new sign-in" mail through the real mail receiver.
 */
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import {
  brokenD1,
  type CallOptions,
  call,
  json,
  mailbox,
  PASSWORD,
  register,
  T0,
  TestClock,
  tokenHeader,
  uniqueName,
} from "../helpers";

const DAY_MS = 86_400_000;
const CHROME_MAC =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36";
const SAFARI_IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";
const NEW_PASSWORD = "a brand new passphrase";

interface ActivityEvent {
  id: string;
  kind: string;
  created: string;
  ip: string | null;
  location: string | null;
  user_agent: string | null;
  client: string | null;
}

interface ActivityPage {
  next: string | null;
  previous: string | null;
  results: ActivityEvent[];
}

interface Device {
  userAgent: string;
  ip: string;
  cf?: Record<string, string>;
}

const LAPTOP: Device = { userAgent: CHROME_MAC, ip: "198.51.100.4", cf: { city: "Berlin", country: "DE" } };
const PHONE: Device = { userAgent: SAFARI_IPHONE, ip: "203.0.113.9", cf: { city: "Lisbon", country: "PT" } };

/** A request from `device`, with the edge's `cf` data as Cloudflare sends it. */
function from(device: Device, init: RequestInit, path: string): Request {
  const headers = new Headers(init.headers);
  headers.set("user-agent", device.userAgent);
  headers.set("cf-connecting-ip", device.ip);
  return new Request(new URL(path, "https://auth.example.com"), { ...init, headers, cf: device.cf } as RequestInit);
}

/** Calls `path` from `device`. */
function callFrom(device: Device, path: string, init: RequestInit, options: CallOptions) {
  const request = from(device, init, path);
  return call(request.url, request, options);
}

async function signIn(username: string, device: Device, options: CallOptions = {}, password = PASSWORD) {
  const request = from(device, json("POST", { username, password }), "/auth/login/");
  return call(request.url, request, options);
}

async function signInKey(username: string, device: Device, options: CallOptions = {}, password = PASSWORD) {
  const response = await signIn(username, device, options, password);
  expect(response.status).toBe(200);
  return ((await response.json()) as { key: string }).key;
}

async function activity(key: string, options: CallOptions = {}, path = "/auth/activity/"): Promise<ActivityPage> {
  const response = await call(path, { headers: tokenHeader(key) }, options);
  expect(response.status).toBe(200);
  expect(response.headers.get("cache-control")).toBe("no-store");
  return (await response.json()) as ActivityPage;
}

/** Registers from `device` (its sign-in is the account's first). */
async function registerFrom(device: Device, options: CallOptions & { email?: string } = {}) {
  const username = uniqueName();
  const body: Record<string, string> = { username, password1: PASSWORD, password2: PASSWORD };
  if (options.email) body.email = options.email;
  const request = from(device, json("POST", body), "/auth/registration/");
  const response = await call(request.url, request, options);
  expect(response.status).toBe(201);
  const payload = (await response.json()) as { key?: string; user?: { pk: number } };
  return { username, key: payload.key ?? "", pk: payload.user?.pk ?? 0 };
}

/** Inserts an event straight into D1 (as if recorded long ago). */
async function insertEvent(userId: number, id: string, createdMs: number, kind = "login") {
  await env.DB.prepare("INSERT INTO activity_events (id, user_id, kind, created_ms) VALUES (?, ?, ?, ?)")
    .bind(id, userId, kind, createdMs)
    .run();
}

describe("GET /auth/activity/", () => {
  it("lists a sign-in with its time, device, client, IP and location, newest first", async () => {
    const clock = new TestClock();
    const { username, key } = await registerFrom(LAPTOP, { clock });
    clock.advance(60_000);
    const request = from(PHONE, json("POST", { username, password: PASSWORD, client: "ios" }), "/auth/login/");
    expect((await call(request.url, request, { clock })).status).toBe(200);
    const page = await activity(key, { clock });
    expect(page.next).toBeNull();
    expect(page.previous).toBeNull();
    expect(page.results).toHaveLength(2);
    const [newest, oldest] = page.results as [ActivityEvent, ActivityEvent];
    expect(Object.keys(newest)).toEqual(["id", "kind", "created", "ip", "location", "user_agent", "client"]);
    expect(newest).toMatchObject({
      kind: "login",
      created: "2026-12-01T10:01:00.000000Z",
      ip: "203.0.113.9",
      location: "Lisbon, PT",
      user_agent: SAFARI_IPHONE,
      client: "ios",
    });
    expect(newest.id).toMatch(/^[0-9A-Za-z]{16}$/);
    // Registration signs its first device in: that is a sign-in too.
    expect(oldest).toMatchObject({
      kind: "login",
      created: "2026-12-01T10:00:00.000000Z",
      ip: "198.51.100.4",
      location: "Berlin, DE",
      client: "web",
    });
  });

  it("records every kind of account event, and never a key, code or password", async () => {
    const clock = new TestClock();
    const box = mailbox();
    const options = { clock, env: { ...box.env, EMAIL_VERIFICATION: "optional", NEW_SIGNIN_EMAIL: "off" } };
    const email = `${uniqueName("ev")}@example.com`;
    const { username, key: first } = await registerFrom(LAPTOP, { ...options, email });
    const step = () => clock.advance(1000);

    step();
    const verification = (await box.read()).messages.find((m) => m.body.kind === "email_verification");
    const verifyKey = verification?.body.data.key ?? "";
    expect((await call("/auth/registration/verify-email/", json("POST", { key: verifyKey }), options)).status).toBe(
      200,
    );
    step();
    expect((await signIn(username, PHONE, options, "not the password")).status).toBe(400);
    step();
    const second = await signInKey(username, PHONE, options);
    step();
    const change = json(
      "POST",
      { old_password: PASSWORD, new_password1: NEW_PASSWORD, new_password2: NEW_PASSWORD },
      tokenHeader(first),
    );
    expect((await callFrom(LAPTOP, "/auth/password/change/", change, options)).status).toBe(200);
    step();
    // The old password no longer works: one more failure.
    expect((await signIn(username, PHONE, options)).status).toBe(400);
    step();
    const fourth = await signInKey(username, PHONE, options, NEW_PASSWORD);
    const mine = (await (await call("/auth/sessions/", { headers: tokenHeader(fourth) }, options)).json()) as {
      id: string;
      current: boolean;
    }[];
    const fourthId = mine.find((session) => session.current)?.id;
    step();
    const revoke = { method: "DELETE", headers: tokenHeader(first) };
    expect((await call(`/auth/sessions/${fourthId}/`, revoke, options)).status).toBe(204);
    step();
    const sixth = await signInKey(username, PHONE, options, NEW_PASSWORD);
    step();
    const logout = { method: "POST", headers: tokenHeader(sixth) };
    expect((await callFrom(PHONE, "/auth/logout/", logout, options)).status).toBe(200);
    step();
    expect((await call("/auth/logoutall/", { method: "POST", headers: tokenHeader(first) }, options)).status).toBe(204);
    step();
    expect((await call("/auth/password/reset/", json("POST", { email }), options)).status).toBe(200);
    const reset = (await box.read()).messages.find((m) => m.body.kind === "password_reset");
    const { uid = "", token = "" } = reset?.body.data ?? {};
    const confirm = json("POST", { uid, token, new_password1: PASSWORD, new_password2: PASSWORD });
    expect((await call("/auth/password/reset/confirm/", confirm, options)).status).toBe(200);
    step();
    const last = await signInKey(username, LAPTOP, options);

    const page = await activity(last, options);
    expect(page.results.map((event) => event.kind)).toEqual([
      "login",
      "password_reset",
      "logout_all",
      "logout",
      "login",
      "session_revoked",
      "login",
      "login_failed",
      "password_changed",
      "login",
      "login_failed",
      "email_verified",
      "login",
    ]);
    // Each event is told from the device of the request that caused it.
    expect(page.results[8]).toMatchObject({ kind: "password_changed", ip: "198.51.100.4", location: "Berlin, DE" });
    expect(page.results[8]?.client).toBe("web");
    expect(page.results[10]).toMatchObject({ ip: "203.0.113.9", location: "Lisbon, PT", user_agent: SAFARI_IPHONE });
    expect(page.results[3]).toMatchObject({ kind: "logout", ip: "203.0.113.9", location: "Lisbon, PT" });

    const text =
      JSON.stringify(page) + JSON.stringify((await env.DB.prepare("SELECT * FROM activity_events").all()).results);
    for (const secret of [
      first,
      second,
      fourth,
      sixth,
      last,
      PASSWORD,
      NEW_PASSWORD,
      "not the password",
      verifyKey,
      token,
    ]) {
      expect(secret.length).toBeGreaterThan(8);
      expect(text).not.toContain(secret);
      expect(text).not.toContain(secret.slice(4, 36));
    }
    expect(text).not.toContain(uid);
  });

  it("shows each user their own events only", async () => {
    const ada = await register();
    const bob = await register();
    await signInKey(bob.username, PHONE);
    expect((await call("/auth/login/", json("POST", { username: ada.username, password: "wrong one!" }))).status).toBe(
      400,
    );
    const adas = await activity(ada.key);
    const bobs = await activity(bob.key);
    expect(adas.results.map((event) => event.kind)).toEqual(["login_failed", "login"]);
    expect(bobs.results.map((event) => event.kind)).toEqual(["login", "login"]);
    const adaIds = new Set(adas.results.map((event) => event.id));
    expect(bobs.results.some((event) => adaIds.has(event.id))).toBe(false);
    const bobRows = await env.DB.prepare("SELECT id FROM activity_events WHERE user_id = ?")
      .bind(bob.pk)
      .all<{ id: string }>();
    expect(bobRows.results.map((row) => row.id).sort()).toEqual(bobs.results.map((event) => event.id).sort());
  });

  it("records nothing for a failed sign-in to an account that does not exist", async () => {
    const before = await env.DB.prepare("SELECT count(*) AS n FROM activity_events").first<{ n: number }>();
    const response = await call("/auth/login/", json("POST", { username: uniqueName("ghost"), password: PASSWORD }));
    expect(response.status).toBe(400);
    const after = await env.DB.prepare("SELECT count(*) AS n FROM activity_events").first<{ n: number }>();
    expect(after?.n).toBe(before?.n);
  });

  it("fails closed with 503 when D1 fails after the token was served from the edge cache", async () => {
    const { key } = await register();
    const cached = { env: { TOKEN_CACHE_TTL: "5m" } };
    expect((await call("/auth/activity/", { headers: tokenHeader(key) }, cached)).status).toBe(200);
    const broken = { env: { TOKEN_CACHE_TTL: "5m", DB: brokenD1("throwing") } };
    // The token itself is still served from the cache: the 503 below is the activity read failing.
    expect((await call("/auth/user/", { headers: tokenHeader(key) }, broken)).status).toBe(200);
    const response = await call("/auth/activity/", { headers: tokenHeader(key) }, broken);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ detail: "Service temporarily unavailable, try again later." });
  });

  it("needs credentials", async () => {
    const response = await call("/auth/activity/");
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ detail: "Authentication credentials were not provided." });
    expect(
      (await call("/auth/activity/", { method: "POST", headers: tokenHeader((await register()).key) })).status,
    ).toBe(405);
  });

  it("pages through cursors, newest first and in a stable order when times tie, forward and back", async () => {
    const { key, pk } = await register();
    // 45 older events, three to a millisecond, besides the registration's sign-in: 46 in all.
    for (let i = 0; i < 45; i++) {
      await insertEvent(
        pk,
        `ev${String(i).padStart(2, "0")}${Math.random().toString(36).slice(2, 8)}`,
        T0 - DAY_MS - Math.floor(i / 3),
      );
    }
    const expected = (
      await env.DB.prepare("SELECT id FROM activity_events WHERE user_id = ? ORDER BY created_ms DESC, id DESC")
        .bind(pk)
        .all<{ id: string }>()
    ).results.map((row) => row.id);
    expect(expected).toHaveLength(46);

    const first = await activity(key);
    expect(first.results).toHaveLength(20);
    expect(first.previous).toBeNull();
    expect(first.next).toMatch(/^https:\/\/auth\.example\.com\/auth\/activity\/\?cursor=[A-Za-z0-9_-]+$/);
    const second = await activity(key, {}, first.next ?? "");
    expect(second.results).toHaveLength(20);
    const third = await activity(key, {}, second.next ?? "");
    expect(third.results).toHaveLength(6);
    expect(third.next).toBeNull();
    const walked = [...first.results, ...second.results, ...third.results].map((event) => event.id);
    expect(walked).toEqual(expected);

    // Back again: the same pages, and no previous before the first.
    const backToSecond = await activity(key, {}, third.previous ?? "");
    expect(backToSecond.results.map((event) => event.id)).toEqual(second.results.map((event) => event.id));
    expect(backToSecond.next).not.toBeNull();
    const backToFirst = await activity(key, {}, backToSecond.previous ?? "");
    expect(backToFirst.results.map((event) => event.id)).toEqual(first.results.map((event) => event.id));
    expect(backToFirst.previous).toBeNull();
    expect(backToFirst.next).not.toBeNull();
    // Without a trailing slash too.
    expect((await activity(key, {}, "/auth/activity")).results).toHaveLength(20);
  });

  it.each(["garbage", "cD0xMjM", "%2F%2F", "x".repeat(300), ""])(
    "refuses the tampered cursor %j with 404",
    async (cursor) => {
      const { key } = await register();
      const response = await call(`/auth/activity/?cursor=${cursor}`, { headers: tokenHeader(key) });
      if (cursor === "") {
        // No cursor is the first page, as in DRF.
        expect(response.status).toBe(200);
        return;
      }
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ detail: "Invalid cursor" });
    },
  );

  it("refuses a cursor whose text was altered by one character", async () => {
    const { key, pk } = await register();
    for (let i = 0; i < 21; i++)
      await insertEvent(pk, `tamper${i}x${Math.random().toString(36).slice(2, 8)}`, T0 - DAY_MS - i);
    const next = (await activity(key)).next ?? "";
    const cursor = new URL(next).searchParams.get("cursor") ?? "";
    const altered = `${cursor.slice(0, -1)}${cursor.endsWith("A") ? "B" : "A"}`;
    const response = await call(`/auth/activity/?cursor=${altered}`, { headers: tokenHeader(key) });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ detail: "Invalid cursor" });
  });
});

describe("the activity retention purge", () => {
  async function runCron(vars: Record<string, string> = {}) {
    const ctx = createExecutionContext();
    await worker.scheduled(
      createScheduledController({ scheduledTime: T0, cron: "*/15 * * * *" }),
      { ...env, ...vars },
      ctx,
    );
    await waitOnExecutionContext(ctx);
  }
  const exists = async (id: string) =>
    (await env.DB.prepare("SELECT 1 FROM activity_events WHERE id = ?").bind(id).first()) !== null;

  it("deletes events older than ACTIVITY_RETENTION (90 days by default) and keeps younger ones", async () => {
    const { pk } = await register();
    const old = `old${Math.random().toString(36).slice(2, 10)}`;
    const young = `young${Math.random().toString(36).slice(2, 10)}`;
    const month = `month${Math.random().toString(36).slice(2, 10)}`;
    await insertEvent(pk, old, T0 - 91 * DAY_MS);
    await insertEvent(pk, young, T0 - 89 * DAY_MS);
    await insertEvent(pk, month, T0 - 20 * DAY_MS);
    await runCron();
    expect(await exists(old)).toBe(false);
    expect(await exists(young)).toBe(true);
    await runCron({ ACTIVITY_RETENTION: "30d" });
    expect(await exists(young)).toBe(false);
    expect(await exists(month)).toBe(true);
  });
});

describe("the new sign-in mail", () => {
  it("is sent through the transport for a device and location not seen before, with where and when", async () => {
    const clock = new TestClock();
    const box = mailbox();
    const email = `${uniqueName("new")}@example.com`;
    const { username } = await registerFrom(LAPTOP, { clock, env: box.env, email });
    clock.advance(60_000);
    await signInKey(username, LAPTOP, { clock, env: box.env });
    expect((await box.read()).messages).toEqual([]);
    clock.advance(60_000);
    await signInKey(username, PHONE, { clock, env: box.env });
    const { messages } = await box.read();
    expect(messages).toHaveLength(1);
    const [mail] = messages;
    expect(mail?.body).toMatchObject({ to: email, subject: "New sign-in to your account", kind: "new_signin" });
    expect(mail?.body.data).toEqual({
      created: "2026-12-01T10:02:00.000000Z",
      ip: "203.0.113.9",
      location: "Lisbon, PT",
      user_agent: SAFARI_IPHONE,
      client: "web",
    });
    expect(mail?.body.text).toContain("Lisbon, PT");
    expect(mail?.body.text).toContain("203.0.113.9");
    // The same phone again is not new any more.
    clock.advance(60_000);
    await signInKey(username, PHONE, { clock, env: box.env });
    expect((await box.read()).messages).toHaveLength(1);
  });

  it("is sent for a known device in a new place", async () => {
    const box = mailbox();
    const { username } = await registerFrom(LAPTOP, { env: box.env, email: `${uniqueName("place")}@example.com` });
    await signInKey(username, { ...LAPTOP, cf: { city: "Paris", country: "FR" } }, { env: box.env });
    expect((await box.read()).messages.map((m) => m.body.kind)).toEqual(["new_signin"]);
  });

  it("is not sent with NEW_SIGNIN_EMAIL=off", async () => {
    const box = mailbox();
    const options = { env: { ...box.env, NEW_SIGNIN_EMAIL: "off" } };
    const { username } = await registerFrom(LAPTOP, { ...options, email: `${uniqueName("off")}@example.com` });
    await signInKey(username, PHONE, options);
    expect((await box.read()).messages).toEqual([]);
  });

  it("is not sent for the first sign-in ever, nor to a user without an address", async () => {
    const box = mailbox();
    // Under mandatory verification registration signs nothing in: the first login is the first sign-in.
    const mandatory = { env: { ...box.env, EMAIL_VERIFICATION: "mandatory" } };
    const email = `${uniqueName("first")}@example.com`;
    const { username } = await registerFrom(LAPTOP, { ...mandatory, email });
    const verification = (await box.read()).messages.find((m) => m.body.kind === "email_verification");
    await call("/auth/registration/verify-email/", json("POST", { key: verification?.body.data.key }), mandatory);
    await signInKey(username, PHONE, mandatory);
    expect((await box.read()).messages.map((m) => m.body.kind)).toEqual(["email_verification"]);

    const quiet = mailbox();
    const { username: anonymous } = await registerFrom(LAPTOP, { env: quiet.env });
    await signInKey(anonymous, PHONE, { env: quiet.env });
    expect((await quiet.read()).messages).toEqual([]);
  });

  it("is not sent after a failed sign-in from a new device", async () => {
    const box = mailbox();
    const { username } = await registerFrom(LAPTOP, { env: box.env, email: `${uniqueName("fail")}@example.com` });
    expect((await signIn(username, PHONE, { env: box.env }, "not the password")).status).toBe(400);
    expect((await box.read()).messages).toEqual([]);
  });
});
