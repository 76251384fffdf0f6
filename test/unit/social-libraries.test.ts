/**
 * The sign-in libraries run on workerd (this file runs in the Workers pool): jose signs and verifies ID tokens
 * against a key set, and arctic builds PKCE authorization URLs, both on the Web Crypto API only.
 */
import { CodeChallengeMethod, generateCodeVerifier, OAuth2Client } from "arctic";
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT } from "jose";
import { describe, expect, it } from "vitest";

describe("jose and arctic on workerd", () => {
  it("jose verifies an RS256 ID token against a JWKS and refuses one signed by another key", async () => {
    const { privateKey, publicKey } = await generateKeyPair("RS256");
    const other = await generateKeyPair("RS256");
    const jwks = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256" }] });
    const sign = (key: CryptoKey) =>
      new SignJWT({ nonce: "n" })
        .setProtectedHeader({ alg: "RS256", kid: "k1" })
        .setIssuer("https://idp.example")
        .setAudience("client")
        .setSubject("123")
        .setIssuedAt()
        .setExpirationTime("5m")
        .sign(key);
    const { payload } = await jwtVerify(await sign(privateKey), jwks, {
      issuer: "https://idp.example",
      audience: "client",
    });
    expect(payload.sub).toBe("123");
    await expect(jwtVerify(await sign(other.privateKey), jwks)).rejects.toThrow(/signature/);
  });

  it("arctic builds an S256 PKCE authorization URL", () => {
    const client = new OAuth2Client("client", null, "https://auth.example.com/cb");
    const verifier = generateCodeVerifier();
    const url = client.createAuthorizationURLWithPKCE(
      "https://idp.example/authorize",
      "state",
      CodeChallengeMethod.S256,
      verifier,
      ["openid"],
    );
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
