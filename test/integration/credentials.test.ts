import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { generateKey, keyDigest } from "../../src/auth/token-key";
import { call, json, login, register, TestClock, tokenHeader } from "../helpers";

const NOT_PROVIDED = { detail: "Authentication credentials were not provided." };
const INVALID = { error: "Invalid or Inactive Token", is_authenticated: false };

async function expect401(response: Response, body: unknown): Promise<void> {
  expect(response.status).toBe(401);
  expect(response.headers.get("www-authenticate")).toBe("Token");
  expect(response.headers.get("content-type")).toBe("application/json");
  expect(await response.text()).toBe(JSON.stringify(body));
}

const me = (headers: Record<string, string> = {}, init: RequestInit = {}) =>
  call("/auth/user/", { ...init, headers: { ...headers, ...(init.headers as Record<string, string>) } });

describe("credentials table (API.md)", () => {
  it("asks for credentials when there are none", async () => {
    await expect401(await me(), NOT_PROVIDED);
  });

  it("treats another scheme as no credentials", async () => {
    await expect401(await me({ authorization: "Basic dXNlcjpwYXNz" }), NOT_PROVIDED);
  });

  it("refuses a Token header without a key", async () => {
    await expect401(await me({ authorization: "Token" }), { detail: "Invalid token header. No credentials provided." });
    await expect401(await me({ authorization: "Bearer   " }), {
      detail: "Invalid token header. No credentials provided.",
    });
  });

  it("refuses a key containing whitespace", async () => {
    await expect401(await me({ authorization: "Token a b" }), {
      detail: "Invalid token header. Token string should not contain spaces.",
    });
  });

  it.each(["Token k\u00e9y", "Token \u00ff\u00fe", "Token a\u007fb"])(
    "refuses a key outside printable ASCII (%j)",
    async (header) => {
      await expect401(await me({ authorization: header }), {
        detail: "Invalid token header. Token string should not contain invalid characters.",
      });
    },
  );

  it("refuses unknown, malformed and revoked keys alike", async () => {
    await expect401(await me(tokenHeader(generateKey())), INVALID);
    await expect401(await me(tokenHeader("9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b")), INVALID);
    const { key } = await register();
    expect((await call("/auth/logout/", { method: "POST", headers: tokenHeader(key) })).status).toBe(200);
    await expect401(await me(tokenHeader(key)), INVALID);
  });

  it("accepts a key issued before keys carried a shard number (etk_ + 38)", async () => {
    const { pk } = await register();
    const legacyKey = "etk_Pobl4WlZdprPNmsNQeKyIH5tr9NbdJLI34zjo4";
    await env.DB.prepare("INSERT INTO tokens (id, user_id, key_digest, created_ms) VALUES (?, ?, ?, ?)")
      .bind("legacy-shape", pk, keyDigest(legacyKey), Date.now())
      .run();
    const response = await me(tokenHeader(legacyKey));
    expect(response.status).toBe(200);
    expect(((await response.json()) as { pk: number }).pk).toBe(pk);
  });

  it("refuses the token of an inactive user, even an expired one", async () => {
    const { key, pk } = await register();
    await env.DB.prepare("UPDATE users SET is_active = 0 WHERE id = ?").bind(pk).run();
    await expect401(await me(tokenHeader(key)), { error: "Invalid user", is_authenticated: false });
    await expect401(
      await call("/auth/user/", { headers: tokenHeader(key) }, { env: { TOKEN_TTL: "1" } }).then((r) => r),
      {
        error: "Invalid user",
        is_authenticated: false,
      },
    );
  });

  it("refuses a deactivated user's tokens at once and restores the unexpired ones on reactivation", async () => {
    const clock = new TestClock();
    const { username, key: old, pk } = await register({ clock });
    clock.advance(14 * 86_400_000);
    const recent = await login(username, { clock });
    const setActive = (active: boolean) =>
      env.DB.prepare("UPDATE users SET is_active = ? WHERE id = ?")
        .bind(active ? 1 : 0, pk)
        .run();
    await setActive(false);
    for (const key of [old, recent]) {
      await expect401(await call("/auth/user/", { headers: tokenHeader(key) }, { clock }), {
        error: "Invalid user",
        is_authenticated: false,
      });
    }
    clock.advance(2 * 86_400_000);
    await setActive(true);
    expect((await call("/auth/user/", { headers: tokenHeader(recent) }, { clock })).status).toBe(200);
    await expect401(await call("/auth/user/", { headers: tokenHeader(old) }, { clock }), {
      error: "Token has expired",
      is_authenticated: false,
    });
  });

  it("accepts Token and Bearer, any keyword case, any run of whitespace", async () => {
    const { key } = await register();
    for (const header of [`Token ${key}`, `Bearer ${key}`, `tOkEn ${key}`, ` Bearer \t ${key} `]) {
      expect((await me({ authorization: header })).status).toBe(200);
    }
  });
});

describe("the auth cookie", () => {
  const cookieOf = (response: Response) => /auth_token=([^;]+)/.exec(response.headers.get("set-cookie") ?? "")?.[1];

  it("is set at login as HttpOnly, Secure, SameSite=Lax, Path=/", async () => {
    const { username } = await register();
    const response = await call("/auth/login/", json("POST", { username, password: "correct horse battery staple" }));
    const cookie = response.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^auth_token=etk_\w+; Max-Age=1296000; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
  });

  it("authenticates safe requests on its own", async () => {
    const { key } = await register();
    const response = await me({ cookie: `auth_token=${key}` });
    expect(response.status).toBe(200);
  });

  it("honours AUTH_COOKIE_NAME", async () => {
    const { username } = await register();
    const options = { env: { AUTH_COOKIE_NAME: "sid" } };
    const response = await call(
      "/auth/login/",
      json("POST", { username, password: "correct horse battery staple" }),
      options,
    );
    const key = /sid=([^;]+)/.exec(response.headers.get("set-cookie") ?? "")?.[1];
    expect(key).toMatch(/^etk_/);
    expect((await call("/auth/user/", { headers: { cookie: `sid=${key}` } }, options)).status).toBe(200);
    expect(cookieOf(response)).toBeUndefined();
  });

  it("loses to the header when both are present", async () => {
    const { key } = await register();
    await expect401(await me({ authorization: `Token ${generateKey()}`, cookie: `auth_token=${key}` }), INVALID);
    expect((await me({ authorization: `Token ${key}`, cookie: `auth_token=${generateKey()}` })).status).toBe(200);
  });

  it("needs a trusted Origin or Referer for unsafe methods (CSRF)", async () => {
    const { key } = await register();
    const patch = (headers: Record<string, string>, options = {}) =>
      call("/auth/user/", json("PATCH", { first_name: "Ann" }, { cookie: `auth_token=${key}`, ...headers }), options);

    const foreign = await patch({ origin: "https://evil.example" });
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toEqual({
      detail: "CSRF Failed: Origin checking failed - https://evil.example does not match any trusted origins.",
    });
    const neither = await patch({});
    expect(neither.status).toBe(403);
    expect(((await neither.json()) as { detail: string }).detail).toMatch(/^CSRF Failed:/);
    expect((await patch({ referer: "https://evil.example/page" })).status).toBe(403);

    expect((await patch({ origin: "https://auth.example.com" })).status).toBe(200);
    expect((await patch({ referer: "https://auth.example.com/account" })).status).toBe(200);
    expect(
      (await patch({ origin: "https://app.example.com" }, { env: { ALLOWED_ORIGINS: "https://app.example.com" } }))
        .status,
    ).toBe(200);
  });

  it("does not apply CSRF to header-authenticated requests", async () => {
    const { key } = await register();
    const response = await call(
      "/auth/user/",
      json("PATCH", { first_name: "Ann" }, { ...tokenHeader(key), origin: "https://evil.example" }),
    );
    expect(response.status).toBe(200);
  });

  it("changes nothing when the CSRF check fails", async () => {
    const { key } = await register();
    await call(
      "/auth/user/",
      json("PATCH", { first_name: "Mallory" }, { cookie: `auth_token=${key}`, origin: "https://evil.example" }),
    );
    const user = (await (await me(tokenHeader(key))).json()) as { first_name: string };
    expect(user.first_name).toBe("");
  });
});

describe("authentication before method checks", () => {
  it("answers 401 before 405 and 405 with Allow once authenticated", async () => {
    await expect401(await call("/auth/user/", { method: "DELETE" }), NOT_PROVIDED);
    const { username } = await register();
    const key = await login(username);
    const response = await call("/auth/user/", { method: "DELETE", headers: tokenHeader(key) });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET, PUT, PATCH, HEAD, OPTIONS");
    expect(await response.json()).toEqual({ detail: 'Method "DELETE" not allowed.' });
  });
});
