import { describe, expect, it } from "vitest";
import {
  MfaRequiredSchema,
  MfaStatusSchema,
  PasskeyLoginOptionsSchema,
  PasskeySchema,
  RecoveryCodesSchema,
  TotpEnrolmentSchema,
  WebAuthnOptionsSchema,
} from "../../src/openapi/mfa-schemas";
import { call } from "../helpers";

interface Document {
  components: { schemas: Record<string, { example?: unknown }> };
}

describe("GET /openapi.json: second factors and passkeys", () => {
  it("has response examples that validate against their schemas", async () => {
    const document = (await (await call("/openapi.json")).json()) as Document;
    const schemas = {
      MfaStatus: MfaStatusSchema,
      TotpEnrolment: TotpEnrolmentSchema,
      RecoveryCodes: RecoveryCodesSchema,
      MfaRequired: MfaRequiredSchema,
      Passkey: PasskeySchema,
      WebAuthnOptions: WebAuthnOptionsSchema,
      PasskeyLoginOptions: PasskeyLoginOptionsSchema,
    };
    for (const [component, schema] of Object.entries(schemas)) {
      const example = document.components.schemas[component]?.example;
      expect(example, component).toBeDefined();
      expect(schema.safeParse(example).success, component).toBe(true);
    }
  });
});
