import { describe, expect, it } from "vitest";
import { base32Decode, base32Encode } from "../../src/mfa/base32";
import {
  generateTotpSecret,
  hotp,
  matchingTimeStep,
  otpauthUrl,
  TOTP_PERIOD_SECONDS,
  timeStep,
} from "../../src/mfa/totp";

const RFC_SECRET = new TextEncoder().encode("12345678901234567890");

describe("TOTP (RFC 6238, SHA-1)", () => {
  // RFC 6238 Appendix B, SHA-1 column: 8-digit values; the 6-digit code is the same number mod 10^6.
  const vectors: [number, string][] = [
    [59, "94287082"],
    [1111111109, "07081804"],
    [1111111111, "14050471"],
    [1234567890, "89005924"],
    [2000000000, "69279037"],
    [20000000000, "65353130"],
  ];

  it.each(vectors)("matches RFC 6238's test vector at T=%i", async (seconds, expected) => {
    const step = timeStep(seconds * 1000);
    expect(await hotp(RFC_SECRET, step, 8)).toBe(expected);
    expect(await hotp(RFC_SECRET, step, 6)).toBe(expected.slice(2));
  });

  it("accepts the previous, current and next step only", async () => {
    const nowMs = 1111111111 * 1000;
    const step = timeStep(nowMs);
    for (const offset of [-1, 0, 1]) {
      const code = await hotp(RFC_SECRET, step + offset, 6);
      expect(await matchingTimeStep(RFC_SECRET, code, nowMs)).toBe(step + offset);
    }
    for (const offset of [-2, 2]) {
      const code = await hotp(RFC_SECRET, step + offset, 6);
      expect(await matchingTimeStep(RFC_SECRET, code, nowMs)).toBeNull();
    }
  });

  it("refuses codes that are not six digits", async () => {
    const nowMs = 59_000;
    for (const code of ["", "28708", "2870822", "abcdef", " 287082"]) {
      expect(await matchingTimeStep(RFC_SECRET, code, nowMs)).toBeNull();
    }
    expect(await matchingTimeStep(RFC_SECRET, "287082", nowMs)).toBe(1);
  });

  it("counts 30-second steps from the epoch", () => {
    expect(TOTP_PERIOD_SECONDS).toBe(30);
    expect(timeStep(29_999)).toBe(0);
    expect(timeStep(30_000)).toBe(1);
  });

  it("makes 160-bit secrets and an otpauth:// URL authenticator apps read", () => {
    const secret = generateTotpSecret();
    expect(secret).toHaveLength(20);
    const url = new URL(otpauthUrl(secret, "ada lovelace", "Example Co"));
    expect(url.protocol).toBe("otpauth:");
    expect(url.host).toBe("totp");
    expect(decodeURIComponent(url.pathname)).toBe("/Example Co:ada lovelace");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      secret: base32Encode(secret),
      issuer: "Example Co",
      algorithm: "SHA1",
      digits: "6",
      period: "30",
    });
  });
});

describe("base32 (RFC 4648)", () => {
  it("encodes RFC 4648's test vectors without padding", () => {
    const cases: [string, string][] = [
      ["", ""],
      ["f", "MY"],
      ["fo", "MZXQ"],
      ["foo", "MZXW6"],
      ["foob", "MZXW6YQ"],
      ["fooba", "MZXW6YTB"],
      ["foobar", "MZXW6YTBOI"],
    ];
    for (const [plain, encoded] of cases) {
      expect(base32Encode(new TextEncoder().encode(plain))).toBe(encoded);
      expect(new TextDecoder().decode(base32Decode(encoded) ?? undefined)).toBe(plain);
    }
  });

  it("decodes in any case, with or without padding, and refuses other characters", () => {
    expect(new TextDecoder().decode(base32Decode("mzxw6ytboi======") ?? undefined)).toBe("foobar");
    expect(base32Decode("MZXW1")).toBeNull();
  });
});
