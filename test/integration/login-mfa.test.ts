import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, json, mailbox, PASSWORD, register, TestClock, tokenHeader, uniqueName } from "../helpers";
import { enrolTotp, mfaOptions, totpCode } from "../support/mfa";

const INVALID_TOKEN = { mfa_token: ["Invalid value"] };
const INVALID_CODE = { code: ["Invalid code."] };

async function userWithTotp(clock: TestClock, extraEnv: Record<string, unknown> = {}) {
  const registered = await register({ clock });
  const enrolled = await enrolTotp(registered.key, mfaOptions(clock, extraEnv));
  return { ...registered, ...enrolled };
}

async function passwordStep(username: string, options: ReturnType<typeof mfaOptions>) {
  const response = await call("/auth/login/", json("POST", { username, password: PASSWORD, client: "ios" }), options);
  return { response, body: (await response.clone().json()) as { mfa_token: string } & Record<string, unknown> };
}

describe("POST /auth/login/ with a second factor", () => {
  it("answers mfa_required with a single-use token and the enrolled methods, and no key or cookie", async () => {
    const clock = new TestClock();
    const { username } = await userWithTotp(clock);
    const { response, body } = await passwordStep(username, mfaOptions(clock));
    expect(response.status).toBe(200);
    expect(Object.keys(body)).toEqual(["mfa_required", "mfa_token", "methods"]);
    expect(body).toMatchObject({ mfa_required: true, methods: ["totp", "recovery_code"] });
    expect(body.mfa_token).toMatch(/^[0-9A-Za-z]{32}$/);
    expect(response.headers.get("set-cookie")).toBeNull();
    expect(response.headers.get("cache-control")).toBe("no-store");
  });

  it("stores only a digest of the mfa_token", async () => {
    const clock = new TestClock();
    const { username } = await userWithTotp(clock);
    const { body } = await passwordStep(username, mfaOptions(clock));
    const rows = await env.DB.prepare("SELECT * FROM mfa_logins").all();
    expect(JSON.stringify(rows.results)).not.toContain(body.mfa_token);
  });

  it("still refuses a wrong password with the usual answer", async () => {
    const clock = new TestClock();
    const { username } = await userWithTotp(clock);
    const response = await call("/auth/login/", json("POST", { username, password: "wrong" }), mfaOptions(clock));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ non_field_errors: ["Unable to log in with provided credentials."] });
  });
});

describe("POST /auth/login/mfa/", () => {
  it("completes the login with a TOTP code: the login body, the cookie, and the client named at login", async () => {
    const clock = new TestClock();
    const options = mfaOptions(clock);
    const { username, secret, pk } = await userWithTotp(clock);
    const { body: first } = await passwordStep(username, options);
    const response = await call(
      "/auth/login/mfa/",
      json("POST", { mfa_token: first.mfa_token, code: await totpCode(secret, clock.nowMs) }),
      options,
    );
    expect(response.status).toBe(200);
    const body = (await response.json()) as { key: string; user: { pk: number } };
    expect(Object.keys(body)).toEqual(["key", "expiry", "user"]);
    expect(body.user.pk).toBe(pk);
    expect(response.headers.get("set-cookie")).toContain(`auth_token=${body.key};`);
    const sessions = (await (await call("/auth/sessions/", { headers: tokenHeader(body.key) }, options)).json()) as {
      client: string;
      current: boolean;
    }[];
    expect(sessions.find((session) => session.current)?.client).toBe("ios");
  });

  it("accepts a code of the previous or next step, with spaces as apps show it", async () => {
    const clock = new TestClock();
    const options = mfaOptions(clock);
    const { username, secret } = await userWithTotp(clock);
    for (const offset of [-1, 1]) {
      clock.advance(90_000);
      const { body } = await passwordStep(username, options);
      const code = await totpCode(secret, clock.nowMs, offset);
      const spaced = `${code.slice(0, 3)} ${code.slice(3)}`;
      const response = await call(
        "/auth/login/mfa/",
        json("POST", { mfa_token: body.mfa_token, code: spaced }),
        options,
      );
      expect(response.status).toBe(200);
    }
  });

  it("accepts each TOTP code once (replay refused), and no earlier code after it", async () => {
    const clock = new TestClock();
    const options = mfaOptions(clock);
    const { username, secret } = await userWithTotp(clock);
    const code = await totpCode(secret, clock.nowMs);
    const first = await passwordStep(username, options);
    expect(
      (await call("/auth/login/mfa/", json("POST", { mfa_token: first.body.mfa_token, code }), options)).status,
    ).toBe(200);
    const second = await passwordStep(username, options);
    for (const replay of [code, await totpCode(secret, clock.nowMs, -1)]) {
      const response = await call(
        "/auth/login/mfa/",
        json("POST", { mfa_token: second.body.mfa_token, code: replay }),
        options,
      );
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual(INVALID_CODE);
    }
    // The token survives wrong codes: the next step's code completes it.
    const next = await call(
      "/auth/login/mfa/",
      json("POST", { mfa_token: second.body.mfa_token, code: await totpCode(secret, clock.nowMs, 1) }),
      options,
    );
    expect(next.status).toBe(200);
  });

  it("refuses a used, an unknown and an expired mfa_token", async () => {
    const clock = new TestClock();
    const options = mfaOptions(clock);
    const { username, secret } = await userWithTotp(clock);
    const { body } = await passwordStep(username, options);
    const done = await call(
      "/auth/login/mfa/",
      json("POST", { mfa_token: body.mfa_token, code: await totpCode(secret, clock.nowMs) }),
      options,
    );
    expect(done.status).toBe(200);
    clock.advance(30_000);
    const again = await call(
      "/auth/login/mfa/",
      json("POST", { mfa_token: body.mfa_token, code: await totpCode(secret, clock.nowMs) }),
      options,
    );
    expect(again.status).toBe(400);
    expect(await again.json()).toEqual(INVALID_TOKEN);
    const unknown = await call("/auth/login/mfa/", json("POST", { mfa_token: "nope", code: "123456" }), options);
    expect(await unknown.json()).toEqual(INVALID_TOKEN);

    const late = await passwordStep(username, options);
    clock.advance(5 * 60_000 + 1);
    const expired = await call(
      "/auth/login/mfa/",
      json("POST", { mfa_token: late.body.mfa_token, code: await totpCode(secret, clock.nowMs) }),
      options,
    );
    expect(expired.status).toBe(400);
    expect(await expired.json()).toEqual(INVALID_TOKEN);
  });

  it("answers field errors for missing input", async () => {
    const clock = new TestClock();
    const options = mfaOptions(clock);
    const { username } = await userWithTotp(clock);
    expect(await (await call("/auth/login/mfa/", json("POST", {}), options)).json()).toEqual({
      mfa_token: ["This field is required."],
    });
    const { body } = await passwordStep(username, options);
    const neither = await call("/auth/login/mfa/", json("POST", { mfa_token: body.mfa_token }), options);
    expect(neither.status).toBe(400);
    expect(await neither.json()).toEqual({ non_field_errors: ['Must include either "code" or "webauthn".'] });
  });

  it("counts wrong codes as failed logins: over the limit even the right code and password get 429", async () => {
    const clock = new TestClock();
    const throttle = { LOGIN_FAILURES_PER_ACCOUNT: "2/15m" };
    const options = mfaOptions(clock, throttle);
    const { username, secret } = await userWithTotp(clock, throttle);
    const { body } = await passwordStep(username, options);
    for (const code of ["000000", "not-a-recovery-code"]) {
      const wrong = await call("/auth/login/mfa/", json("POST", { mfa_token: body.mfa_token, code }), options);
      expect(await wrong.json()).toEqual(INVALID_CODE);
    }
    const right = await call(
      "/auth/login/mfa/",
      json("POST", { mfa_token: body.mfa_token, code: await totpCode(secret, clock.nowMs) }),
      options,
    );
    expect(right.status).toBe(429);
    expect((await passwordStep(username, options)).response.status).toBe(429);
  });

  it("completes the login with a recovery code, each once, typed in any case", async () => {
    const clock = new TestClock();
    const options = mfaOptions(clock);
    const { username, recoveryCodes, key } = await userWithTotp(clock);
    const [code] = recoveryCodes as [string];
    const first = await passwordStep(username, options);
    const typed = code.toUpperCase().replace(/-/g, " ");
    const response = await call(
      "/auth/login/mfa/",
      json("POST", { mfa_token: first.body.mfa_token, code: typed }),
      options,
    );
    expect(response.status).toBe(200);
    const second = await passwordStep(username, options);
    const reused = await call("/auth/login/mfa/", json("POST", { mfa_token: second.body.mfa_token, code }), options);
    expect(await reused.json()).toEqual(INVALID_CODE);
    const status = await (await call("/auth/mfa/", { headers: tokenHeader(key) }, options)).json();
    expect(status).toEqual({ totp: true, passkeys: 0, recovery_codes_left: 9 });
  });

  it("leaves users without a second factor exactly as before", async () => {
    const clock = new TestClock();
    const { username } = await register({ clock });
    const response = await call("/auth/login/", json("POST", { username, password: PASSWORD }), mfaOptions(clock));
    expect(Object.keys((await response.json()) as object)).toEqual(["key", "expiry", "user"]);
  });
});

describe("POST /auth/mfa/recovery-codes/", () => {
  it("replaces the set: the old codes die, other devices are signed out, a notice is mailed", async () => {
    const clock = new TestClock();
    const username = uniqueName();
    const box = mailbox();
    const options = mfaOptions(clock, box.env);
    const { key } = await register({ clock, username, email: `${username}@example.com` });
    const { recoveryCodes: old } = await enrolTotp(key, options);
    const response = await call(
      "/auth/mfa/recovery-codes/",
      json("POST", { password: PASSWORD }, tokenHeader(key)),
      options,
    );
    expect(response.status).toBe(200);
    const { recovery_codes } = (await response.json()) as { recovery_codes: string[] };
    expect(recovery_codes).toHaveLength(10);
    expect(recovery_codes.some((code) => old.includes(code))).toBe(false);
    const { body } = await passwordStep(username, options);
    const stale = await call("/auth/login/mfa/", json("POST", { mfa_token: body.mfa_token, code: old[0] }), options);
    expect(await stale.json()).toEqual(INVALID_CODE);
    const fresh = await call(
      "/auth/login/mfa/",
      json("POST", { mfa_token: body.mfa_token, code: recovery_codes[0] }),
      options,
    );
    expect(fresh.status).toBe(200);
    const notices = (await box.read()).messages.filter((message) => message.body.kind === "security_notice");
    expect(notices.map((message) => message.body.data.event)).toEqual(["totp_enabled", "recovery_codes_regenerated"]);
  });

  it("signs the user's other devices out", async () => {
    const clock = new TestClock();
    const options = mfaOptions(clock);
    const { key, username, secret } = await userWithTotp(clock);
    const { body } = await passwordStep(username, options);
    const done = await call(
      "/auth/login/mfa/",
      json("POST", { mfa_token: body.mfa_token, code: await totpCode(secret, clock.nowMs) }),
      options,
    );
    const { key: other } = (await done.json()) as { key: string };
    await call("/auth/mfa/recovery-codes/", json("POST", { password: PASSWORD }, tokenHeader(key)), options);
    expect((await call("/auth/user/", { headers: tokenHeader(other) }, options)).status).toBe(401);
    expect((await call("/auth/user/", { headers: tokenHeader(key) }, options)).status).toBe(200);
  });

  it("refuses a wrong password, and a user without a second factor", async () => {
    const clock = new TestClock();
    const options = mfaOptions(clock);
    const { key } = await userWithTotp(clock);
    const wrong = await call(
      "/auth/mfa/recovery-codes/",
      json("POST", { password: "nope" }, tokenHeader(key)),
      options,
    );
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toEqual({ password: ["Incorrect password."] });
    const plain = await register({ clock });
    const none = await call(
      "/auth/mfa/recovery-codes/",
      json("POST", { password: PASSWORD }, tokenHeader(plain.key)),
      options,
    );
    expect(none.status).toBe(400);
    expect(await none.json()).toEqual({ non_field_errors: ["Recovery codes need an active second factor."] });
  });
});
