import { decode, verify } from "hono/jwt";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ASSERTION_LIFETIME_SECONDS, signAssertion } from "../../src/gateway/assertion";
import { parseSigningJwk, type SigningKey } from "../../src/gateway/signing-key";

afterEach(() => {
  vi.restoreAllMocks();
});

async function newKey(algorithm: "Ed25519" | "P-256"): Promise<SigningKey> {
  const pair = (await crypto.subtle.generateKey(
    algorithm === "Ed25519" ? { name: "Ed25519" } : { name: "ECDSA", namedCurve: "P-256" },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
  const jwk = (await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey;
  const key = parseSigningJwk(JSON.stringify({ ...jwk, kid: `test-${algorithm}` }), true);
  if (!key) throw new Error("no key parsed");
  return key;
}

const SUBJECT = { userId: 42, username: "ada", sessionId: "s3ss10n" };
const NOW_MS = Date.UTC(2026, 11, 1, 10, 0, 0);

describe("signAssertion", () => {
  it.each(["Ed25519", "P-256"] as const)("signs a JWT with %s that verifies against the public JWK", async (curve) => {
    const key = await newKey(curve);
    const token = await signAssertion(key, SUBJECT, "https://auth.example", "https://api.example", NOW_MS);
    const { header, payload } = decode(token);
    expect(header).toEqual({ alg: key.privateJwk.alg, typ: "JWT", kid: `test-${curve}` });
    const iat = NOW_MS / 1000;
    expect(payload).toEqual({
      iss: "https://auth.example",
      aud: "https://api.example",
      sub: "42",
      sid: "s3ss10n",
      username: "ada",
      iat,
      exp: iat + ASSERTION_LIFETIME_SECONDS,
    });
    // The signature itself: verified with the public key only, its time checks off (the clock is fixed above).
    const checked = verify(token, key.publicJwk, { alg: key.privateJwk.alg, exp: false, iat: false, nbf: false });
    await expect(checked).resolves.toMatchObject({ sub: "42" });
    const tampered = `${token.slice(0, token.lastIndexOf(".") - 2)}AA${token.slice(token.lastIndexOf("."))}`;
    await expect(
      verify(tampered, key.publicJwk, { alg: key.privateJwk.alg, exp: false, iat: false }),
    ).rejects.toThrow();
  });

  it("imports the private key once, not on every request", async () => {
    const key = await newKey("Ed25519");
    const imports = vi.spyOn(crypto.subtle, "importKey");
    for (let i = 0; i < 3; i++) await signAssertion(key, SUBJECT, "https://a.example", "https://b.example", NOW_MS);
    expect(imports).toHaveBeenCalledTimes(1);
  });
});
