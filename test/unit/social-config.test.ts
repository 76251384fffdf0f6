import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../src/config";
import { DEVELOPMENT_COOKIE_KEY, isLocalPath, secretName } from "../../src/social/config";

const KEY = "k".repeat(32);
const PEM = "-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----";

describe("SOCIAL_PROVIDERS", () => {
  it("is empty by default, with /account as the landing page", () => {
    const { social } = parseConfig({});
    expect([...social.providers]).toEqual([]);
    expect(social.loginRedirect).toBe("/account");
    expect(social.cookieKey).toBeNull();
  });

  it("reads an OpenID Connect issuer, a GitHub and an Apple entry with their secrets", () => {
    const { social } = parseConfig({
      SOCIAL_PROVIDERS: JSON.stringify({
        google: { issuer: "https://accounts.google.com", client_id: "web.apps", audiences: ["android.apps"] },
        github: { kind: "github", client_id: "Iv1.abc" },
        apple: { kind: "apple", client_id: "com.example.web", team_id: "TEAM", key_id: "KEY1" },
        "my-idp": { issuer: "http://127.0.0.1:9000/", client_id: "local", scope: "openid email" },
      }),
      SOCIAL_GOOGLE_SECRET: "google-secret",
      SOCIAL_GITHUB_SECRET: "github-secret",
      SOCIAL_APPLE_SECRET: PEM,
    });
    expect(social.providers.get("google")).toEqual({
      name: "google",
      kind: "oidc",
      issuer: "https://accounts.google.com",
      clientId: "web.apps",
      clientSecret: "google-secret",
      scopes: ["openid", "email", "profile"],
      audiences: ["web.apps", "android.apps"],
      apple: null,
    });
    expect(social.providers.get("github")).toEqual({
      name: "github",
      kind: "github",
      clientId: "Iv1.abc",
      clientSecret: "github-secret",
      scopes: ["read:user", "user:email"],
      webUrl: "https://github.com",
      apiUrl: "https://api.github.com",
    });
    expect(social.providers.get("apple")).toMatchObject({
      kind: "oidc",
      issuer: "https://appleid.apple.com",
      clientSecret: PEM,
      scopes: ["openid", "email", "name"],
      apple: { teamId: "TEAM", keyId: "KEY1" },
    });
    // The issuer is kept verbatim: ID tokens must carry exactly it.
    expect(social.providers.get("my-idp")).toMatchObject({ issuer: "http://127.0.0.1:9000/", clientSecret: null });
    expect(secretName("my-idp")).toBe("SOCIAL_MY_IDP_SECRET");
  });

  it.each([
    ["invalid JSON", "{"],
    ["a list", "[]"],
    ["a reserved name", JSON.stringify({ accounts: { issuer: "https://a.example", client_id: "x" } })],
    ["an upper-case name", JSON.stringify({ Google: { issuer: "https://a.example", client_id: "x" } })],
    ["an unknown kind", JSON.stringify({ x: { kind: "saml", client_id: "x" } })],
    ["a missing client_id", JSON.stringify({ x: { issuer: "https://a.example" } })],
    ["a missing issuer", JSON.stringify({ x: { client_id: "x" } })],
    ["a plain-http issuer off loopback", JSON.stringify({ x: { issuer: "http://idp.example", client_id: "x" } })],
    ["a typo in a setting", JSON.stringify({ x: { issuer: "https://a.example", client_id: "x", scopes: "y" } })],
    ["a scope without openid", JSON.stringify({ x: { issuer: "https://a.example", client_id: "x", scope: "email" } })],
    ["Apple without team_id", JSON.stringify({ x: { kind: "apple", client_id: "x", key_id: "k" } })],
  ])("refuses %s with an error naming SOCIAL_PROVIDERS", (_, value) => {
    expect(() => parseConfig({ SOCIAL_PROVIDERS: value })).toThrow(ConfigError);
    expect(() => parseConfig({ SOCIAL_PROVIDERS: value })).toThrow(/SOCIAL_PROVIDERS/);
  });

  it("refuses an Apple secret that is not a PEM private key", () => {
    const apple = JSON.stringify({ apple: { kind: "apple", client_id: "x", team_id: "t", key_id: "k" } });
    expect(() => parseConfig({ SOCIAL_PROVIDERS: apple, SOCIAL_APPLE_SECRET: "plain" })).toThrow(/SOCIAL_APPLE_SECRET/);
  });
});

describe("SOCIAL_LOGIN_REDIRECT", () => {
  it("accepts a path of the service, or a URL on the service's or an allowed origin", () => {
    expect(parseConfig({ SOCIAL_LOGIN_REDIRECT: "/welcome?from=social" }).social.loginRedirect).toBe(
      "/welcome?from=social",
    );
    const vars = { SERVICE_ORIGIN: "https://auth.example.com", ALLOWED_ORIGINS: "https://app.example.com" };
    expect(parseConfig({ ...vars, SOCIAL_LOGIN_REDIRECT: "https://app.example.com/in" }).social.loginRedirect).toBe(
      "https://app.example.com/in",
    );
    expect(parseConfig({ ...vars, SOCIAL_LOGIN_REDIRECT: "https://auth.example.com/x" }).social.loginRedirect).toBe(
      "https://auth.example.com/x",
    );
  });

  it.each(["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)", "account"])(
    "refuses %j: no open redirect",
    (value) => {
      expect(() => parseConfig({ SOCIAL_LOGIN_REDIRECT: value })).toThrow(/SOCIAL_LOGIN_REDIRECT/);
    },
  );

  it("tells a local path from one a browser reads as another host", () => {
    expect(isLocalPath("/account")).toBe(true);
    expect(isLocalPath("//evil.example")).toBe(false);
    expect(isLocalPath("/\\evil.example")).toBe(false);
    expect(isLocalPath("/\tevil")).toBe(false);
  });
});

describe("SOCIAL_COOKIE_KEY", () => {
  it("is the development key only in development, and at least 32 characters when set", () => {
    expect(parseConfig({ ENVIRONMENT: "development" }).social.cookieKey).toBe(DEVELOPMENT_COOKIE_KEY);
    expect(parseConfig({ ENVIRONMENT: "production" }).social.cookieKey).toBeNull();
    expect(parseConfig({ SOCIAL_COOKIE_KEY: KEY }).social.cookieKey).toBe(KEY);
    expect(() => parseConfig({ SOCIAL_COOKIE_KEY: "short" })).toThrow(/SOCIAL_COOKIE_KEY/);
  });
});
