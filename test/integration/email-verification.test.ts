import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, json, login, mailbox, PASSWORD, TestClock, uniqueName } from "../helpers";

function setup(mode: "none" | "optional" | "mandatory", extra: Record<string, string> = {}) {
  const box = mailbox();
  const options = { env: { EMAIL_VERIFICATION: mode, ...box.env, ...extra } };
  const username = uniqueName();
  const email = `${username}@example.com`;
  const registration = (
    body: Record<string, unknown> = { username, email, password1: PASSWORD, password2: PASSWORD },
  ) => call("/auth/registration/", json("POST", body), options);
  const loginAttempt = (password = PASSWORD) => call("/auth/login/", json("POST", { username, password }), options);
  const verify = (key: string, clock?: TestClock) =>
    call("/auth/registration/verify-email/", json("POST", { key }), { ...options, clock });
  const mailedKey = async () => {
    const { messages } = await box.read();
    const last = messages.at(-1);
    expect(last?.body.kind).toBe("email_verification");
    return last?.body.data as { key: string; url: string };
  };
  return { box, options, username, email, registration, loginAttempt, verify, mailedKey };
}

const verifiedFlag = async (username: string) =>
  (
    await env.DB.prepare("SELECT email_verified FROM users WHERE username = ?")
      .bind(username)
      .first<{ email_verified: number }>()
  )?.email_verified;

describe("EMAIL_VERIFICATION=none (the default)", () => {
  it("signs the new user in and sends no mail", async () => {
    const flow = setup("none");
    const response = await flow.registration();
    expect(response.status).toBe(201);
    expect(await response.json()).toHaveProperty("key");
    expect((await flow.box.read()).attempts).toBe(0);
  });

  it("answers resend-email 200 and sends nothing, not even to an unverified address", async () => {
    const flow = setup("none");
    expect((await flow.registration()).status).toBe(201);
    const response = await call("/auth/registration/resend-email/", json("POST", { email: flow.email }), flow.options);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('{"detail":"ok"}');
    expect((await flow.box.read()).attempts).toBe(0);
    const keys = await env.DB.prepare(
      "SELECT count(*) AS n FROM email_verifications JOIN users ON users.id = user_id WHERE username = ?",
    )
      .bind(flow.username)
      .first<{ n: number }>();
    expect(keys?.n).toBe(0);
  });
});

describe("EMAIL_VERIFICATION=optional", () => {
  it("signs the new user in and mails a verification link", async () => {
    const flow = setup("optional");
    const response = await flow.registration();
    expect(response.status).toBe(201);
    expect(await response.json()).toHaveProperty("key");
    const { messages } = await flow.box.read();
    expect(messages).toHaveLength(1);
    expect(messages[0]?.body).toMatchObject({ to: flow.email, kind: "email_verification" });
    const data = await flow.mailedKey();
    expect(Object.keys(data)).toEqual(["key", "url"]);
    expect(data.url).toBe(`https://auth.example.com/account/verify-email?key=${data.key}`);
    expect((await flow.loginAttempt()).status).toBe(200);
  });

  it("marks the address verified once, then forgets the key", async () => {
    const flow = setup("optional");
    await flow.registration();
    const { key } = await flow.mailedKey();
    expect(await flow.verify(key).then((r) => r.text())).toBe('{"detail":"ok"}');
    expect(await verifiedFlag(flow.username)).toBe(1);
    const again = await flow.verify(key);
    expect(again.status).toBe(404);
    expect(await again.json()).toEqual({ detail: "Not found." });
  });

  it("uses EMAIL_VERIFICATION_URL for the link", async () => {
    const flow = setup("optional", { EMAIL_VERIFICATION_URL: "https://app.example.com/verify?k={key}" });
    await flow.registration();
    const { key, url } = await flow.mailedKey();
    expect(url).toBe(`https://app.example.com/verify?k=${key}`);
  });

  it("stores only a digest of the key", async () => {
    const flow = setup("optional");
    await flow.registration();
    const { key } = await flow.mailedKey();
    const rows = await env.DB.prepare("SELECT * FROM email_verifications").all();
    expect(JSON.stringify(rows.results)).not.toContain(key);
  });
});

describe("EMAIL_VERIFICATION=mandatory", () => {
  it("requires an address at registration", async () => {
    const flow = setup("mandatory");
    const response = await flow.registration({ username: flow.username, password1: PASSWORD, password2: PASSWORD });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ email: ["This field is required."] });
  });

  it("issues no token until the address is verified, then lets the user in", async () => {
    const flow = setup("mandatory");
    const response = await flow.registration();
    expect(response.status).toBe(201);
    expect(await response.text()).toBe('{"detail":"Verification e-mail sent."}');
    expect(response.headers.get("set-cookie")).toBeNull();
    const count = await env.DB.prepare(
      "SELECT count(*) AS n FROM tokens t JOIN users u ON u.id = t.user_id WHERE u.username = ?",
    )
      .bind(flow.username)
      .first<{ n: number }>();
    expect(count?.n).toBe(0);

    const refused = await flow.loginAttempt();
    expect(refused.status).toBe(400);
    expect(await refused.text()).toBe('{"non_field_errors":["E-mail is not verified."]}');
    // A wrong password learns nothing about verification.
    expect(await (await flow.loginAttempt("wrong password")).json()).toEqual({
      non_field_errors: ["Unable to log in with provided credentials."],
    });

    const { key } = await flow.mailedKey();
    expect((await flow.verify(key)).status).toBe(200);
    expect((await flow.loginAttempt()).status).toBe(200);
  });

  it("refuses an expired key", async () => {
    const clock = new TestClock();
    const flow = setup("mandatory");
    await call(
      "/auth/registration/",
      json("POST", { username: flow.username, email: flow.email, password1: PASSWORD, password2: PASSWORD }),
      {
        ...flow.options,
        clock,
      },
    );
    const { key } = await flow.mailedKey();
    clock.advance(3 * 86_400_000 + 1);
    expect((await flow.verify(key, clock)).status).toBe(404);
  });
});

describe("POST /auth/registration/verify-email/", () => {
  it("answers an unknown key with 404", async () => {
    const flow = setup("optional");
    const response = await flow.verify("no-such-key");
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ detail: "Not found." });
  });

  it("is POST only and requires the key", async () => {
    const response = await call("/auth/registration/verify-email/");
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST, OPTIONS");
    expect(await (await call("/auth/registration/verify-email/", json("POST", {}))).json()).toEqual({
      key: ["This field is required."],
    });
  });
});

describe("POST /auth/registration/resend-email/", () => {
  it("always answers 200 and mails only an unverified known address", async () => {
    const flow = setup("mandatory");
    await flow.registration();
    const resend = (email: string) => call("/auth/registration/resend-email/", json("POST", { email }), flow.options);

    const unknown = await resend("nobody@example.com");
    expect(unknown.status).toBe(200);
    expect(await unknown.text()).toBe('{"detail":"ok"}');
    expect((await flow.box.read()).messages).toHaveLength(1);

    expect((await resend(flow.email.toUpperCase())).status).toBe(200);
    expect((await flow.box.read()).messages).toHaveLength(2);
    const { key } = await flow.mailedKey();
    expect((await flow.verify(key)).status).toBe(200);

    expect((await resend(flow.email)).status).toBe(200);
    expect((await flow.box.read()).messages).toHaveLength(2);
  });

  it("validates the address", async () => {
    const response = await call("/auth/registration/resend-email/", json("POST", { email: "nope" }));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ email: ["Enter a valid email address."] });
  });
});

describe("an invalid EMAIL_VERIFICATION", () => {
  it("fails closed with a configuration error", async () => {
    const response = await call("/auth/registration/", json("POST", {}), { env: { EMAIL_VERIFICATION: "sometimes" } });
    expect(response.status).toBe(500);
    expect(((await response.json()) as { detail: string }).detail).toContain(
      "EMAIL_VERIFICATION must be one of none, optional, mandatory",
    );
  });
});

describe("login by a user registered before mandatory verification was switched on", () => {
  it("is refused until the address is verified", async () => {
    const username = uniqueName();
    await call(
      "/auth/registration/",
      json("POST", { username, email: `${username}@example.com`, password1: PASSWORD, password2: PASSWORD }),
    );
    await expect(login(username, { env: { EMAIL_VERIFICATION: "mandatory" } })).rejects.toThrow(
      /E-mail is not verified/,
    );
  });
});
