import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  expiresAtMs,
  isExpired,
  isoTimestamp,
  isUseDueForRecording,
  lastUsedResolutionMs,
} from "../../src/auth/expiry";

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

describe("last_used resolution", () => {
  it("is a minute without an idle timeout, and at most half of TOKEN_IDLE_TTL with one", () => {
    expect(lastUsedResolutionMs(null)).toBe(60_000);
    expect(lastUsedResolutionMs(3600)).toBe(60_000);
    expect(lastUsedResolutionMs(120)).toBe(60_000);
    expect(lastUsedResolutionMs(90)).toBe(45_000);
    expect(lastUsedResolutionMs(3)).toBe(1500);
    expect(lastUsedResolutionMs(1)).toBe(500);
  });

  it("records a use once the recorded one is a full resolution old, not before", () => {
    expect(isUseDueForRecording(10_000, 11_499, 1500)).toBe(false);
    expect(isUseDueForRecording(10_000, 11_500, 1500)).toBe(true);
    expect(isUseDueForRecording(10_000, 70_000, 60_000)).toBe(true);
    // A clock that went backwards never stamps an older time over a newer one.
    expect(isUseDueForRecording(10_000, 9_000, 1500)).toBe(false);
  });

  it("keeps a token used at least once per resolution within its idle limit", () => {
    // Any rhythm of uses no further apart than the resolution, recorded by the rule, never idle-expires.
    const idleAndGaps = fc
      .integer({ min: 1, max: 7200 })
      .chain((idleTtlSeconds) =>
        fc.tuple(
          fc.constant(idleTtlSeconds),
          fc.array(fc.integer({ min: 1, max: lastUsedResolutionMs(idleTtlSeconds) }), { minLength: 1, maxLength: 200 }),
        ),
      );
    fc.assert(
      fc.property(idleAndGaps, ([idleTtlSeconds, gaps]) => {
        const resolution = lastUsedResolutionMs(idleTtlSeconds);
        let recorded = 0;
        let now = 0;
        for (const gap of gaps) {
          now += gap;
          if (now - recorded > idleTtlSeconds * 1000) return false;
          if (isUseDueForRecording(recorded, now, resolution)) recorded = now;
        }
        return true;
      }),
    );
  });
});
