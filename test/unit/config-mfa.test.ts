import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config";

describe("parseConfig: second factors and passkeys", () => {
  it("defaults to no key and the request's own host as relying party", () => {
    expect(parseConfig({}).mfa).toEqual({ encryptionKey: null, rpId: null, rpName: null });
  });

  it("reads MFA_ENCRYPTION_KEY as 32 bytes of base64 and refuses anything else", () => {
    const key = btoa(String.fromCharCode(...new Uint8Array(32).fill(1)));
    expect(parseConfig({ MFA_ENCRYPTION_KEY: key }).mfa.encryptionKey).toEqual(new Uint8Array(32).fill(1));
    expect(() => parseConfig({ MFA_ENCRYPTION_KEY: "short" })).toThrow(/MFA_ENCRYPTION_KEY/);
    expect(() => parseConfig({ MFA_ENCRYPTION_KEY: btoa("sixteen bytes!!!") })).toThrow(/MFA_ENCRYPTION_KEY/);
  });

  it("reads WEBAUTHN_RP_ID as a bare host name and WEBAUTHN_RP_NAME as text", () => {
    const config = parseConfig({ WEBAUTHN_RP_ID: "Example.COM", WEBAUTHN_RP_NAME: " Example Co " });
    expect(config.mfa).toMatchObject({ rpId: "example.com", rpName: "Example Co" });
    for (const bad of ["https://example.com", "example.com:443", "example.com/x", "-bad.example"]) {
      expect(() => parseConfig({ WEBAUTHN_RP_ID: bad })).toThrow(/WEBAUTHN_RP_ID/);
    }
  });
});
