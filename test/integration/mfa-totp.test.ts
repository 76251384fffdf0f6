import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, json, login, mailbox, PASSWORD, register, TestClock, tokenHeader, uniqueName } from "../helpers";
import { enrolTotp, MFA_KEY, mfaOptions, totpCode } from "../support/mfa";

const status = async (key: string, options: ReturnType<typeof mfaOptions>) =>
  (await call("/auth/mfa/", { headers: tokenHeader(key) }, options)).json();

describe("GET /auth/mfa/", () => {
  it("reports no factor for a new user, and needs a token", async () => {
    const clock = new TestClock();
    const { key } = await register({ clock });
    expect(await status(key, mfaOptions(clock))).toEqual({ totp: false, passkeys: 0, recovery_codes_left: 0 });
    expect((await call("/auth/mfa/", {}, mfaOptions(clock))).status).toBe(401);
  });
});

describe("POST /auth/mfa/totp/ and confirm/", () => {
  it("hands out a secret and an otpauth:// URL, pending until a code confirms it", async () => {
    const clock = new TestClock();
    const options = mfaOptions(clock);
    const { key, username } = await register({ clock });
    const response = await call("/auth/mfa/totp/", { method: "POST", headers: tokenHeader(key) }, options);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = (await response.json()) as { secret: string; otpauth_url: string };
    expect(Object.keys(body)).toEqual(["secret", "otpauth_url"]);
    expect(body.secret).toMatch(/^[A-Z2-7]{32}$/);
    const url = new URL(body.otpauth_url);
    expect(url.searchParams.get("secret")).toBe(body.secret);
    expect(decodeURIComponent(url.pathname)).toBe(`/auth.example.com:${username}`);
    // Pending: not active yet, and login is unchanged.
    expect(await status(key, options)).toEqual({ totp: false, passkeys: 0, recovery_codes_left: 0 });
    expect(await login(username, { clock })).toMatch(/^etk_/);
  });

  it("stores the secret encrypted, never in clear", async () => {
    const clock = new TestClock();
    const { key, pk } = await register({ clock });
    const response = await call("/auth/mfa/totp/", { method: "POST", headers: tokenHeader(key) }, mfaOptions(clock));
    const { secret } = (await response.json()) as { secret: string };
    const row = await env.DB.prepare("SELECT * FROM mfa_totp WHERE user_id = ?")
      .bind(pk)
      .first<Record<string, unknown>>();
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(String(row?.secret_sealed)).toMatch(/^v1\./);
  });

  it("replaces a pending secret when called again", async () => {
    const clock = new TestClock();
    const options = mfaOptions(clock);
    const { key } = await register({ clock });
    const first = (await (
      await call("/auth/mfa/totp/", { method: "POST", headers: tokenHeader(key) }, options)
    ).json()) as {
      secret: string;
    };
    const second = (await (
      await call("/auth/mfa/totp/", { method: "POST", headers: tokenHeader(key) }, options)
    ).json()) as {
      secret: string;
    };
    expect(second.secret).not.toBe(first.secret);
    const stale = await call(
      "/auth/mfa/totp/confirm/",
      json("POST", { code: await totpCode(first.secret, clock.nowMs) }, tokenHeader(key)),
      options,
    );
    expect(stale.status).toBe(400);
    expect(await stale.json()).toEqual({ code: ["Invalid code."] });
  });

  it("activates TOTP with a correct code, returns ten recovery codes, and signs other devices out", async () => {
    const clock = new TestClock();
    const options = mfaOptions(clock);
    const { key, username } = await register({ clock });
    const other = await login(username, { clock });
    const { recoveryCodes } = await enrolTotp(key, options);
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    expect(await status(key, options)).toEqual({ totp: true, passkeys: 0, recovery_codes_left: 10 });
    expect((await call("/auth/user/", { headers: tokenHeader(key) }, options)).status).toBe(200);
    expect((await call("/auth/user/", { headers: tokenHeader(other) }, options)).status).toBe(401);
  });

  it("refuses a wrong code, and a second enrolment while active", async () => {
    const clock = new TestClock();
    const options = mfaOptions(clock);
    const { key } = await register({ clock });
    const { secret } = (await (
      await call("/auth/mfa/totp/", { method: "POST", headers: tokenHeader(key) }, options)
    ).json()) as {
      secret: string;
    };
    for (const code of ["000000", "12345", "abcdef", await totpCode(secret, clock.nowMs, 2)]) {
      const wrong = await call("/auth/mfa/totp/confirm/", json("POST", { code }, tokenHeader(key)), options);
      expect(wrong.status).toBe(400);
      expect(await wrong.json()).toEqual({ code: ["Invalid code."] });
    }
    const missing = await call("/auth/mfa/totp/confirm/", json("POST", {}, tokenHeader(key)), options);
    expect(await missing.json()).toEqual({ code: ["This field is required."] });
    expect((await status(key, options)) as object).toMatchObject({ totp: false });

    const accepted = await call(
      "/auth/mfa/totp/confirm/",
      json("POST", { code: await totpCode(secret, clock.nowMs, -1) }, tokenHeader(key)),
      options,
    );
    expect(accepted.status).toBe(200);
    const again = await call("/auth/mfa/totp/", { method: "POST", headers: tokenHeader(key) }, options);
    expect(again.status).toBe(400);
    expect(await again.json()).toEqual({ non_field_errors: ["TOTP is already active."] });
  });

  it("refuses to confirm when nothing is pending", async () => {
    const clock = new TestClock();
    const { key } = await register({ clock });
    const response = await call(
      "/auth/mfa/totp/confirm/",
      json("POST", { code: "123456" }, tokenHeader(key)),
      mfaOptions(clock),
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ non_field_errors: ["No TOTP enrolment is pending."] });
  });

  it("mails a security notice when TOTP is enabled and disabled", async () => {
    const clock = new TestClock();
    const username = uniqueName();
    const box = mailbox();
    const options = mfaOptions(clock, box.env);
    const { key } = await register({ clock, username, email: `${username}@example.com` });
    await enrolTotp(key, options);
    await call("/auth/mfa/totp/", json("DELETE", { password: PASSWORD }, tokenHeader(key)), options);
    const { messages } = await box.read();
    const notices = messages.filter((message) => message.body.kind === "security_notice");
    expect(notices.map((message) => message.body.data)).toEqual([
      { event: "totp_enabled" },
      { event: "totp_disabled" },
    ]);
    expect(notices[0]?.body.to).toBe(`${username}@example.com`);
    expect(JSON.stringify(messages)).not.toContain(MFA_KEY);
  });

  it("fails closed without MFA_ENCRYPTION_KEY in production, whatever the host, and uses the development key only in development", async () => {
    const clock = new TestClock();
    const { key } = await register({ clock });
    const deployed = await call("/auth/mfa/totp/", { method: "POST", headers: tokenHeader(key) }, { clock });
    expect(deployed.status).toBe(500);
    expect(((await deployed.json()) as { detail: string }).detail).toContain("MFA_ENCRYPTION_KEY");
    // A production service answering on localhost still refuses: the host never chooses the key.
    const localHost = await call(
      "http://localhost:8787/auth/mfa/totp/",
      { method: "POST", headers: tokenHeader(key) },
      { clock, env: { SERVICE_ORIGIN: undefined } },
    );
    expect(localHost.status).toBe(500);
    const development = await call(
      "http://localhost:8787/auth/mfa/totp/",
      { method: "POST", headers: tokenHeader(key) },
      { clock, env: { SERVICE_ORIGIN: undefined, ENVIRONMENT: "development" } },
    );
    expect(development.status).toBe(200);
  });
});

describe("DELETE /auth/mfa/totp/", () => {
  it("disables TOTP with the password or a current code, and signs other devices out", async () => {
    for (const proof of ["password", "code"] as const) {
      const clock = new TestClock();
      const options = mfaOptions(clock);
      const { key, username } = await register({ clock });
      const { secret } = await enrolTotp(key, options);
      const other = await completeLogin(username, secret, clock);
      const body = proof === "password" ? { password: PASSWORD } : { code: await totpCode(secret, clock.nowMs, 1) };
      const response = await call("/auth/mfa/totp/", json("DELETE", body, tokenHeader(key)), options);
      expect(response.status).toBe(204);
      expect(await status(key, options)).toEqual({ totp: false, passkeys: 0, recovery_codes_left: 0 });
      expect((await call("/auth/user/", { headers: tokenHeader(other) }, options)).status).toBe(401);
      expect(await login(username, { clock })).toMatch(/^etk_/);
    }
  });

  it("refuses a wrong password or code, and counts it as a failed login", async () => {
    const clock = new TestClock();
    const options = mfaOptions(clock, { LOGIN_FAILURES_PER_ACCOUNT: "2/15m" });
    const { key } = await register({ clock });
    await enrolTotp(key, options);
    const wrongPassword = await call(
      "/auth/mfa/totp/",
      json("DELETE", { password: "nope" }, tokenHeader(key)),
      options,
    );
    expect(wrongPassword.status).toBe(400);
    expect(await wrongPassword.json()).toEqual({ password: ["Incorrect password."] });
    const wrongCode = await call("/auth/mfa/totp/", json("DELETE", { code: "000000" }, tokenHeader(key)), options);
    expect(await wrongCode.json()).toEqual({ code: ["Invalid code."] });
    const throttled = await call("/auth/mfa/totp/", json("DELETE", { password: PASSWORD }, tokenHeader(key)), options);
    expect(throttled.status).toBe(429);
    const neither = await call("/auth/mfa/totp/", json("DELETE", {}, tokenHeader(key)), mfaOptions(clock));
    expect(neither.status).toBe(400);
    expect(await neither.json()).toEqual({ non_field_errors: ['Must include either "password" or "code".'] });
    expect((await status(key, options)) as object).toMatchObject({ totp: true });
  });

  it("answers 404 when TOTP is not active", async () => {
    const clock = new TestClock();
    const { key } = await register({ clock });
    const response = await call(
      "/auth/mfa/totp/",
      json("DELETE", { password: PASSWORD }, tokenHeader(key)),
      mfaOptions(clock),
    );
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ detail: "Not found." });
  });
});

/** Password then TOTP: the key of a fully signed-in device. */
async function completeLogin(username: string, secret: string, clock: TestClock): Promise<string> {
  const first = await call("/auth/login/", json("POST", { username, password: PASSWORD }), mfaOptions(clock));
  const { mfa_token } = (await first.json()) as { mfa_token: string };
  clock.advance(30_000);
  const second = await call(
    "/auth/login/mfa/",
    json("POST", { mfa_token, code: await totpCode(secret, clock.nowMs) }),
    mfaOptions(clock),
  );
  if (second.status !== 200) throw new Error(`second step failed: ${second.status} ${await second.text()}`);
  return ((await second.json()) as { key: string }).key;
}

describe("the activity log", () => {
  it("records every change of a second factor as mfa_changed, and the sign-in its second step completes", async () => {
    const clock = new TestClock();
    const options = mfaOptions(clock);
    const { key, username } = await register({ clock });
    // Events are ordered by time: each of these happens at its own instant.
    clock.advance(1_000);
    const { secret } = await enrolTotp(key, options);
    await call("/auth/mfa/recovery-codes/", json("POST", { password: PASSWORD }, tokenHeader(key)), options);
    clock.advance(1_000);
    const first = (await (
      await call("/auth/login/", json("POST", { username, password: PASSWORD }), options)
    ).json()) as {
      mfa_token: string;
    };
    const code = await totpCode(secret, clock.nowMs);
    expect((await call("/auth/login/mfa/", json("POST", { mfa_token: first.mfa_token, code }), options)).status).toBe(
      200,
    );
    const page = (await (await call("/auth/activity/", { headers: tokenHeader(key) }, options)).json()) as {
      results: { kind: string }[];
    };
    expect(page.results.map((event) => event.kind)).toEqual(["login", "mfa_changed", "mfa_changed", "login"]);
  });
});
