import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import {
  call,
  json,
  LONGEST_PASSWORD,
  login,
  mailbox,
  PASSWORD,
  recordingD1,
  register,
  TestClock,
  TOO_LONG,
  TOO_LONG_PASSWORD,
  tokenHeader,
  uniqueName,
} from "../helpers";

const NEW_PASSWORD = "a brand new passphrase";
const status = async (key: string, clock?: TestClock) =>
  (await call("/auth/user/", { headers: tokenHeader(key) }, { clock })).status;

describe("POST /auth/password/change/", () => {
  const change = (key: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    call("/auth/password/change/", json("POST", body, { ...tokenHeader(key), ...headers }));

  it("saves the new password, keeps this device and signs every other device out", async () => {
    const { username, key: laptop } = await register();
    const phone = await login(username);
    const response = await change(laptop, {
      old_password: PASSWORD,
      new_password1: NEW_PASSWORD,
      new_password2: NEW_PASSWORD,
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('{"detail":"New password has been saved."}');
    expect(await status(laptop)).toBe(200);
    expect(await status(phone)).toBe(401);
    await expect(login(username)).rejects.toThrow(/400/);
    expect(await login(username, { password: NEW_PASSWORD })).toMatch(/^etk_/);
  });

  it("refuses a wrong old password and changes nothing", async () => {
    const { username, key } = await register();
    const phone = await login(username);
    const response = await change(key, {
      old_password: "not it",
      new_password1: NEW_PASSWORD,
      new_password2: NEW_PASSWORD,
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toBe(
      '{"old_password":["Your old password was entered incorrectly. Please enter it again."]}',
    );
    expect(await status(phone)).toBe(200);
    expect(await login(username)).toMatch(/^etk_/);
  });

  it("reads an old password sent as a JSON number as text and refuses it as wrong (issue 12: was a 500)", async () => {
    const { key } = await register();
    for (const old_password of [0, "83920174652", 83920174652]) {
      const response = await change(key, { old_password, new_password1: NEW_PASSWORD, new_password2: NEW_PASSWORD });
      expect(response.status).toBe(400);
      expect(await response.text()).toBe(
        '{"old_password":["Your old password was entered incorrectly. Please enter it again."]}',
      );
    }
  });

  it("refuses mismatched new passwords with Django's message (U+2019)", async () => {
    const { key } = await register();
    const response = await change(key, {
      old_password: PASSWORD,
      new_password1: NEW_PASSWORD,
      new_password2: `${NEW_PASSWORD}x`,
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toBe('{"new_password2":["The two password fields didn\u2019t match."]}');
  });

  it("applies Django's validators under new_password2, against this user's attributes", async () => {
    const username = `${uniqueName()}zebra`;
    const { key } = await register({ username });
    const weak = await change(key, { old_password: PASSWORD, new_password1: "1234567", new_password2: "1234567" });
    expect(await weak.json()).toEqual({
      new_password2: [
        "This password is too short. It must contain at least 8 characters.",
        "This password is too common.",
        "This password is entirely numeric.",
      ],
    });
    const similar = await change(key, { old_password: PASSWORD, new_password1: username, new_password2: username });
    expect(await similar.json()).toEqual({ new_password2: ["The password is too similar to the username."] });
  });

  it("caps the old and new passwords at 128 characters, as every password field does", async () => {
    const { username, key } = await register();
    const tooLong = await change(key, {
      old_password: TOO_LONG_PASSWORD,
      new_password1: TOO_LONG_PASSWORD,
      new_password2: TOO_LONG_PASSWORD,
    });
    expect(tooLong.status).toBe(400);
    expect(await tooLong.json()).toEqual({
      old_password: [TOO_LONG],
      new_password1: [TOO_LONG],
      new_password2: [TOO_LONG],
    });
    const longest = { old_password: PASSWORD, new_password1: LONGEST_PASSWORD, new_password2: LONGEST_PASSWORD };
    expect((await change(key, longest)).status).toBe(200);
    expect(await login(username, { password: LONGEST_PASSWORD })).toMatch(/^etk_/);
  });

  it("lists every missing field", async () => {
    const { key } = await register();
    const response = await change(key, {});
    expect(await response.json()).toEqual({
      old_password: ["This field is required."],
      new_password1: ["This field is required."],
      new_password2: ["This field is required."],
    });
  });

  it("requires authentication", async () => {
    const response = await call("/auth/password/change/", json("POST", {}));
    expect(response.status).toBe(401);
  });
});

async function requestReset(email: string, options: Parameters<typeof call>[2] = {}) {
  return call("/auth/password/reset/", json("POST", { email }), options);
}

/** Registers a user with an address and mails them a reset code; returns what the mail carried. */
async function mailedReset(clock?: TestClock) {
  const box = mailbox();
  const username = uniqueName();
  const email = `${username}@example.com`;
  const user = await register({ username, email, clock });
  const response = await requestReset(email, { env: box.env, clock });
  expect(response.status).toBe(200);
  const { messages } = await box.read();
  expect(messages).toHaveLength(1);
  const data = messages[0]?.body.data as { uid: string; token: string; url: string };
  return { ...user, email, box, data };
}

const confirm = (body: Record<string, unknown>, clock?: TestClock) =>
  call("/auth/password/reset/confirm/", json("POST", body), { clock });
const confirmBody = (data: { uid: string; token: string }, password = NEW_PASSWORD) => ({
  uid: data.uid,
  token: data.token,
  new_password1: password,
  new_password2: password,
});

describe("POST /auth/password/reset/", () => {
  it("mails a reset code and link to a known address", async () => {
    const { email, username, box, data } = await mailedReset();
    const { messages } = await box.read();
    const mail = messages[0];
    expect(mail?.contentType).toBe("application/json");
    expect(Object.keys(mail?.body ?? {})).toEqual(["to", "subject", "text", "kind", "data"]);
    expect(mail?.body).toMatchObject({ to: email, kind: "password_reset" });
    expect(mail?.body.text).toContain(data.url);
    expect(mail?.body.text).toContain(username);
    expect(Object.keys(data)).toEqual(["uid", "token", "url"]);
    expect(data.url).toBe(`https://auth.example.com/account/reset-password?uid=${data.uid}&token=${data.token}`);
  });

  it("builds the link from PASSWORD_RESET_URL", async () => {
    const box = mailbox();
    const username = uniqueName();
    await register({ username, email: `${username}@example.com` });
    await requestReset(`${username}@example.com`, {
      env: { ...box.env, PASSWORD_RESET_URL: "https://app.example.com/reset/{uid}/{token}" },
    });
    const [mail] = (await box.read()).messages;
    expect(mail?.body.data.url).toBe(`https://app.example.com/reset/${mail?.body.data.uid}/${mail?.body.data.token}`);
  });

  it("answers an unknown address exactly as a known one, and mails nothing", async () => {
    const box = mailbox();
    const response = await requestReset("nobody@example.com", { env: box.env });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('{"detail":"Password reset e-mail has been sent."}');
    expect((await box.read()).attempts).toBe(0);
  });

  it("does the same work on the response path for known and unknown addresses", async () => {
    const username = uniqueName();
    await register({ username, email: `${username}@example.com` });
    const statementsBeforeResponse = async (email: string) => {
      const recorded = recordingD1(env.DB);
      const ctx = createExecutionContext();
      const response = await createApp({ mailRetryDelaysMs: [0, 0] }).request(
        "https://auth.example.com/auth/password/reset/",
        json("POST", { email }),
        { ...env, DB: recorded.db, ...mailbox().env },
        ctx,
      );
      const count = recorded.statements.length;
      await waitOnExecutionContext(ctx);
      return { status: response.status, body: await response.text(), count };
    };
    const known = await statementsBeforeResponse(`${username}@example.com`);
    const unknown = await statementsBeforeResponse(`${uniqueName()}@example.com`);
    expect(known).toEqual(unknown);
    // The throttle counter and the account look-up: no write that depends on the account.
    expect(known.count).toBe(2);
  });

  it("validates the address", async () => {
    expect(await (await call("/auth/password/reset/", json("POST", {}))).json()).toEqual({
      email: ["This field is required."],
    });
    expect(await (await requestReset("not-an-address")).json()).toEqual({ email: ["Enter a valid email address."] });
  });
});

describe("POST /auth/password/reset/confirm/", () => {
  it("sets the password and signs every device out", async () => {
    const { username, key, data } = await mailedReset();
    const phone = await login(username);
    const response = await confirm(confirmBody(data));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('{"detail":"Password has been reset with the new password."}');
    expect(await status(key)).toBe(401);
    expect(await status(phone)).toBe(401);
    await expect(login(username)).rejects.toThrow(/400/);
    expect(await login(username, { password: NEW_PASSWORD })).toMatch(/^etk_/);
  });

  it("works once only", async () => {
    const { data } = await mailedReset();
    expect((await confirm(confirmBody(data))).status).toBe(200);
    const again = await confirm(confirmBody(data, "yet another passphrase"));
    expect(again.status).toBe(400);
    expect(await again.text()).toBe('{"token":["Invalid value"]}');
  });

  it("lets only one of two simultaneous confirmations through", async () => {
    const { data } = await mailedReset();
    const responses = await Promise.all([
      confirm(confirmBody(data)),
      confirm(confirmBody(data, "yet another passphrase")),
    ]);
    expect(responses.map((response) => response.status).sort()).toEqual([200, 400]);
  });

  it("expires after PASSWORD_RESET_TIMEOUT (3 days by default)", async () => {
    const clock = new TestClock();
    const { data } = await mailedReset(clock);
    clock.advance(3 * 86_400_000 + 1);
    const response = await confirm(confirmBody(data), clock);
    expect(await response.json()).toEqual({ token: ["Invalid value"] });
    clock.advance(-1);
    expect((await confirm(confirmBody(data), clock)).status).toBe(200);
  });

  it("dies when the password changes after it was issued", async () => {
    const { key, data } = await mailedReset();
    const change = await call(
      "/auth/password/change/",
      json(
        "POST",
        { old_password: PASSWORD, new_password1: NEW_PASSWORD, new_password2: NEW_PASSWORD },
        tokenHeader(key),
      ),
    );
    expect(change.status).toBe(200);
    expect(await (await confirm(confirmBody(data, "yet another passphrase"))).json()).toEqual({
      token: ["Invalid value"],
    });
  });

  it("refuses an unknown uid and a wrong code", async () => {
    const { data } = await mailedReset();
    expect(await (await confirm(confirmBody({ uid: "nope", token: data.token }))).json()).toEqual({
      uid: ["Invalid value"],
    });
    expect(await (await confirm(confirmBody({ uid: data.uid, token: `${data.token}x` }))).json()).toEqual({
      token: ["Invalid value"],
    });
    expect((await confirm(confirmBody(data))).status).toBe(200);
  });

  it("checks the new password without spending the code", async () => {
    const { data } = await mailedReset();
    const mismatch = await confirm({ ...confirmBody(data), new_password2: "something else entirely" });
    expect(await mismatch.text()).toBe('{"new_password2":["The two password fields didn\u2019t match."]}');
    const weak = await confirm(confirmBody(data, "password"));
    expect(await weak.json()).toEqual({ new_password2: ["This password is too common."] });
    expect((await confirm(confirmBody(data))).status).toBe(200);
  });

  it("caps the new password at 128 characters without spending the code", async () => {
    const { username, data } = await mailedReset();
    const tooLong = await confirm(confirmBody(data, TOO_LONG_PASSWORD));
    expect(tooLong.status).toBe(400);
    expect(await tooLong.json()).toEqual({ new_password1: [TOO_LONG], new_password2: [TOO_LONG] });
    expect((await confirm(confirmBody(data, LONGEST_PASSWORD))).status).toBe(200);
    expect(await login(username, { password: LONGEST_PASSWORD })).toMatch(/^etk_/);
  });

  it("lists missing fields", async () => {
    expect(await (await confirm({})).json()).toEqual({
      uid: ["This field is required."],
      token: ["This field is required."],
      new_password1: ["This field is required."],
      new_password2: ["This field is required."],
    });
  });

  it("refuses the code of a user deactivated since", async () => {
    const { pk, data } = await mailedReset();
    await env.DB.prepare("UPDATE users SET is_active = 0 WHERE id = ?").bind(pk).run();
    expect(await (await confirm(confirmBody(data))).json()).toEqual({ token: ["Invalid value"] });
  });

  it("stores only a digest of the code", async () => {
    const { data } = await mailedReset();
    const row = await env.DB.prepare("SELECT * FROM password_resets WHERE id = ?").bind(data.uid).first();
    expect(JSON.stringify(row)).not.toContain(data.token);
  });
});
