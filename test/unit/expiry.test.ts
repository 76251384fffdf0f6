import { describe, expect, it } from "vitest";
import { expiresAtMs, isExpired, isoTimestamp } from "../../src/auth/expiry";

describe("expiry math", () => {
  const created = Date.UTC(2026, 0, 1);
  const ttl = 3600;

  it("puts the expiry TTL seconds after creation", () => {
    expect(expiresAtMs(created, ttl)).toBe(created + 3_600_000);
  });

  it("keeps a token valid up to and including its expiry instant", () => {
    expect(isExpired(created, ttl, created)).toBe(false);
    expect(isExpired(created, ttl, created + 3_600_000)).toBe(false);
  });

  it("expires it one millisecond later", () => {
    expect(isExpired(created, ttl, created + 3_600_001)).toBe(true);
  });
});

describe("isoTimestamp", () => {
  it("renders UTC with microseconds as DRF does", () => {
    expect(isoTimestamp(Date.UTC(2026, 11, 14, 10, 0, 0, 123))).toBe("2026-12-14T10:00:00.123000Z");
  });
});
