import { describe, expect, it } from "vitest";
import {
  generateKey,
  generateSessionId,
  isWellFormedKey,
  KEY_LENGTH,
  KEY_PREFIX,
  keyDigest,
  MAX_SHARDS,
  routeKey,
} from "../../src/auth/token-key";

/** A key issued before keys carried a shard (`etk_` + 32 random + 6 checksum): it must keep working. */
const UNSHARDED_KEY = "etk_Pobl4WlZdprPNmsNQeKyIH5tr9NbdJLI34zjo4";

describe("generateKey", () => {
  it("makes URL-safe keys with the prefix, of the documented length", () => {
    const key = generateKey();
    expect(key).toMatch(/^etk_[0-9A-Za-z]{40}$/);
    expect(key).toHaveLength(KEY_LENGTH);
    expect(encodeURIComponent(key)).toBe(key);
  });

  it("never repeats across many draws and uses the whole alphabet", () => {
    const keys = new Set(Array.from({ length: 2000 }, generateKey));
    expect(keys.size).toBe(2000);
    const secretChars = new Set([...keys].flatMap((key) => [...key.slice(6, 38)]));
    expect(secretChars.size).toBe(62);
  });

  it("carries at least 160 bits of randomness", () => {
    // The random part sits between the prefix + 2-digit shard and the 6-character checksum; each symbol is
    // one of 62 (the previous test sees all 62 in use).
    const secret = generateKey().slice(KEY_PREFIX.length + 2, -6);
    expect(secret).toMatch(/^[0-9A-Za-z]+$/);
    expect(secret.length * Math.log2(62)).toBeGreaterThanOrEqual(160);
  });
});

describe("isWellFormedKey", () => {
  it("accepts every generated key", () => {
    for (let i = 0; i < 200; i++) expect(isWellFormedKey(generateKey())).toBe(true);
  });

  it("refuses a key with any one character changed", () => {
    const key = generateKey();
    for (let i = 4; i < key.length; i++) {
      const replacement = key[i] === "a" ? "b" : "a";
      expect(isWellFormedKey(key.slice(0, i) + replacement + key.slice(i + 1))).toBe(false);
    }
  });

  it("accepts the 40-hex keys of Django REST Framework, which imported tokens keep", () => {
    expect(isWellFormedKey("9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b")).toBe(true);
  });

  it.each([
    "",
    "etk_",
    "x".repeat(42),
    "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4",
    "9944B09199C62BCF9418AD846DD0E4BBDFC6EE4B",
    "etk_!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
  ])("refuses %j", (key) => {
    expect(isWellFormedKey(key)).toBe(false);
  });
});

describe("keyDigest", () => {
  it("is the hex SHA-256 of the key", async () => {
    expect(keyDigest("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});

describe("routeKey", () => {
  it("reads back the shard a key was issued for, at both ends of the range", () => {
    for (const shard of [0, 1, 61, 62, 1234, MAX_SHARDS - 1]) expect(routeKey(generateKey(shard))).toEqual({ shard });
    expect(MAX_SHARDS).toBe(3844);
  });

  it("refuses to issue a key for a shard outside the range", () => {
    for (const shard of [-1, MAX_SHARDS, 1.5]) expect(() => generateKey(shard)).toThrow(RangeError);
  });

  it("covers the shard digits with the checksum: a key moved to another shard is refused", () => {
    const key = generateKey(7);
    expect(key.slice(4, 6)).toBe("07");
    expect(routeKey(`etk_08${key.slice(6)}`)).toBeNull();
  });

  it("routes keys issued before the shard field, and imported Django keys, to shard 0", () => {
    expect(routeKey(UNSHARDED_KEY)).toEqual({ shard: 0 });
    expect(routeKey("9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b")).toEqual({ shard: 0 });
  });

  it("checks the CRC-32 of keys issued before the shard field too", () => {
    expect(routeKey(`${UNSHARDED_KEY.slice(0, -1)}5`)).toBeNull();
  });

  it("matches a key made by hand with the published algorithm (IEEE CRC-32 in 6 base62 digits)", () => {
    expect(routeKey("etk_07Pobl4WlZdprPNmsNQeKyIH5tr9NbdJLI2dLnb6")).toEqual({ shard: 7 });
  });
});

describe("generateSessionId", () => {
  it("is 16 base62 characters and unique", () => {
    const ids = new Set(Array.from({ length: 1000 }, generateSessionId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[0-9A-Za-z]{16}$/);
  });
});
