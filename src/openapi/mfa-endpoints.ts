/** The OpenAPI entries of the second-factor and passkey endpoints, from the routes' own request schemas. */
import { loginMfaFields } from "../routes/login-mfa";
import { recoveryCodesFields, totpConfirmFields, totpDisableFields } from "../routes/mfa";
import type { Endpoint } from "./document";
import { MfaStatusSchema, RecoveryCodesSchema, TotpEnrolmentSchema } from "./mfa-schemas";
import { DetailSchema, FieldErrorsSchema, LoginResponseSchema } from "./schemas";

const fieldErrors = { description: "Validation failed (DRF field errors)", schema: FieldErrorsSchema };
const throttled = {
  description: "Throttled: `Request was throttled. Expected available in N seconds.` with `Retry-After`",
  schema: DetailSchema,
};
const PASSWORD_EXAMPLE = "correct horse battery staple";

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
    body: { schema: loginMfaFields, example: { mfa_token: "Q8sT2vX5yZ1aB4cD7eF0gH3iJ6kL9mN2", code: "287082" } },
    responses: {
      200: { description: "Signed in", schema: LoginResponseSchema },
      400: {
        description: '`{"code":["Invalid code."]}` or `{"mfa_token":["Invalid value"]}`',
        schema: FieldErrorsSchema,
      },
      429: throttled,
    },
  },
];
