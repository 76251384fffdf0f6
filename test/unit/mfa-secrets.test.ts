import { describe, expect, it } from "vitest";
import { generateRecoveryCodes, normalizeRecoveryCode, RECOVERY_CODE_COUNT } from "../../src/mfa/recovery-codes";
import { DEVELOPMENT_MFA_KEY, openSecret, parseEncryptionKey, sealSecret } from "../../src/mfa/secret-box";

const KEY = parseEncryptionKey(btoa(String.fromCharCode(...new Uint8Array(32).fill(7)))) as Uint8Array;
const SECRET = new TextEncoder().encode("12345678901234567890");

describe("TOTP secrets at rest (AES-256-GCM)", () => {
  it("round-trips, with a fresh nonce each time", async () => {
    const first = await sealSecret(KEY, SECRET, "totp:1");
    const second = await sealSecret(KEY, SECRET, "totp:1");
    expect(first).not.toBe(second);
    expect(first).toMatch(/^v1\.[\w-]+\.[\w-]+$/);
    expect(first).not.toContain(btoa("12345678901234567890").slice(0, 10));
    expect(await openSecret(KEY, first, "totp:1")).toEqual(SECRET);
  });

  it("refuses another key, another owner (associated data) and tampered ciphertext", async () => {
    const sealed = await sealSecret(KEY, SECRET, "totp:1");
    expect(await openSecret(DEVELOPMENT_MFA_KEY, sealed, "totp:1")).toBeNull();
    expect(await openSecret(KEY, sealed, "totp:2")).toBeNull();
    const [version, iv, body] = sealed.split(".") as [string, string, string];
    const flipped = `${body.slice(0, -2)}${body.at(-2) === "A" ? "B" : "A"}${body.at(-1)}`;
    expect(await openSecret(KEY, `${version}.${iv}.${flipped}`, "totp:1")).toBeNull();
    expect(await openSecret(KEY, "garbage", "totp:1")).toBeNull();
  });

  it("reads the key as 32 bytes of base64 or base64url and refuses anything else", () => {
    const bytes = new Uint8Array(32).map((_, index) => index * 8 + 3);
    const standard = btoa(String.fromCharCode(...bytes));
    expect(parseEncryptionKey(standard)).toEqual(bytes);
    expect(parseEncryptionKey(standard.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""))).toEqual(bytes);
    expect(parseEncryptionKey(btoa("too short"))).toBeNull();
    expect(parseEncryptionKey("not base64 at all!")).toBeNull();
  });
});

describe("recovery codes", () => {
  it("makes ten distinct codes of about 80 bits, grouped for reading", () => {
    const codes = generateRecoveryCodes();
    expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
    expect(new Set(codes).size).toBe(RECOVERY_CODE_COUNT);
    for (const code of codes) expect(code).toMatch(/^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/);
  });

  it("reads a code however it is typed: case, spaces and dashes do not matter", () => {
    expect(normalizeRecoveryCode(" ABCD-efgh ijkl-MNOP ")).toBe("abcdefghijklmnop");
    expect(normalizeRecoveryCode("abcdefghijklmnop")).toBe("abcdefghijklmnop");
  });
});
