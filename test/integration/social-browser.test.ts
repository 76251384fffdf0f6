/**
 * The browser flow, GET /auth/social/{provider}/ → the real local OpenID provider → GET …/callback/, with the
 * flow's state, PKCE verifier and nonce in a signed HttpOnly cookie.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, json, TestClock, tokenHeader, uniqueName } from "../helpers";
import {
  browserSignIn,
  CALLBACK,
  CLIENT,
  COOKIE_KEY,
  cookieFrom,
  driveAt,
  person,
  socialEnv,
  startBrowserFlow,
} from "../social-helpers";
import { enrolTotp, mfaOptions, totpCode } from "../support/mfa";

const options = { env: socialEnv() };

describe("GET /auth/social/{provider}/", () => {
  it("redirects to the provider with state, PKCE S256 and nonce, kept in a signed HttpOnly cookie", async () => {
    const response = await call("/auth/social/local/", {}, options);
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get("location") as string);
    expect(location.origin).toBe(env.OIDC_ISSUER);
    const params = Object.fromEntries(location.searchParams);
    expect(params).toMatchObject({
      response_type: "code",
      client_id: CLIENT.id,
      redirect_uri: CALLBACK,
      scope: "openid email profile",
      code_challenge_method: "S256",
    });
    expect(params.state).toMatch(/^[0-9A-Za-z]{32}$/);
    expect(params.nonce).toMatch(/^[0-9A-Za-z]{32}$/);
    expect(params.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const cookie = response.headers.getSetCookie().find((value) => value.startsWith("social_flow="));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/Max-Age=600/);
    expect(cookie).toMatch(/Path=\/auth\/social\//);
    expect(cookie).toMatch(/SameSite=Lax/);
    // The cookie holds no readable secret in the clear for the provider: the verifier is not in the URL.
    expect(location.toString()).not.toContain(cookie?.split(";")[0]?.split("=")[1] ?? "-");
  });

  it("answers 404 for a provider that is not configured", async () => {
    expect((await call("/auth/social/nowhere/", {}, options)).status).toBe(404);
  });

  it("is a clear configuration error without SOCIAL_COOKIE_KEY in production", async () => {
    const response = await call("/auth/social/local/", {}, { env: socialEnv({ SOCIAL_COOKIE_KEY: undefined }) });
    expect(response.status).toBe(500);
    expect(((await response.json()) as { detail: string }).detail).toMatch(/SOCIAL_COOKIE_KEY/);
  });
});

describe("GET /auth/social/{provider}/callback/", () => {
  it("signs the browser in with the usual cookie and redirects to SOCIAL_LOGIN_REDIRECT", async () => {
    const email = `${uniqueName("web")}@example.com`;
    const { response } = await browserSignIn(person(email), options);
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/account");
    const auth = cookieFrom(response, "auth_token");
    const key = auth.slice("auth_token=".length);
    const user = await call("/auth/user/", { headers: tokenHeader(key) });
    expect(((await user.json()) as { email: string }).email).toBe(email);
    // The flow cookie is spent.
    expect(response.headers.getSetCookie().find((value) => value.startsWith("social_flow="))).toMatch(/Max-Age=0/);
  });

  it("redirects to a configured app origin", async () => {
    const custom = {
      env: socialEnv({
        ALLOWED_ORIGINS: "https://app.example.com",
        SOCIAL_LOGIN_REDIRECT: "https://app.example.com/in",
      }),
    };
    const { response } = await browserSignIn(person(`${uniqueName("app")}@example.com`), custom);
    expect(response.headers.get("location")).toBe("https://app.example.com/in");
  });

  it("refuses a callback whose state is not the cookie's (state mismatch)", async () => {
    const first = await startBrowserFlow(options);
    const second = await startBrowserFlow(options);
    const back = await driveAt(second.location, person(`${uniqueName("st")}@example.com`));
    const response = await call(`${back.pathname}${back.search}`, { headers: { cookie: first.cookie } }, options);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ detail: "Invalid or expired sign-in state. Start the sign-in again." });
    expect(response.headers.get("set-cookie") ?? "").not.toContain("auth_token=");
  });

  it("refuses a callback without the flow cookie, or with a forged one", async () => {
    const flow = await startBrowserFlow(options);
    const back = await driveAt(flow.location, person(`${uniqueName("nc")}@example.com`));
    const path = `${back.pathname}${back.search}`;
    expect((await call(path, {}, options)).status).toBe(400);
    const [body, signature] = flow.cookie.slice("social_flow=".length).split(".");
    const forged = `social_flow=${body}.${signature?.startsWith("A") ? "B" : "A"}${signature?.slice(1)}`;
    expect((await call(path, { headers: { cookie: forged } }, options)).status).toBe(400);
    // Signed with another key: refused too.
    const otherKey = { env: socialEnv({ SOCIAL_COOKIE_KEY: `${COOKIE_KEY}-rotated` }) };
    expect((await call(path, { headers: { cookie: flow.cookie } }, otherKey)).status).toBe(400);
  });

  it("refuses an expired flow (the cookie's ten minutes are over)", async () => {
    const flow = await startBrowserFlow(options);
    const back = await driveAt(flow.location, person(`${uniqueName("ex")}@example.com`));
    const later = { ...options, clock: { read: () => Date.now() + 601_000 } as never };
    const response = await call(`${back.pathname}${back.search}`, { headers: { cookie: flow.cookie } }, later);
    expect(response.status).toBe(400);
  });

  it("refuses a replayed callback (the provider's code is single use)", async () => {
    const { response, back, cookie } = await browserSignIn(person(`${uniqueName("rp")}@example.com`), options);
    expect(response.status).toBe(302);
    const replay = await call(`${back.pathname}${back.search}`, { headers: { cookie } }, options);
    expect(replay.status).toBe(400);
    expect(await replay.json()).toEqual({ detail: "Invalid or expired authorization code." });
  });

  it("refuses an ID token whose nonce is not the flow's", async () => {
    const flow = await startBrowserFlow(options);
    const tampered = new URL(flow.location);
    tampered.searchParams.set("nonce", "someone-elses-nonce");
    const back = await driveAt(tampered.toString(), person(`${uniqueName("nn")}@example.com`));
    const response = await call(`${back.pathname}${back.search}`, { headers: { cookie: flow.cookie } }, options);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ detail: "Invalid ID token." });
  });

  it("refuses a callback naming another issuer (RFC 9207 mix-up)", async () => {
    const flow = await startBrowserFlow(options);
    const back = await driveAt(flow.location, person(`${uniqueName("mx")}@example.com`));
    back.searchParams.set("iss", "https://evil.example");
    const response = await call(`${back.pathname}${back.search}`, { headers: { cookie: flow.cookie } }, options);
    expect(response.status).toBe(400);
  });

  it("answers 400 when the provider sends an error back (the person declined)", async () => {
    const flow = await startBrowserFlow(options);
    const state = new URL(flow.location).searchParams.get("state");
    const response = await call(
      `/auth/social/local/callback/?error=access_denied&state=${state}`,
      { headers: { cookie: flow.cookie } },
      options,
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ detail: "The provider refused the sign-in." });
  });
});

describe("the browser flow for a user with a second factor", () => {
  it("sets no cookie and hands the second step to the account page in the URL fragment", async () => {
    const clock = new TestClock(Date.now());
    const options = mfaOptions(clock, socialEnv());
    const email = `${uniqueName("mfa")}@example.com`;
    const first = await browserSignIn(person(email), options);
    const key = cookieFrom(first.response, "auth_token").slice("auth_token=".length);
    const { secret } = await enrolTotp(key, options);
    const { response } = await browserSignIn(person(email), options);
    expect(response.status).toBe(302);
    expect(response.headers.get("set-cookie") ?? "").not.toContain("auth_token=etk_");
    const target = new URL(response.headers.get("location") as string, "https://auth.example.com");
    expect(target.pathname).toBe("/account");
    const fragment = new URLSearchParams(target.hash.slice(1));
    expect(fragment.get("methods")).toBe("totp,recovery_code");
    const code = await totpCode(secret, clock.nowMs);
    const mfaToken = fragment.get("mfa_token") as string;
    const done = await call("/auth/login/mfa/", json("POST", { mfa_token: mfaToken, code }), options);
    expect(done.status).toBe(200);
  });
});
