import { describe, expect, it } from "vitest";
import { decodeEntry, encodeEntry, isFresh, sharedKey, sharedMaxAgeSeconds } from "../../src/cache/cache-entry";

const entry = {
  readAtMs: 1_000_000,
  session: {
    sessionId: "4kT0pQ2aX9mWcE1z",
    createdMs: 900_000,
    lastUsedMs: null,
    client: "ios",
    user: { id: 7, username: "ada", email: null, firstName: "", lastName: "", isActive: true },
  },
};

describe("sharedMaxAgeSeconds", () => {
  it("is TOKEN_CACHE_TTL from the read while the token lives longer", () => {
    expect(sharedMaxAgeSeconds(0, 30_000, 3_600_000, 0)).toBe(30);
    expect(sharedMaxAgeSeconds(0, 30_000, 3_600_000, 10_000)).toBe(20);
  });

  it("stops at the token's end, rounded down, and is zero once there is less than a second", () => {
    expect(sharedMaxAgeSeconds(0, 30_000, 12_999, 0)).toBe(12);
    expect(sharedMaxAgeSeconds(0, 30_000, 999, 0)).toBe(0);
    expect(sharedMaxAgeSeconds(0, 30_000, -5, 0)).toBe(0);
  });
});

describe("isFresh", () => {
  it("holds up to and including TOKEN_CACHE_TTL after the read, never before it", () => {
    expect(isFresh(1000, 30_000, 31_000)).toBe(true);
    expect(isFresh(1000, 30_000, 31_001)).toBe(false);
    expect(isFresh(1000, 30_000, 999)).toBe(false);
  });
});

describe("entries", () => {
  it("round-trip through their wire form", () => {
    expect(decodeEntry(encodeEntry(entry))).toEqual(entry);
  });

  it("key the data centre's copy by the digest on a host no request can name", () => {
    expect(sharedKey("ab".repeat(32))).toBe(`https://session-cache.invalid/v1/${"ab".repeat(32)}`);
  });

  it.each([
    ["not JSON", "{"],
    ["null", "null"],
    ["no read time", JSON.stringify({ ...entry, readAtMs: "1" })],
    [
      "an inactive user",
      JSON.stringify({ ...entry, session: { ...entry.session, user: { ...entry.session.user, isActive: false } } }),
    ],
    ["no user", JSON.stringify({ ...entry, session: { ...entry.session, user: undefined } })],
    ["a bad created time", JSON.stringify({ ...entry, session: { ...entry.session, createdMs: 1.5 } })],
  ])("are a miss when damaged: %s", (_name, text) => {
    expect(decodeEntry(text)).toBeUndefined();
  });
});
