/**
 * POST /auth/social/{provider}/ (mobile and single-page apps) and the linked accounts, against the real local
 * OpenID Connect provider: ID tokens and codes come from it, verified through its discovery and key set.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, json, login, PASSWORD, register, TestClock, tokenHeader, uniqueName } from "../helpers";
import { APP_REDIRECT, appAuthorization, person, providerIdToken, socialEnv, socialPost } from "../social-helpers";
import { enrolTotp, mfaOptions, totpCode } from "../support/mfa";

interface LoginBody {
  key: string;
  expiry: string;
  user: { pk: number; username: string; email: string; first_name: string; last_name: string };
}

const userRow = (pk: number) =>
  env.DB.prepare("SELECT username, email, email_verified, password_hash FROM users WHERE id = ?")
    .bind(pk)
    .first<{ username: string; email: string | null; email_verified: number; password_hash: string }>();

describe("POST /auth/social/{provider}/ with an ID token", () => {
  it("creates an account for a new identity and answers the login body with the cookie", async () => {
    const email = `${uniqueName("ada")}@example.com`;
    const response = await socialPost({ id_token: await providerIdToken(person(email)), nonce: "app-nonce-1" });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = (await response.json()) as LoginBody;
    expect(Object.keys(body)).toEqual(["key", "expiry", "user"]);
    expect(body.user.email).toBe(email);
    expect(body.user.username).toBe(email.split("@")[0]);
    expect(response.headers.get("set-cookie")).toContain(`auth_token=${body.key};`);
    expect((await call("/auth/user/", { headers: tokenHeader(body.key) })).status).toBe(200);
    // No usable password (Django's `!` marker), and the provider's verified flag carried over.
    const row = await userRow(body.user.pk);
    expect(row?.password_hash).toMatch(/^![0-9A-Za-z]{40}$/);
    expect(row?.email_verified).toBe(1);
  });

  it("signs the same identity into the same account next time", async () => {
    const account = person(`${uniqueName("bo")}@example.com`);
    const first = (await (await socialPost({ id_token: await providerIdToken(account) })).json()) as LoginBody;
    const second = (await (await socialPost({ id_token: await providerIdToken(account) })).json()) as LoginBody;
    expect(second.user.pk).toBe(first.user.pk);
    expect(second.key).not.toBe(first.key);
  });

  it("links to the existing account whose verified e-mail the provider also marks verified", async () => {
    const email = `${uniqueName("cy")}@example.com`;
    const { pk } = await register({ email });
    await env.DB.prepare("UPDATE users SET email_verified = 1 WHERE id = ?").bind(pk).run();
    const response = await socialPost({ id_token: await providerIdToken(person(email.toUpperCase())) });
    expect(response.status).toBe(200);
    expect(((await response.json()) as LoginBody).user.pk).toBe(pk);
  });

  it("never links by an e-mail the provider did not verify: a new account without that address", async () => {
    const email = `${uniqueName("victim")}@example.com`;
    const { pk, username } = await register({ email });
    await env.DB.prepare("UPDATE users SET email_verified = 1 WHERE id = ?").bind(pk).run();
    const response = await socialPost({ id_token: await providerIdToken(person(email, false)) });
    expect(response.status).toBe(200);
    const body = (await response.json()) as LoginBody;
    expect(body.user.pk).not.toBe(pk);
    expect(body.user.email).toBe("");
    expect((await call("/auth/social/accounts/", { headers: tokenHeader(await login(username)) })).status).toBe(200);
    const linked = await env.DB.prepare("SELECT count(*) AS n FROM social_identities WHERE user_id = ?")
      .bind(pk)
      .first<{ n: number }>();
    expect(linked?.n).toBe(0);
  });

  it("never links to an account whose own e-mail is unverified, even when the provider's is", async () => {
    const email = `${uniqueName("squat")}@example.com`;
    const { pk } = await register({ email });
    const response = await socialPost({ id_token: await providerIdToken(person(email)) });
    const body = (await response.json()) as LoginBody;
    expect(body.user.pk).not.toBe(pk);
    expect(body.user.email).toBe("");
  });

  it("makes the username unique when the e-mail's local part is taken", async () => {
    const local = uniqueName("dup");
    await register({ username: local });
    const body = (await (
      await socialPost({ id_token: await providerIdToken(person(`${local}@other.example`)) })
    ).json()) as LoginBody;
    expect(body.user.username).toBe(`${local}2`);
  });

  it("refuses the password login of an account made by a provider", async () => {
    const body = (await (
      await socialPost({ id_token: await providerIdToken(person(`${uniqueName("np")}@example.com`)) })
    ).json()) as LoginBody;
    const response = await call("/auth/login/", json("POST", { username: body.user.username, password: "!" }));
    expect(response.status).toBe(400);
  });

  it("refuses an inactive account with the login's bad-credentials body", async () => {
    const account = person(`${uniqueName("off")}@example.com`);
    const first = (await (await socialPost({ id_token: await providerIdToken(account) })).json()) as LoginBody;
    await env.DB.prepare("UPDATE users SET is_active = 0 WHERE id = ?").bind(first.user.pk).run();
    const response = await socialPost({ id_token: await providerIdToken(account) });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ non_field_errors: ["Unable to log in with provided credentials."] });
  });

  it("answers 404 for a provider that is not configured, and 400 for a body with neither token nor code", async () => {
    expect((await socialPost({ id_token: "x" }, {}, "nowhere")).status).toBe(404);
    const response = await socialPost({});
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      non_field_errors: ['Include either "id_token", or "code" and "redirect_uri" (with "code_verifier" for PKCE).'],
    });
    expect(await (await socialPost({ code: "abc" })).json()).toEqual({ redirect_uri: ["This field is required."] });
  });

  it("refuses a foreign Origin (login CSRF)", async () => {
    const response = await call(
      "/auth/social/local/",
      json("POST", { id_token: "x" }, { origin: "https://evil.example" }),
      { env: socialEnv() },
    );
    expect(response.status).toBe(403);
  });
});

describe("POST /auth/social/{provider}/ with a code", () => {
  it("exchanges a single-page app's code and PKCE verifier at the provider", async () => {
    const email = `${uniqueName("spa")}@example.com`;
    const { code, verifier, nonce } = await appAuthorization(person(email));
    const response = await socialPost({ code, code_verifier: verifier, redirect_uri: APP_REDIRECT, nonce });
    expect(response.status).toBe(200);
    expect(((await response.json()) as LoginBody).user.email).toBe(email);
  });

  it("refuses a replayed code", async () => {
    const { code, verifier } = await appAuthorization(person(`${uniqueName("re")}@example.com`));
    const body = { code, code_verifier: verifier, redirect_uri: APP_REDIRECT };
    expect((await socialPost(body)).status).toBe(200);
    const replay = await socialPost(body);
    expect(replay.status).toBe(400);
    expect(await replay.json()).toEqual({ non_field_errors: ["Invalid or expired authorization code."] });
  });

  it("refuses a code with the wrong PKCE verifier", async () => {
    const { code } = await appAuthorization(person(`${uniqueName("pk")}@example.com`));
    const response = await socialPost({ code, code_verifier: "w".repeat(43), redirect_uri: APP_REDIRECT });
    expect(response.status).toBe(400);
  });
});

describe("GET and DELETE /auth/social/accounts/", () => {
  it("lists the user's identities and unlinks one while a password remains", async () => {
    const email = `${uniqueName("li")}@example.com`;
    const { pk, username } = await register({ email });
    await env.DB.prepare("UPDATE users SET email_verified = 1 WHERE id = ?").bind(pk).run();
    await socialPost({ id_token: await providerIdToken(person(email)) });
    const key = await login(username, { password: PASSWORD });
    const list = await call("/auth/social/accounts/", { headers: tokenHeader(key) });
    expect(list.status).toBe(200);
    const accounts = (await list.json()) as Array<Record<string, string>>;
    expect(accounts).toEqual([
      {
        id: expect.any(String),
        provider: "local",
        uid: person(email),
        email,
        date_joined: expect.stringMatching(/Z$/),
        last_login: expect.stringMatching(/Z$/),
      },
    ]);
    const id = accounts[0]?.id as string;
    expect((await call(`/auth/social/accounts/${id}/`, { method: "DELETE", headers: tokenHeader(key) })).status).toBe(
      204,
    );
    expect(await (await call("/auth/social/accounts/", { headers: tokenHeader(key) })).json()).toEqual([]);
  });

  it("refuses to unlink the last way to sign in, and 404s another user's identity", async () => {
    const body = (await (
      await socialPost({ id_token: await providerIdToken(person(`${uniqueName("la")}@example.com`)) })
    ).json()) as LoginBody;
    const [identity] = (await (
      await call("/auth/social/accounts/", { headers: tokenHeader(body.key) })
    ).json()) as Array<{ id: string }>;
    const response = await call(`/auth/social/accounts/${identity?.id}/`, {
      method: "DELETE",
      headers: tokenHeader(body.key),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ non_field_errors: ["Your account has no password set up."] });
    const stranger = await register();
    const foreign = await call(`/auth/social/accounts/${identity?.id}/`, {
      method: "DELETE",
      headers: tokenHeader(stranger.key),
    });
    expect(foreign.status).toBe(404);
  });

  it("needs authentication", async () => {
    expect((await call("/auth/social/accounts/")).status).toBe(401);
    expect((await call("/auth/social/accounts/", { method: "POST" })).status).toBe(401);
  });

  it("answers DRF's 405 to other methods (it is the list, not a provider named accounts)", async () => {
    const { key } = await register();
    const response = await call(
      "/auth/social/accounts/",
      { method: "POST", headers: tokenHeader(key) },
      {
        env: socialEnv(),
      },
    );
    expect(response.status).toBe(405);
    expect(await response.json()).toEqual({ detail: 'Method "POST" not allowed.' });
    expect(response.headers.get("allow")).toBe("GET, HEAD, OPTIONS");
  });
});

describe("POST /auth/social/{provider}/ with type-confused fields", () => {
  it("answers 400 JSON for any non-text value in any field, never a 5xx, and creates nothing", async () => {
    const count = async () => (await env.DB.prepare("SELECT count(*) AS n FROM users").first<{ n: number }>())?.n;
    const before = await count();
    for (const field of ["id_token", "code", "code_verifier", "redirect_uri", "nonce", "client"]) {
      for (const value of [null, true, [], {}, ["a"], { a: 1 }, "\u0000", "x".repeat(20_000)]) {
        const response = await socialPost({ code: "c", redirect_uri: APP_REDIRECT, [field]: value });
        expect(response.status, `${field}=${JSON.stringify(value).slice(0, 20)}`).toBe(400);
        expect(response.headers.get("content-type")).toBe("application/json");
      }
    }
    expect(await count()).toBe(before);
  });
});

/**
 * The real D1 binding, except that its first `parties` batches wait for each other: every request has done its
 * reads before any writes, the interleaving that makes two first sign-ins of one identity collide.
 */
function batchBarrierD1(db: D1Database, parties: number): D1Database {
  let arrived = 0;
  let release = () => {};
  const barrier = new Promise<void>((resolve) => {
    release = resolve;
  });
  return new Proxy(db, {
    get(target, property) {
      if (property === "batch") {
        return async (statements: D1PreparedStatement[]) => {
          if (arrived < parties) {
            arrived += 1;
            if (arrived === parties) release();
            await barrier;
          }
          return target.batch(statements);
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

describe("concurrent first sign-ins of one identity", () => {
  it("end in one account and one identity, both signed in", async () => {
    const account = person(`${uniqueName("race")}@example.com`);
    const [first, second] = await Promise.all([providerIdToken(account), providerIdToken(account)]);
    const options = { env: { ...socialEnv(), DB: batchBarrierD1(env.DB, 2) } };
    const responses = await Promise.all([
      socialPost({ id_token: first }, options),
      socialPost({ id_token: second }, options),
    ]);
    expect(responses.map((response) => response.status)).toEqual([200, 200]);
    const bodies = (await Promise.all(responses.map((response) => response.json()))) as LoginBody[];
    expect(bodies[0]?.user.pk).toBe(bodies[1]?.user.pk);
    const identities = await env.DB.prepare("SELECT count(*) AS n FROM social_identities WHERE subject = ?")
      .bind(account)
      .first<{ n: number }>();
    expect(identities?.n).toBe(1);
  });
});

describe("a user with a second factor", () => {
  it("still passes it after the provider: mfa_required, then login/mfa/ with a TOTP code", async () => {
    const clock = new TestClock(Date.now());
    const options = mfaOptions(clock, socialEnv());
    const email = `${uniqueName("mfa")}@example.com`;
    const first = (await (
      await socialPost({ id_token: await providerIdToken(person(email)) }, options)
    ).json()) as LoginBody;
    const { secret } = await enrolTotp(first.key, options);
    const response = await socialPost({ id_token: await providerIdToken(person(email)) }, options);
    expect(response.status).toBe(200);
    expect(response.headers.get("set-cookie")).toBeNull();
    const step = (await response.json()) as { mfa_required: boolean; mfa_token: string; methods: string[] };
    expect(step).toEqual({ mfa_required: true, mfa_token: expect.any(String), methods: ["totp", "recovery_code"] });
    const code = await totpCode(secret, clock.nowMs);
    const done = await call("/auth/login/mfa/", json("POST", { mfa_token: step.mfa_token, code }), options);
    expect(done.status).toBe(200);
    expect(((await done.json()) as LoginBody).user.pk).toBe(first.user.pk);
  });
});
