import { scryptSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hashArgon2id } from "../../src/auth/argon2id/hash";
import {
  ARGON2ID_PARAMS,
  hashPassword,
  isLegacyHash,
  isVerifiableHash,
  needsRehash,
  verifyAgainstDummy,
  verifyPassword,
} from "../../src/auth/password-hash";

describe("password hashing", () => {
  it("uses one of OWASP's minimum Argon2id settings", () => {
    // OWASP Password Storage Cheat Sheet: equivalent minimums for Argon2id (memory in KiB, passes, 1 lane).
    const owaspMinimums = [
      { m: 47_104, t: 1 },
      { m: 19_456, t: 2 },
      { m: 12_288, t: 3 },
      { m: 9_216, t: 4 },
      { m: 7_168, t: 5 },
    ];
    const { m, t, p } = ARGON2ID_PARAMS;
    expect(owaspMinimums.some((min) => m >= min.m && t >= min.t)).toBe(true);
    expect(p).toBeGreaterThanOrEqual(1);
  });

  it("writes Django's self-describing Argon2id format and verifies it", async () => {
    const encoded = await hashPassword("pässwörd 🔑");
    expect(encoded).toMatch(/^argon2\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{30}\$[A-Za-z0-9+/]{43}$/);
    expect(await verifyPassword("pässwörd 🔑", encoded)).toBe(true);
    expect(await verifyPassword("pässwörd", encoded)).toBe(false);
    expect(needsRehash(encoded)).toBe(false);
  });

  it("salts every hash", async () => {
    expect(await hashPassword("same")).not.toBe(await hashPassword("same"));
  });

  // All made by Django 3.2's Argon2PasswordHasher with argon2-cffi 21.1 (Debian's python3-django, python3-argon2).
  it.each([
    [
      "64 MiB and 4 lanes (the most accepted)",
      "hunter22",
      "argon2$argon2id$v=19$m=65536,t=2,p=4$SnJGUEMzbzNkaEhKOGpkOEdkR3RLcA$pTwIzP4mlhPKfx3xxFjmPQ",
      true,
    ],
    [
      "OWASP's minimum",
      "pässwörd 🔑",
      "argon2$argon2id$v=19$m=19456,t=2,p=1$YWJjZGVmZ2hpamtsbW5vcHFyc3R1dg$eM/ysTrwsREm+z40B0/ToQ",
      false,
    ],
  ])("verifies a hash made by Django's Argon2PasswordHasher with %s", async (_name, password, django, upgrade) => {
    expect(await verifyPassword(password, django)).toBe(true);
    expect(await verifyPassword(`${password}!`, django)).toBe(false);
    // Other parameters are upgraded to ours at the next login; a shorter tag alone is not (as in Django).
    expect(needsRehash(django)).toBe(upgrade);
  });

  it("refuses Django's default Argon2 parameters (100 MiB): more memory than an isolate can spare", async () => {
    const django = "argon2$argon2id$v=19$m=102400,t=2,p=8$SnJGUEMzbzNkaEhKOGpkOEdkR3RLcA$rlq4TgvEMtGIxV3MxW/Rgg";
    expect(isVerifiableHash(django)).toBe(false);
    expect(await verifyPassword("hunter22", django)).toBe(false);
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
    "argon2$argon2i$v=19$m=19456,t=2,p=1$YWJjZGVmZ2hpamtsbW5vcHFyc3R1dg$eM/ysTrwsREm+z40B0/ToQ",
    "argon2$argon2id$v=16$m=19456,t=2,p=1$YWJjZGVmZ2hpamtsbW5vcHFyc3R1dg$eM/ysTrwsREm+z40B0/ToQ",
    "argon2$argon2id$v=19$m=1048576,t=2,p=1$YWJjZGVmZ2hpamtsbW5vcHFyc3R1dg$eM/ysTrwsREm+z40B0/ToQ",
    "argon2$argon2id$v=19$m=102400,t=3,p=1$YWJjZGVmZ2hpamtsbW5vcHFyc3R1dg$eM/ysTrwsREm+z40B0/ToQ",
    "argon2$argon2id$v=19$m=19456,t=0,p=1$YWJjZGVmZ2hpamtsbW5vcHFyc3R1dg$eM/ysTrwsREm+z40B0/ToQ",
    "argon2$argon2id$v=19$m=19456,t=2,p=0$YWJjZGVmZ2hpamtsbW5vcHFyc3R1dg$eM/ysTrwsREm+z40B0/ToQ",
    "argon2$argon2id$v=19$m=19456,t=2,p=1$$eM/ysTrwsREm+z40B0/ToQ",
    "argon2$argon2id$v=19$m=19456,t=2,p=1$YWJjZGVmZ2hpamtsbW5vcHFyc3R1dg$not base64!",
    `argon2$argon2id$v=19$m=19456,t=2,p=1$YWJjZGVmZ2hpamtsbW5vcHFyc3R1dg$${"A".repeat(100)}`,
  ])("never matches the malformed or unsupported hash %j", async (encoded) => {
    expect(await verifyPassword("anything", encoded)).toBe(false);
    expect(needsRehash(encoded)).toBe(true);
  });

  // The argon2id package compares each byte array itself with its size bounds, so JavaScript read a Buffer as the
  // number its text spells: "0" was below the 8-byte minimum, "83920174652" above the 2^32-1 maximum (issue 12).
  it.each(["0", "83920174652", "1e10", " ", "", "\u0001"])(
    "hashes and verifies the password %j, which reads as a number",
    async (password) => {
      const encoded = await hashPassword(password);
      expect(await verifyPassword(password, encoded)).toBe(true);
      expect(await verifyPassword(`${password}x`, encoded)).toBe(false);
      expect(await verifyAgainstDummy(password)).toBe(false);
    },
  );

  it("hashes with a salt of digits only (a Django salt may be one)", async () => {
    const encoded = await hashArgon2id("hunter22", "1234567890123456789012", ARGON2ID_PARAMS);
    expect(encoded).toContain("$MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMg$");
    expect(await verifyPassword("hunter22", encoded)).toBe(true);
  });

  it("does a full verification against a dummy hash for unknown accounts", async () => {
    expect(await verifyAgainstDummy("whatever")).toBe(false);
  });
});

describe("isLegacyHash", () => {
  it("names the verifiable hashes that the next login replaces, whose checks cost more than ours", async () => {
    expect(isLegacyHash(await hashPassword("x"))).toBe(false);
    expect(isLegacyHash(`pbkdf2_sha256$600000$salt$${"A".repeat(43)}=`)).toBe(true);
    expect(isLegacyHash(`pbkdf2_sha1$260000$salt$${"A".repeat(27)}=`)).toBe(true);
    expect(isLegacyHash(`scrypt$16384$salt$8$1$${"A".repeat(86)}==`)).toBe(true);
    expect(
      isLegacyHash("argon2$argon2id$v=19$m=65536,t=2,p=4$SnJGUEMzbzNkaEhKOGpkOEdkR3RLcA$pTwIzP4mlhPKfx3xxFjmPQ"),
    ).toBe(true);
  });

  it("is false for hashes nothing can verify: they cost nothing to refuse", () => {
    for (const encoded of ["", "!unusable", "sha1$salt$abc", `pbkdf2_sha256$1200000$salt$${"A".repeat(43)}=`])
      expect(isLegacyHash(encoded)).toBe(false);
  });
});
