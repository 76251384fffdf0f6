import { scryptSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  hashPassword,
  needsRehash,
  SCRYPT_PARAMS,
  verifyAgainstDummy,
  verifyPassword,
} from "../../src/auth/password-hash";

describe("password hashing", () => {
  it("uses one of OWASP's minimum scrypt settings, within 16 MiB of memory", () => {
    // OWASP Password Storage Cheat Sheet: equivalent minimums for scrypt.
    const owaspMinimums = [
      { N: 2 ** 17, r: 8, p: 1 },
      { N: 2 ** 16, r: 8, p: 2 },
      { N: 2 ** 15, r: 8, p: 3 },
      { N: 2 ** 14, r: 8, p: 5 },
      { N: 2 ** 13, r: 8, p: 10 },
    ];
    const { N, r, p } = SCRYPT_PARAMS;
    expect(owaspMinimums.some((min) => N === min.N && r >= min.r && p >= min.p)).toBe(true);
    expect(128 * N * r).toBeLessThanOrEqual(16 * 1024 * 1024);
  });

  it("writes Django's self-describing scrypt format and verifies it", async () => {
    const encoded = await hashPassword("pässwörd 🔑");
    expect(encoded).toMatch(/^scrypt\$16384\$[0-9A-Za-z]{22}\$8\$5\$[A-Za-z0-9+/]{86}==$/);
    expect(await verifyPassword("pässwörd 🔑", encoded)).toBe(true);
    expect(await verifyPassword("pässwörd", encoded)).toBe(false);
    expect(needsRehash(encoded)).toBe(false);
  });

  it("salts every hash", async () => {
    expect(await hashPassword("same")).not.toBe(await hashPassword("same"));
  });

  it("verifies a hash made by Django's ScryptPasswordHasher defaults and asks for an upgrade", async () => {
    // What Django computes: hashlib.scrypt(password, salt=salt, n=2**14, r=8, p=1, dklen=64), base64.
    const salt = "JrFPC3o3dhHJ8jd8GdGtKp";
    const hash = scryptSync("hunter22", salt, 64, { N: 2 ** 14, r: 8, p: 1 }).toString("base64");
    const django = `scrypt$16384$${salt}$8$1$${hash}`;
    expect(await verifyPassword("hunter22", django)).toBe(true);
    expect(needsRehash(django)).toBe(true);
  });

  it.each([
    "",
    "!unusable",
    "pbkdf2_sha256$600000$salt$hash",
    "scrypt$16383$salt$8$1$aGFzaA==",
    "scrypt$1048576$salt$8$1$aGFzaA==",
    "scrypt$16384$salt$0$1$aGFzaA==",
    "scrypt$16384$$8$1$aGFzaA==",
    "scrypt$16384$salt$8$1$not base64!",
  ])("never matches the malformed or unsupported hash %j", async (encoded) => {
    expect(await verifyPassword("anything", encoded)).toBe(false);
    expect(needsRehash(encoded)).toBe(true);
  });

  it("does a full verification against a dummy hash for unknown accounts", async () => {
    expect(await verifyAgainstDummy("whatever")).toBe(false);
  });
});
