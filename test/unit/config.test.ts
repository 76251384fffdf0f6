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
