import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  call,
  json,
  LONGEST_PASSWORD,
  login,
  PASSWORD,
  register,
  TOO_LONG,
  TOO_LONG_PASSWORD,
  tokenHeader,
  uniqueName,
} from "../helpers";

const registration = (body: Record<string, unknown>) => call("/auth/registration/", json("POST", body));

async function expect400(response: Response, body: unknown): Promise<void> {
  expect(response.status).toBe(400);
  expect(await response.text()).toBe(JSON.stringify(body));
}

describe("POST /auth/registration/", () => {
  it("creates the account and answers 201 with the login body, cookie and no-store", async () => {
    const username = uniqueName();
    const response = await registration({
      username,
      email: `${username}@Example.COM`,
      password1: PASSWORD,
      password2: PASSWORD,
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("set-cookie")).toMatch(/^auth_token=etk_/);
    const body = (await response.json()) as { key: string; expiry: string; user: Record<string, unknown> };
    expect(Object.keys(body)).toEqual(["key", "expiry", "user"]);
    expect(body.key).toMatch(/^etk_[0-9A-Za-z]{40}$/);
    expect(body.expiry).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(body.user).toEqual({
      pk: expect.any(Number),
      username,
      email: `${username}@example.com`,
      first_name: "",
      last_name: "",
    });
    expect((await call("/auth/user/", { headers: tokenHeader(body.key) })).status).toBe(200);
  });

  it("refuses a foreign Origin with 403 (login CSRF) and creates nothing", async () => {
    const username = uniqueName();
    const body = { username, password1: PASSWORD, password2: PASSWORD };
    const forged = await call("/auth/registration/", json("POST", body, { origin: "https://evil.example" }));
    expect(forged.status).toBe(403);
    expect(await forged.json()).toEqual({
      detail: "CSRF Failed: Origin checking failed - https://evil.example does not match any trusted origins.",
    });
    expect(forged.headers.get("set-cookie")).toBeNull();
    const own = await call("/auth/registration/", json("POST", body, { origin: "https://auth.example.com" }));
    expect(own.status).toBe(201);
  });

  it("stores only a hash of the key and of the password", async () => {
    const { key, pk } = await register();
    const dump = JSON.stringify(
      await env.DB.prepare("SELECT * FROM tokens t JOIN users u ON u.id = t.user_id WHERE u.id = ?").bind(pk).all(),
    );
    expect(dump).not.toContain(key);
    expect(dump).not.toContain(key.slice(4, 36));
    expect(dump).not.toContain(PASSWORD);
    expect(dump).toContain("argon2$argon2id$v=19$m=19456,t=2,p=1$");
  });

  it("accepts form and multipart bodies", async () => {
    const username = uniqueName();
    const form = new URLSearchParams({ username, password1: PASSWORD, password2: PASSWORD });
    expect((await call("/auth/registration/", { method: "POST", body: form })).status).toBe(201);
    const multipart = new FormData();
    for (const [name, value] of Object.entries({ username: uniqueName(), password1: PASSWORD, password2: PASSWORD })) {
      multipart.append(name, value);
    }
    expect((await call("/auth/registration/", { method: "POST", body: multipart })).status).toBe(201);
  });

  it("allows registering without an e-mail, shown as an empty string", async () => {
    const response = await registration({
      username: uniqueName(),
      email: "",
      password1: PASSWORD,
      password2: PASSWORD,
    });
    expect(response.status).toBe(201);
    expect(((await response.json()) as { user: { email: string } }).user.email).toBe("");
  });

  it("lists every required field", async () => {
    await expect400(await registration({}), {
      username: ["This field is required."],
      password1: ["This field is required."],
      password2: ["This field is required."],
    });
  });

  it("refuses blank, null and wrongly typed fields with DRF's messages", async () => {
    await expect400(await registration({ username: "  ", password1: null, password2: ["x"], email: 5 }), {
      username: ["This field may not be blank."],
      email: ["Enter a valid email address."],
      password1: ["This field may not be null."],
      password2: ["Not a valid string."],
    });
  });

  it("refuses a mismatched confirmation", async () => {
    await expect400(await registration({ username: uniqueName(), password1: PASSWORD, password2: `${PASSWORD}!` }), {
      non_field_errors: ["The two password fields didn't match."],
    });
  });

  it("refuses a taken username regardless of case", async () => {
    const { username } = await register();
    await expect400(
      await registration({ username: username.toUpperCase(), password1: PASSWORD, password2: PASSWORD }),
      {
        username: ["A user with that username already exists."],
      },
    );
  });

  it("refuses a taken e-mail regardless of case", async () => {
    const email = `${uniqueName()}@example.com`;
    await register({ email });
    await expect400(
      await registration({
        username: uniqueName(),
        email: email.toUpperCase(),
        password1: PASSWORD,
        password2: PASSWORD,
      }),
      {
        email: ["A user is already registered with this e-mail address."],
      },
    );
  });

  it("applies Django's username rules", async () => {
    await expect400(await registration({ username: "no spaces!", password1: PASSWORD, password2: PASSWORD }), {
      username: ["Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."],
    });
    await expect400(await registration({ username: "a".repeat(151), password1: PASSWORD, password2: PASSWORD }), {
      username: ["Ensure this field has no more than 150 characters."],
    });
    expect(
      (await registration({ username: `é${uniqueName()}`.slice(0, 150), password1: PASSWORD, password2: PASSWORD }))
        .status,
    ).toBe(201);
  });

  it("lists Django's password validator messages under password1", async () => {
    await expect400(await registration({ username: uniqueName(), password1: "123", password2: "123" }), {
      password1: [
        "This password is too short. It must contain at least 8 characters.",
        "This password is too common.",
        "This password is entirely numeric.",
      ],
    });
    const username = `${uniqueName()}longname`;
    await expect400(await registration({ username, password1: `${username}1`, password2: `${username}1` }), {
      password1: ["The password is too similar to the username."],
    });
  });

  it("caps passwords at 128 characters, as every password field does", async () => {
    const username = uniqueName();
    const tooLong = { username, password1: TOO_LONG_PASSWORD, password2: TOO_LONG_PASSWORD };
    await expect400(await registration(tooLong), { password1: [TOO_LONG], password2: [TOO_LONG] });
    const row = await env.DB.prepare("SELECT count(*) AS n FROM users WHERE username = ?")
      .bind(username)
      .first<{ n: number }>();
    expect(row?.n).toBe(0);
    const longest = { username, password1: LONGEST_PASSWORD, password2: LONGEST_PASSWORD };
    expect((await registration(longest)).status).toBe(201);
    expect(await login(username, { password: LONGEST_PASSWORD })).toMatch(/^etk_/);
  });

  it("creates nothing when it refuses", async () => {
    const username = uniqueName();
    await registration({ username, password1: "short", password2: "short" });
    const row = await env.DB.prepare("SELECT count(*) AS n FROM users WHERE username = ?")
      .bind(username)
      .first<{ n: number }>();
    expect(row?.n).toBe(0);
  });

  it("lets exactly one of two simultaneous registrations of a name win", async () => {
    const username = uniqueName();
    const body = { username, password1: PASSWORD, password2: PASSWORD };
    const responses = await Promise.all([
      registration(body),
      registration({ ...body, username: username.toUpperCase() }),
    ]);
    expect(responses.map((r) => r.status).sort()).toEqual([201, 400]);
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM users WHERE username_canonical = ?")
      .bind(username.toLowerCase())
      .first<{ n: number }>();
    expect(rows?.n).toBe(1);
  });

  it("ignores a stale token header", async () => {
    const response = await call(
      "/auth/registration/",
      json("POST", { username: uniqueName(), password1: PASSWORD, password2: PASSWORD }, tokenHeader("stale")),
    );
    expect(response.status).toBe(201);
  });
});
