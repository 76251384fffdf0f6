import { pbkdf2Sync } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  DJANGO_PBKDF2_MAX_ITERATIONS,
  hasherName,
  isDjangoPbkdf2,
  verifyDjangoPbkdf2,
} from "../../src/auth/django-hash";
import { isVerifiableHash, needsRehash, verifyPassword } from "../../src/auth/password-hash";
import { parseDjangoDump } from "../../src/import/django-dump";

function djangoHash(password: string, iterations: number, digest: "sha256" | "sha1" = "sha256"): string {
  const length = digest === "sha256" ? 32 : 20;
  const hash = pbkdf2Sync(password, "NaClSalt123", iterations, length, digest).toString("base64");
  return `pbkdf2_${digest}$${iterations}$NaClSalt123$${hash}`;
}

describe("Django PBKDF2 hashes", () => {
  it("verifies pbkdf2_sha256 natively up to 100,000 iterations and in pure JS above", async () => {
    for (const iterations of [1000, 100_000, 100_001]) {
      const encoded = djangoHash("pässwörd", iterations);
      expect(await verifyPassword("pässwörd", encoded)).toBe(true);
      expect(await verifyPassword("password", encoded)).toBe(false);
    }
  }, 60_000);

  it("verifies pbkdf2_sha1", async () => {
    expect(await verifyDjangoPbkdf2("secret", djangoHash("secret", 20_000, "sha1"))).toBe(true);
  });

  it("always asks for an upgrade to scrypt", () => {
    expect(needsRehash(djangoHash("x", 1000))).toBe(true);
  });

  it.each([
    "pbkdf2_sha256$0$salt$AAAA",
    "pbkdf2_sha256$3000000$salt$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    "pbkdf2_sha256$1000$salt$c2hvcnQ=",
    "pbkdf2_sha256$abc$salt$AAAA",
    "pbkdf2_sha256$1000$salt",
  ])("refuses the malformed or excessive hash %j", async (encoded) => {
    expect(await verifyPassword("x", encoded)).toBe(false);
  });

  it("names other hashers without accepting them", async () => {
    expect(hasherName("bcrypt_sha256$$2b$12$abc")).toBe("bcrypt_sha256");
    expect(hasherName("argon2$argon2id$v=19$m=102400,t=2,p=8$c2FsdA$aGFzaA")).toBe("argon2");
    expect(hasherName("!unusable")).toBe("!");
    expect(isDjangoPbkdf2("sha1$salt$abc")).toBe(false);
    expect(await verifyPassword("grace-secret", "sha1$salt$0123456789abcdef0123456789abcdef01234567")).toBe(false);
  });
});

describe("the PBKDF2 iteration ceiling", () => {
  it("is Django 5.2's default count, 1,000,000, and hashes up to it are verifiable", () => {
    expect(DJANGO_PBKDF2_MAX_ITERATIONS).toBe(1_000_000);
    for (const iterations of [260_000, 600_000, 1_000_000])
      expect(isVerifiableHash(`pbkdf2_sha256$${iterations}$salt$${"A".repeat(43)}=`)).toBe(true);
  });

  it("refuses a hash above it, even with the right password, without computing it", async () => {
    // Django 6.0's default count: a wrong guess would cost seconds of CPU here.
    const encoded = djangoHash("pässwörd", 1_200_000);
    expect(isVerifiableHash(encoded)).toBe(false);
    expect(await verifyPassword("pässwörd", encoded)).toBe(false);
  }, 120_000);
});

describe("parseDjangoDump", () => {
  it("reads users, stock tokens and multi-device tokens, and reports the rest", () => {
    const dump = parseDjangoDump([
      {
        model: "auth.user",
        pk: 7,
        fields: {
          username: "ann",
          email: "",
          password: "pbkdf2_sha256$1$s$h",
          is_active: true,
          date_joined: "2026-01-01T00:00:00Z",
          last_login: null,
        },
      },
      { model: "authtoken.token", pk: "a".repeat(40), fields: { user: 7, created: "2026-01-02T00:00:00Z" } },
      {
        model: "devices.token",
        pk: 3,
        fields: { key: "b".repeat(40), user: 7, created: "2026-01-03T00:00:00.123456Z" },
      },
      { model: "auth.group", pk: 1, fields: { name: "staff" } },
      { model: "auth.user", pk: "x", fields: {} },
    ]);
    expect(dump.users).toEqual([
      expect.objectContaining({
        pk: 7,
        username: "ann",
        email: "",
        lastLoginMs: null,
        dateJoinedMs: Date.UTC(2026, 0, 1),
      }),
    ]);
    expect(dump.tokens.map((token) => [token.key[0], token.model, token.createdMs])).toEqual([
      ["a", "authtoken.token", Date.UTC(2026, 0, 2)],
      ["b", "devices.token", Date.UTC(2026, 0, 3, 0, 0, 0, 123)],
    ]);
    expect(dump.ignored).toEqual({ "auth.group": 1 });
    expect(dump.problems).toHaveLength(1);
    expect(parseDjangoDump({}).problems).toEqual(["the file is not a dumpdata list of records"]);
  });
});
