/**
 * GitHub and Sign in with Apple, against fakes that check what the real ones check (test/support/social-fakes.ts):
 * GitHub's OAuth 2.0 code flow and its e-mail API with verified flags; Apple's ES256 client secret, its form_post
 * callback, its string "true" e-mail flag and the name it sends once.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, json, register, tokenHeader, uniqueName } from "../helpers";
import { cookieFrom, person, socialEnv, startBrowserFlow } from "../social-helpers";

const GITHUB = { kind: "github", client_id: "github-client", url: "", api_url: "" };
const APPLE = { kind: "apple", client_id: "com.example.web", team_id: "TEAMID1234", key_id: "APPLEKEY01", issuer: "" };

function providersEnv() {
  const base = env.SOCIAL_PEERS_URL;
  return socialEnv(
    { SOCIAL_GITHUB_SECRET: "github-secret", SOCIAL_APPLE_SECRET: env.APPLE_PRIVATE_KEY },
    {
      github: { ...GITHUB, url: `${base}/github`, api_url: `${base}/github/api` },
      apple: { ...APPLE, issuer: `${base}/apple` },
    },
  );
}

interface User {
  pk: number;
  username: string;
  email: string;
  first_name: string;
  last_name: string;
}

async function userOf(response: Response): Promise<User> {
  const key = cookieFrom(response, "auth_token").slice("auth_token=".length);
  return (await (await call("/auth/user/", { headers: tokenHeader(key) })).json()) as User;
}

/** The browser flow at the GitHub fake: start, authorize as `account`, come back. */
async function githubSignIn(account: string) {
  const options = { env: providersEnv() };
  const flow = await startBrowserFlow(options, "github");
  const authorize = new URL(flow.location);
  authorize.searchParams.set("login_hint", account);
  const atGitHub = await fetch(authorize, { redirect: "manual" });
  const back = new URL(atGitHub.headers.get("location") as string);
  return call(`${back.pathname}${back.search}`, { headers: { cookie: flow.cookie } }, options);
}

describe("GitHub", () => {
  it("sends the browser to GitHub's authorize endpoint with state and PKCE S256, no nonce", async () => {
    const flow = await startBrowserFlow({ env: providersEnv() }, "github");
    const url = new URL(flow.location);
    expect(url.pathname).toBe("/github/login/oauth/authorize");
    expect(url.searchParams.get("scope")).toBe("read:user user:email");
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.get("nonce")).toBeNull();
  });

  it("signs in with the primary verified address from /user/emails and the GitHub login as username", async () => {
    const email = `${uniqueName("gh")}@example.com`;
    const response = await githubSignIn(person(email));
    expect(response.status).toBe(302);
    const user = await userOf(response);
    expect(user).toMatchObject({ email, username: email.split("@")[0], first_name: "Grace", last_name: "Hopper" });
  });

  it("links to an account with the same verified address, never with an unverified one", async () => {
    const email = `${uniqueName("ghl")}@example.com`;
    const { pk } = await register({ email });
    await env.DB.prepare("UPDATE users SET email_verified = 1 WHERE id = ?").bind(pk).run();
    const unverified = await userOf(await githubSignIn(person(email, false)));
    expect(unverified.pk).not.toBe(pk);
    const other = `${uniqueName("ghv")}@example.com`;
    const { pk: otherPk } = await register({ email: other });
    await env.DB.prepare("UPDATE users SET email_verified = 1 WHERE id = ?").bind(otherPk).run();
    expect((await userOf(await githubSignIn(person(other)))).pk).toBe(otherPk);
  });

  it("answers 400 for a code GitHub refuses (its 200 with an error body)", async () => {
    const options = { env: providersEnv() };
    const response = await call(
      "/auth/social/github/",
      json("POST", { code: "not-a-code", redirect_uri: "https://app.example.com/oauth" }),
      options,
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ non_field_errors: ["Invalid or expired authorization code."] });
  });

  it("refuses an ID token: GitHub issues none", async () => {
    const response = await call("/auth/social/github/", json("POST", { id_token: "a.b.c" }), { env: providersEnv() });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ non_field_errors: ["This provider does not issue ID tokens."] });
  });
});

describe("Sign in with Apple", () => {
  it("asks for form_post and keeps the flow cookie SameSite=None (Apple comes back with a cross-site POST)", async () => {
    const response = await call("/auth/social/apple/", {}, { env: providersEnv() });
    expect(response.status).toBe(302);
    const url = new URL(response.headers.get("location") as string);
    expect(url.searchParams.get("response_mode")).toBe("form_post");
    expect(url.searchParams.get("scope")).toBe("openid email name");
    expect(url.searchParams.get("nonce")).toMatch(/^[0-9A-Za-z]{32}$/);
    const cookie = response.headers.getSetCookie().find((value) => value.startsWith("social_flow="));
    expect(cookie).toMatch(/SameSite=None/);
    expect(cookie).toMatch(/Secure/);
  });

  it("signs in through the POSTed callback, with an ES256 client secret and the name sent once", async () => {
    const options = { env: providersEnv() };
    const flow = await startBrowserFlow(options, "apple");
    const authorize = new URL(flow.location);
    const email = `${uniqueName("ap")}@example.com`;
    authorize.searchParams.set("login_hint", person(email));
    const page = await (await fetch(authorize)).text();
    const fields = Object.fromEntries(
      [...page.matchAll(/name="(\w+)" value="([^"]*)"/g)].map(([, name, value]) => [
        name,
        (value as string).replaceAll("&quot;", '"'),
      ]),
    );
    expect(page).toContain('action="https://auth.example.com/auth/social/apple/callback/"');
    const response = await call(
      "/auth/social/apple/callback/",
      {
        method: "POST",
        headers: { cookie: flow.cookie, origin: "https://appleid.apple.com" },
        body: new URLSearchParams(fields),
      },
      options,
    );
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/account");
    // "email_verified":"true" (a string) counts as verified.
    expect(await userOf(response)).toMatchObject({ email, first_name: "Tim", last_name: "Apple" });
    const row = await env.DB.prepare("SELECT email_verified FROM users WHERE email = ?").bind(email).first();
    expect(row?.email_verified).toBe(1);
  });

  it("answers 502 when Apple refuses a client secret signed with another key (a configuration fault)", async () => {
    const { generateKeyPairSync } = await import("node:crypto");
    const wrongKey = generateKeyPairSync("ec", { namedCurve: "P-256" })
      .privateKey.export({ format: "pem", type: "pkcs8" })
      .toString();
    const options = { env: { ...providersEnv(), SOCIAL_APPLE_SECRET: wrongKey } };
    const flow = await startBrowserFlow(options, "apple");
    const authorize = new URL(flow.location);
    authorize.searchParams.set("login_hint", person(`${uniqueName("apx")}@example.com`));
    const page = await (await fetch(authorize)).text();
    const fields = Object.fromEntries([...page.matchAll(/name="(\w+)" value="([^"]*)"/g)].map(([, n, v]) => [n, v]));
    const response = await call(
      "/auth/social/apple/callback/",
      { method: "POST", headers: { cookie: flow.cookie }, body: new URLSearchParams(fields as Record<string, string>) },
      options,
    );
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ detail: "The sign-in provider is unavailable, try again later." });
  });
});
