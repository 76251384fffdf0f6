import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, parseConfig } from "../../src/config";

describe("parseConfig", () => {
  it("applies the documented defaults", () => {
    const config = parseConfig({});
    expect(config.expiry.ttlSeconds).toBe(15 * 86_400);
    expect(config.authCookieName).toBe("auth_token");
    expect([...config.allowedOrigins]).toEqual([]);
    expect(config.maxBodyBytes).toBe(65_536);
    expect(config.d1ReadReplicas).toBe(false);
    expect(config.tokenCacheTtlMs).toBeNull();
  });

  it("caps tokens per user at 100 unless MAX_TOKENS_PER_USER says otherwise or off", () => {
    expect(parseConfig({}).maxTokensPerUser).toBe(100);
    expect(parseConfig({ MAX_TOKENS_PER_USER: "5" }).maxTokensPerUser).toBe(5);
    expect(parseConfig({ MAX_TOKENS_PER_USER: "off" }).maxTokensPerUser).toBeNull();
    expect(parseConfig({ MAX_TOKENS_PER_USER: "OFF" }).maxTokensPerUser).toBeNull();
    for (const value of ["0", "zero", "-3", "1.5"])
      expect(() => parseConfig({ MAX_TOKENS_PER_USER: value })).toThrow(/MAX_TOKENS_PER_USER/);
  });

  it("reads REGISTRATIONS_PER_IP, 20/1h by default", () => {
    expect(parseConfig({}).registrationsPerIp).toEqual({ limit: 20, windowSeconds: 3600 });
    expect(parseConfig({ REGISTRATIONS_PER_IP: "off" }).registrationsPerIp).toBeNull();
    expect(() => parseConfig({ REGISTRATIONS_PER_IP: "lots" })).toThrow(/REGISTRATIONS_PER_IP/);
  });

  it("keeps activity for ACTIVITY_RETENTION (90 days by default) and mails new sign-ins unless NEW_SIGNIN_EMAIL is off", () => {
    expect(parseConfig({}).activityRetentionSeconds).toBe(90 * 86_400);
    expect(parseConfig({ ACTIVITY_RETENTION: "30d" }).activityRetentionSeconds).toBe(30 * 86_400);
    expect(() => parseConfig({ ACTIVITY_RETENTION: "forever" })).toThrow(/ACTIVITY_RETENTION/);
    expect(parseConfig({}).newSignInEmail).toBe(true);
    expect(parseConfig({ NEW_SIGNIN_EMAIL: "on" }).newSignInEmail).toBe(true);
    expect(parseConfig({ NEW_SIGNIN_EMAIL: "off" }).newSignInEmail).toBe(false);
    expect(() => parseConfig({ NEW_SIGNIN_EMAIL: "no" })).toThrow(/NEW_SIGNIN_EMAIL must be one of on, off/);
  });

  it("reads TOKEN_TTL in every documented form", () => {
    expect(parseConfig({ TOKEN_TTL: "3600" }).expiry.ttlSeconds).toBe(3600);
    expect(parseConfig({ TOKEN_TTL: "12h" }).expiry.ttlSeconds).toBe(43_200);
    expect(parseConfig({ TOKEN_TTL: "P15D" }).expiry.ttlSeconds).toBe(1_296_000);
    expect(parseConfig({ TOKEN_TTL: 60 }).expiry.ttlSeconds).toBe(60);
  });

  it.each(["0", "forever", "-1d", "P1Y"])("refuses TOKEN_TTL=%j with an error naming it", (value) => {
    expect(() => parseConfig({ TOKEN_TTL: value })).toThrow(ConfigError);
    expect(() => parseConfig({ TOKEN_TTL: value })).toThrow(/TOKEN_TTL/);
  });

  it("reads allowed origins and refuses anything but bare origins", () => {
    const config = parseConfig({ ALLOWED_ORIGINS: "https://app.example.com, http://localhost:3000/" });
    expect([...config.allowedOrigins]).toEqual(["https://app.example.com", "http://localhost:3000"]);
    expect(() => parseConfig({ ALLOWED_ORIGINS: "https://app.example.com/path" })).toThrow(/ALLOWED_ORIGINS/);
    expect(() => parseConfig({ ALLOWED_ORIGINS: "app.example.com" })).toThrow(/ALLOWED_ORIGINS/);
  });

  it("reads SERVICE_ORIGIN as a bare http(s) origin, unset by default", () => {
    expect(parseConfig({}).serviceOrigin).toBeNull();
    expect(parseConfig({ SERVICE_ORIGIN: "https://Auth.Example.com/" }).serviceOrigin).toBe("https://auth.example.com");
    expect(parseConfig({ SERVICE_ORIGIN: "http://localhost:8787" }).serviceOrigin).toBe("http://localhost:8787");
    for (const value of ["auth.example.com", "https://auth.example.com/auth", "ftp://auth.example.com", "https://"]) {
      expect(() => parseConfig({ SERVICE_ORIGIN: value })).toThrow(/SERVICE_ORIGIN must be a bare http\(s\) origin/);
    }
  });

  it("reads ENVIRONMENT, production unless it says development", () => {
    expect(parseConfig({}).development).toBe(false);
    expect(parseConfig({ ENVIRONMENT: "production" }).development).toBe(false);
    expect(parseConfig({ ENVIRONMENT: "development" }).development).toBe(true);
    expect(() => parseConfig({ ENVIRONMENT: "dev" })).toThrow(/ENVIRONMENT must be one of development, production/);
  });

  it("refuses development settings for a public SERVICE_ORIGIN", () => {
    expect(parseConfig({ ENVIRONMENT: "development", SERVICE_ORIGIN: "http://localhost:8787" }).development).toBe(true);
    expect(parseConfig({ ENVIRONMENT: "development", SERVICE_ORIGIN: "http://127.0.0.1:9000" }).development).toBe(true);
    expect(() => parseConfig({ ENVIRONMENT: "development", SERVICE_ORIGIN: "https://auth.example.com" })).toThrow(
      /ENVIRONMENT=development serves only localhost/,
    );
  });

  it("refuses a bad cookie name and a bad body limit", () => {
    expect(() => parseConfig({ AUTH_COOKIE_NAME: "a b" })).toThrow(/AUTH_COOKIE_NAME/);
    expect(() => parseConfig({ MAX_BODY_BYTES: "1.5" })).toThrow(/MAX_BODY_BYTES/);
  });
});

describe("loadConfig", () => {
  it("parses once per environment object and remembers failures", () => {
    const env = { TOKEN_TTL: "1h" };
    expect(loadConfig(env)).toBe(loadConfig(env));
    const broken = { TOKEN_TTL: "nope" };
    expect(() => loadConfig(broken)).toThrow(ConfigError);
    expect(() => loadConfig(broken)).toThrow(ConfigError);
  });
});
