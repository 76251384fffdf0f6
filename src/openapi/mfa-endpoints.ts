import { z } from "@hono/zod-openapi";
/** The OpenAPI entries of the second-factor and passkey endpoints, from the routes' own request schemas. */
import { loginMfaFields, loginMfaOptionsFields } from "../routes/login-mfa";
import { recoveryCodesFields, totpConfirmFields, totpDisableFields } from "../routes/mfa";
import { passkeyFields, passkeyLoginFields, passkeyRenameFields } from "../routes/passkeys";
import type { Endpoint } from "./document";
import {
  MfaStatusSchema,
  PasskeyLoginOptionsSchema,
  PasskeySchema,
  RecoveryCodesSchema,
  TotpEnrolmentSchema,
  WebAuthnOptionsSchema,
} from "./mfa-schemas";
import { DetailSchema, FieldErrorsSchema, LoginResponseSchema } from "./schemas";

const fieldErrors = { description: "Validation failed (DRF field errors)", schema: FieldErrorsSchema };
const throttled = {
  description: "Throttled: `Request was throttled. Expected available in N seconds.` with `Retry-After`",
  schema: DetailSchema,
};
const PASSWORD_EXAMPLE = "correct horse battery staple";
const MFA_TOKEN_EXAMPLE = "Q8sT2vX5yZ1aB4cD7eF0gH3iJ6kL9mN2";
const REGISTRATION_EXAMPLE = {
  id: "mM1dUy8yHxkR9L2kUXAZ2w0G1Ux9Qh0t6PBCwvW6KEE",
  rawId: "mM1dUy8yHxkR9L2kUXAZ2w0G1Ux9Qh0t6PBCwvW6KEE",
  type: "public-key",
  response: {
    clientDataJSON: "eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIiwi...",
    attestationObject: "o2NmbXRkbm9uZWdh...",
    transports: ["internal"],
  },
  clientExtensionResults: {},
  authenticatorAttachment: "platform",
};
const ASSERTION_EXAMPLE = {
  ...REGISTRATION_EXAMPLE,
  response: {
    clientDataJSON: "eyJ0eXBlIjoid2ViYXV0aG4uZ2V0Iiwi...",
    authenticatorData: "SZYN5YgOjGh0NBcPZHZgW4_krrmihjLHmVzzuoMdl2MFAAAAAQ",
    signature: "MEUCIQD...",
    userHandle: "Zm9vYmFy",
  },
};
const notFound = { description: "Not one of the user's passkeys", schema: DetailSchema };

export const MFA_ENDPOINTS: Endpoint[] = [
  {
    method: "get",
    path: "/auth/mfa/",
    summary: "Which second factors the user has",
    auth: true,
    responses: { 200: { description: "Factors", schema: MfaStatusSchema } },
  },
  {
    method: "post",
    path: "/auth/mfa/totp/",
    summary: "Start TOTP enrolment: a new secret, pending until confirmed (replaces a pending one)",
    auth: true,
    responses: {
      200: { description: "The secret, shown once", schema: TotpEnrolmentSchema },
      400: { description: '`{"non_field_errors":["TOTP is already active."]}`', schema: FieldErrorsSchema },
    },
  },
  {
    method: "post",
    path: "/auth/mfa/totp/confirm/",
    summary: "Activate TOTP with a current code; every other device is signed out",
    auth: true,
    body: { schema: totpConfirmFields, example: { code: "287082" } },
    responses: {
      200: { description: "Ten recovery codes, shown once", schema: RecoveryCodesSchema },
      400: { description: '`{"code":["Invalid code."]}`, or nothing pending', schema: FieldErrorsSchema },
    },
  },
  {
    method: "delete",
    path: "/auth/mfa/totp/",
    summary: "Disable TOTP with the password or a current code; every other device is signed out",
    auth: true,
    body: { schema: totpDisableFields, example: { password: PASSWORD_EXAMPLE } },
    responses: {
      204: { description: "Disabled" },
      400: fieldErrors,
      404: { description: "TOTP is not active", schema: DetailSchema },
      429: throttled,
    },
  },
  {
    method: "post",
    path: "/auth/mfa/recovery-codes/",
    summary: "A new set of recovery codes (the old ones stop working); every other device is signed out",
    auth: true,
    body: { schema: recoveryCodesFields, example: { password: PASSWORD_EXAMPLE } },
    responses: {
      200: { description: "Ten recovery codes, shown once", schema: RecoveryCodesSchema },
      400: fieldErrors,
      429: throttled,
    },
  },
  {
    method: "post",
    path: "/auth/login/mfa/",
    summary: "Second step of a login: the mfa_token with a TOTP code, a recovery code or a passkey assertion",
    auth: false,
    body: { schema: loginMfaFields, example: { mfa_token: MFA_TOKEN_EXAMPLE, code: "287082" } },
    responses: {
      200: { description: "Signed in", schema: LoginResponseSchema },
      400: {
        description: '`{"code":["Invalid code."]}`, `{"webauthn":[...]}` or `{"mfa_token":["Invalid value"]}`',
        schema: FieldErrorsSchema,
      },
      429: throttled,
    },
  },
  {
    method: "post",
    path: "/auth/login/mfa/webauthn/options/",
    summary: "Request options for answering a login's second step with a passkey",
    auth: false,
    body: { schema: loginMfaOptionsFields, example: { mfa_token: MFA_TOKEN_EXAMPLE } },
    responses: {
      200: {
        description: "PublicKeyCredentialRequestOptionsJSON (the user's passkeys)",
        schema: WebAuthnOptionsSchema,
      },
      400: fieldErrors,
    },
  },
  {
    method: "post",
    path: "/auth/passkeys/register/options/",
    summary: "Creation options for a new passkey (the challenge is single use, 5 minutes)",
    auth: true,
    responses: { 200: { description: "PublicKeyCredentialCreationOptionsJSON", schema: WebAuthnOptionsSchema } },
  },
  {
    method: "post",
    path: "/auth/passkeys/",
    summary: "Register a passkey from navigator.credentials.create(); every other device is signed out",
    auth: true,
    body: { schema: passkeyFields, example: { credential: REGISTRATION_EXAMPLE, name: "Laptop" } },
    responses: {
      201: { description: "The passkey", schema: PasskeySchema },
      400: { description: '`{"credential":["The passkey could not be verified."]}`', schema: FieldErrorsSchema },
    },
  },
  {
    method: "get",
    path: "/auth/passkeys/",
    summary: "The user's passkeys",
    auth: true,
    responses: { 200: { description: "Oldest first", schema: z.array(PasskeySchema) } },
  },
  {
    method: "patch",
    path: "/auth/passkeys/{id}/",
    summary: "Rename a passkey",
    auth: true,
    body: { schema: passkeyRenameFields, example: { name: "Phone" } },
    responses: { 200: { description: "The passkey", schema: PasskeySchema }, 400: fieldErrors, 404: notFound },
  },
  {
    method: "delete",
    path: "/auth/passkeys/{id}/",
    summary: "Delete a passkey; every other device is signed out",
    auth: true,
    responses: { 204: { description: "Deleted" }, 404: notFound },
  },
  {
    method: "post",
    path: "/auth/passkeys/login/options/",
    summary: "Start a passwordless sign-in: request options for a discoverable passkey",
    auth: false,
    responses: { 200: { description: "`challenge_id` and the options", schema: PasskeyLoginOptionsSchema } },
  },
  {
    method: "post",
    path: "/auth/passkeys/login/",
    summary: "Passwordless sign-in with a passkey (no second step)",
    auth: false,
    body: {
      schema: passkeyLoginFields,
      example: { challenge_id: "h7Kq2mX9pL4vT8nB3cZ6wR1yD5fG0jS2", credential: ASSERTION_EXAMPLE },
    },
    responses: {
      200: { description: "Signed in", schema: LoginResponseSchema },
      400: {
        description: '`{"non_field_errors":["Unable to log in with provided credentials."]}`',
        schema: FieldErrorsSchema,
      },
      429: throttled,
    },
  },
];
