import { describe, expect, it } from "vitest";
import { deriveClientName, isValidClientName } from "../../src/auth/client-name";
import {
  absoluteExpiresAtMs,
  type ExpiryPolicy,
  isSessionExpired,
  type SessionTimes,
  sessionExpiresAtMs,
  ttlSecondsFor,
} from "../../src/auth/expiry";
import { legacyHashRule, parseRateLimit, secondsUntilWindowEnds } from "../../src/auth/rate-limit";
import { parseConfig } from "../../src/config";
import { purgeTasks } from "../../src/store/purge";

const policy: ExpiryPolicy = { ttlSeconds: 86_400, clientTtlSeconds: new Map([["web", 3600]]), idleTtlSeconds: 1800 };

describe("expiry policy", () => {
  it("uses the client's TTL, else TOKEN_TTL", () => {
    expect(ttlSecondsFor(policy, "web")).toBe(3600);
    expect(ttlSecondsFor(policy, "ios")).toBe(86_400);
    expect(ttlSecondsFor(policy, null)).toBe(86_400);
  });

  it("expires at the earlier of the absolute and idle limits", () => {
    expect(sessionExpiresAtMs(policy, { createdMs: 0, lastUsedMs: 0, client: "ios" })).toBe(1_800_000);
    expect(sessionExpiresAtMs(policy, { createdMs: 0, lastUsedMs: 3_000_000, client: "web" })).toBe(3_600_000);
    expect(
      sessionExpiresAtMs({ ...policy, idleTtlSeconds: null }, { createdMs: 0, lastUsedMs: null, client: null }),
    ).toBe(86_400_000);
    expect(sessionExpiresAtMs(policy, { createdMs: 1000, lastUsedMs: null, client: null })).toBe(1_801_000);
  });

  it("puts the absolute end at created + the token's own TTL, whatever its last use", () => {
    const web: SessionTimes = { createdMs: 1000, lastUsedMs: 2000, client: "web" };
    const ios: SessionTimes = { createdMs: 1000, lastUsedMs: null, client: "ios" };
    expect(absoluteExpiresAtMs(policy, web)).toBe(3_601_000);
    expect(absoluteExpiresAtMs(policy, ios)).toBe(86_401_000);
  });

  it("is valid through its expiry instant", () => {
    const session = { createdMs: 0, lastUsedMs: 0, client: "ios" };
    expect(isSessionExpired(policy, session, 1_800_000)).toBe(false);
    expect(isSessionExpired(policy, session, 1_800_001)).toBe(true);
  });
});

describe("legacyHashRule", () => {
  it("allows an account on a legacy hash at most 3 failures in the account's window", () => {
    expect(legacyHashRule({ limit: 10, windowSeconds: 900 })).toEqual({ limit: 3, windowSeconds: 900 });
    expect(legacyHashRule({ limit: 2, windowSeconds: 60 })).toEqual({ limit: 2, windowSeconds: 60 });
  });
});

describe("parseRateLimit", () => {
  it("reads count/duration and off", () => {
    expect(parseRateLimit("10/15m")).toEqual({ limit: 10, windowSeconds: 900 });
    expect(parseRateLimit(" 100 / PT1H ")).toEqual({ limit: 100, windowSeconds: 3600 });
    expect(parseRateLimit("OFF")).toBeNull();
  });

  it.each(["", "10", "/15m", "0/15m", "10/", "ten/15m", "10/15x"])("refuses %j", (text) => {
    expect(parseRateLimit(text)).toBeUndefined();
  });

  it("counts whole seconds until the window ends, at least one", () => {
    expect(secondsUntilWindowEnds(0, 900, 60_000)).toBe(840);
    expect(secondsUntilWindowEnds(0, 900, 60_001)).toBe(840);
    expect(secondsUntilWindowEnds(0, 900, 899_999)).toBe(1);
  });
});

describe("client names", () => {
  it.each([
    ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/140.0 Safari/537.36", "web"],
    ["Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/140.0 Mobile Safari/537.36", "web"],
    ["okhttp/4.12.0", "android"],
    ["Dalvik/2.1.0 (Linux; U; Android 14)", "android"],
    ["MyApp/3 CFNetwork/1490.0.4 Darwin/23.2.0", "ios"],
    ["curl/8.5.0", "api"],
    [undefined, "api"],
  ])("names %j %s", (userAgent, name) => {
    expect(deriveClientName(userAgent)).toBe(name);
  });

  it("accepts letters, digits, dot, dash and underscore only", () => {
    expect(isValidClientName("billing-cli_2.0")).toBe(true);
    expect(isValidClientName("my phone")).toBe(false);
    expect(isValidClientName("é")).toBe(false);
  });
});

describe("purgeTasks", () => {
  it("keeps the retention window beyond the longest TTL and bounds every delete", () => {
    const config = parseConfig({
      TOKEN_TTL: "1d",
      CLIENT_TOKEN_TTLS: '{"web":"1h","ios":"30d"}',
      EXPIRED_TOKEN_RETENTION: "1d",
    });
    const tasks = purgeTasks(config, 100 * 86_400_000, 500);
    const first = tasks[0];
    expect(first?.params).toEqual([100 * 86_400_000 - 31 * 86_400_000, 500]);
    const labels = tasks.map((task) => task.label);
    expect(labels).toContain('tokens of client "web" past their TTL');
    expect(labels).toContain("tokens past TOKEN_TTL");
    expect(labels).not.toContain('tokens of client "ios" past their TTL');
    for (const task of tasks) {
      expect(task.sql).toMatch(/LIMIT \?\)$/);
      expect(task.params.at(-1)).toBe(500);
      expect(task.sql.split("?").length - 1).toBe(task.params.length);
    }
  });

  it("keeps throttle counters through the longest window, registrations' included", () => {
    const config = parseConfig({ REGISTRATIONS_PER_IP: "20/1d" });
    const now = 100 * 86_400_000;
    const task = purgeTasks(config, now, 500).find((candidate) => candidate.label === "stale throttle counters");
    expect(task?.params).toEqual([now - 86_400_000, 500]);
  });
});
