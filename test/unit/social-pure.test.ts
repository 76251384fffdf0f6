import { describe, expect, it } from "vitest";
import { parseMetadata } from "../../src/social/discovery";
import { openFlow, sealFlow } from "../../src/social/flow-cookie";
import { profileFromClaims } from "../../src/social/id-token";
import { firstFree, usernameBase, usernameCandidates } from "../../src/social/username";

const KEY = "unit-test-cookie-key-0123456789abcdef";
const NOW = Date.UTC(2026, 11, 1);
const FLOW = { provider: "google", state: "s", codeVerifier: "v", nonce: "n", expiresMs: NOW + 600_000 };

describe("usernames for new accounts", () => {
  it("come from the provider's suggestion, else the e-mail's local part, in Django's characters", () => {
    expect(usernameBase("ada.lovelace@example.com", null)).toBe("ada.lovelace");
    expect(usernameBase("ada@example.com", "octocat")).toBe("octocat");
    expect(usernameBase("o'brien+tag@example.com", null)).toBe("obrien+tag");
    expect(usernameBase("élodie@example.com", null)).toBe("élodie");
    expect(usernameBase("!!!@example.com", "   ")).toBe("user");
    expect(usernameBase(null, null)).toBe("user");
    expect([...usernameBase(`${"a".repeat(200)}@example.com`, null)].length).toBe(140);
  });

  it("are made unique with a number, case-insensitively, then at random", () => {
    const candidates = usernameCandidates("ada");
    expect(candidates.slice(0, 3)).toEqual(["ada", "ada2", "ada3"]);
    expect(firstFree(candidates, new Set(["ada"]))).toBe("ada2");
    expect(firstFree(["Ada", "Ada2"], new Set(["ada"]))).toBe("Ada2");
    const all = new Set(candidates.map((name) => name.toLowerCase()));
    expect(firstFree(candidates, all)).toMatch(/^ada[0-9A-Za-z]{12}$/);
  });
});

describe("the browser flow's signed cookie", () => {
  it("opens what it sealed, until it expires", async () => {
    const sealed = await sealFlow(FLOW, KEY);
    expect(await openFlow(sealed, KEY, NOW)).toEqual(FLOW);
    expect(await openFlow(sealed, KEY, FLOW.expiresMs)).toBeNull();
  });

  it("refuses a changed payload, a changed signature, another key and garbage", async () => {
    const sealed = await sealFlow(FLOW, KEY);
    const [body, signature] = sealed.split(".") as [string, string];
    const other = await sealFlow({ ...FLOW, state: "attacker" }, KEY);
    expect(await openFlow(`${other.split(".")[0]}.${signature}`, KEY, NOW)).toBeNull();
    expect(await openFlow(`${body}.${signature.slice(0, -2)}AA`, KEY, NOW)).toBeNull();
    expect(await openFlow(sealed, `${KEY}x`, NOW)).toBeNull();
    for (const junk of [undefined, "", ".", "a.b", "a.b.c", `${body}.`, "%%%.%%%"]) {
      expect(await openFlow(junk, KEY, NOW)).toBeNull();
    }
  });
});

describe("discovery documents", () => {
  const document = {
    issuer: "https://idp.example",
    authorization_endpoint: "https://idp.example/authorize",
    token_endpoint: "https://idp.example/token",
    jwks_uri: "https://idp.example/jwks",
  };

  it("must name exactly the configured issuer and carry absolute endpoints", () => {
    expect(parseMetadata("https://idp.example", document).jwksUri).toBe("https://idp.example/jwks");
    expect(() => parseMetadata("https://idp.example/", document)).toThrow(/issuer/);
    expect(() => parseMetadata("https://idp.example", { ...document, issuer: "https://evil.example" })).toThrow();
    expect(() => parseMetadata("https://idp.example", { ...document, jwks_uri: "/jwks" })).toThrow(/jwks_uri/);
  });
});

describe("profiles from verified claims", () => {
  it('count an e-mail as verified only on an explicit true (Apple\'s string "true" too)', () => {
    const claims = (extra: Record<string, unknown>) => ({ sub: "1", email: "a@example.com", ...extra });
    expect(profileFromClaims("i", claims({ email_verified: true })).emailVerified).toBe(true);
    expect(profileFromClaims("i", claims({ email_verified: "true" })).emailVerified).toBe(true);
    expect(profileFromClaims("i", claims({ email_verified: "false" })).emailVerified).toBe(false);
    expect(profileFromClaims("i", claims({ email_verified: 1 })).emailVerified).toBe(false);
    expect(profileFromClaims("i", claims({})).emailVerified).toBe(false);
    expect(profileFromClaims("i", { sub: "1", email_verified: true })).toMatchObject({
      email: null,
      emailVerified: false,
    });
  });
});
