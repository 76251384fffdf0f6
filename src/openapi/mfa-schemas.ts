/** Response shapes of API.md's "Second factors and passkeys", for the OpenAPI document. */
import { z } from "@hono/zod-openapi";

export const MfaStatusSchema = z
  .object({ totp: z.boolean(), passkeys: z.number().int(), recovery_codes_left: z.number().int() })
  .openapi("MfaStatus", { example: { totp: true, passkeys: 1, recovery_codes_left: 10 } });

export const TotpEnrolmentSchema = z
  .object({
    secret: z.string().describe("Base32; shown once, for typing into an authenticator app"),
    otpauth_url: z.string().describe("The same secret as an `otpauth://totp/` URL, for a QR code"),
  })
  .openapi("TotpEnrolment", {
    example: {
      secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
      otpauth_url:
        "otpauth://totp/auth.example.com:ada?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=auth.example.com&algorithm=SHA1&digits=6&period=30",
    },
  });

export const RecoveryCodesSchema = z
  .object({ recovery_codes: z.array(z.string()).describe("Ten single-use codes, shown once") })
  .openapi("RecoveryCodes", {
    example: {
      recovery_codes: [
        "m3kq-7zta-p2xe-vb4d",
        "c6wn-hq2r-y7ud-s5fa",
        "t4pj-ke6x-w2mb-n7qc",
        "a5vr-g3dz-q6ny-h2lt",
        "x7cm-b4sf-j5ke-r3wo",
        "d2yh-n6tq-v4ga-m7pz",
        "k5ub-w3xr-c6ej-f2sd",
        "p7qa-l4mv-z2nh-y5tk",
        "e3gw-s6bc-h7xq-u4rj",
        "n2df-y5kp-a3tz-w6mv",
      ],
    },
  });

export const MfaRequiredSchema = z
  .object({
    mfa_required: z.literal(true),
    mfa_token: z.string().describe("Single use, 5 minutes: send it to `login/mfa/`"),
    methods: z.array(z.enum(["totp", "webauthn", "recovery_code"])),
  })
  .openapi("MfaRequired", {
    example: { mfa_required: true, mfa_token: "Q8sT2vX5yZ1aB4cD7eF0gH3iJ6kL9mN2", methods: ["totp", "recovery_code"] },
  });

export const PasskeySchema = z
  .object({ id: z.string(), name: z.string(), created: z.string(), last_used: z.string().nullable() })
  .openapi("Passkey", {
    example: { id: "pK4x9QmT2vL7nB3c", name: "Laptop", created: "2026-12-01T10:00:00.000000Z", last_used: null },
  });

export const WebAuthnOptionsSchema = z
  .object({ challenge: z.string() })
  .loose()
  .openapi("WebAuthnOptions", {
    description:
      "PublicKeyCredentialCreationOptionsJSON or PublicKeyCredentialRequestOptionsJSON (WebAuthn Level 3), for PublicKeyCredential.parseCreationOptionsFromJSON / parseRequestOptionsFromJSON or @simplewebauthn/browser",
    example: {
      challenge: "Uuw2RDkb93Vlt_zUwEJxki1OGEgN1p6T6CQ35NxVD0s",
      rpId: "auth.example.com",
      allowCredentials: [],
      userVerification: "required",
      timeout: 300000,
    },
  });

export const PasskeyLoginOptionsSchema = z
  .object({ challenge_id: z.string(), options: WebAuthnOptionsSchema })
  .openapi("PasskeyLoginOptions", {
    example: {
      challenge_id: "h7Kq2mX9pL4vT8nB3cZ6wR1yD5fG0jS2",
      options: {
        challenge: "Uuw2RDkb93Vlt_zUwEJxki1OGEgN1p6T6CQ35NxVD0s",
        rpId: "auth.example.com",
        allowCredentials: [],
        userVerification: "required",
        timeout: 300000,
      },
    },
  });
