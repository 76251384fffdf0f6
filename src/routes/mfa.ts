/**
 * `mfa/`, `mfa/totp/`, `mfa/totp/confirm/` and `mfa/recovery-codes/`: a signed-in user's second factors.
 * TOTP is pending until a code confirms it; confirming hands out ten recovery codes (shown once). Every change
 * of a factor revokes the user's other tokens and mails a security notice.
 */
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../context";
import { detailError, fieldErrors, NOT_FOUND, nonFieldError } from "../errors";
import { readData } from "../http/body";
import { charField, parseFields, requireValid } from "../http/fields";
import { base32Encode } from "../mfa/base32";
import { mfaEncryptionKey } from "../mfa/mfa-key";
import { generateRecoveryCodes, recoveryCodeDigest } from "../mfa/recovery-codes";
import { relyingParty } from "../mfa/relying-party";
import { cleanTotpCode, INVALID_CODE, openTotpSecret, requireReauthentication, totpOwner } from "../mfa/second-factor";
import { sealSecret } from "../mfa/secret-box";
import { factorChanged } from "../mfa/security-notice";
import { generateTotpSecret, matchingTimeStep, otpauthUrl } from "../mfa/totp";
import { authenticate } from "../middleware/authenticate";
import {
  confirmTotp,
  deleteTotp,
  findTotp,
  hasSecondFactor,
  readMfaState,
  replaceRecoveryCodes,
  savePendingTotp,
} from "../store/mfa";

/** Longer than any code typed by hand (a recovery code with separators is 19 characters). */
const CODE_MAX_LENGTH = 64;
const PASSWORD_MAX_LENGTH = 128;

export const totpConfirmFields = z.object({ code: charField({ maxLength: CODE_MAX_LENGTH }) });
export const totpDisableFields = z.object({
  password: charField({ maxLength: PASSWORD_MAX_LENGTH }).optional(),
  code: charField({ maxLength: CODE_MAX_LENGTH }).optional(),
});
export const recoveryCodesFields = z.object({ password: charField({ maxLength: PASSWORD_MAX_LENGTH }) });

const ALREADY_ACTIVE = "TOTP is already active.";

export const mfaRoutes = new Hono<AppEnv>();

mfaRoutes.use("/mfa", authenticate());
mfaRoutes.use("/mfa/*", authenticate());

mfaRoutes.get("/mfa", async (c) => {
  const state = await readMfaState(c.get("db"), c.get("session").user.id);
  return c.json({ totp: state.totpActive, passkeys: state.passkeys, recovery_codes_left: state.recoveryCodesLeft });
});

mfaRoutes.post("/mfa/totp", async (c) => {
  const { user } = c.get("session");
  const existing = await findTotp(c.get("db"), user.id);
  if (existing?.confirmedMs != null) throw nonFieldError(ALREADY_ACTIVE);
  const secret = generateTotpSecret();
  const sealed = await sealSecret(mfaEncryptionKey(c), secret, totpOwner(user.id));
  if (!(await savePendingTotp(c.get("db"), user.id, sealed, c.get("now")))) throw nonFieldError(ALREADY_ACTIVE);
  const issuer = relyingParty(c).name;
  return c.json({ secret: base32Encode(secret), otpauth_url: otpauthUrl(secret, user.username, issuer) });
});

mfaRoutes.post("/mfa/totp/confirm", async (c) => {
  const { user, sessionId } = c.get("session");
  const { code } = requireValid(parseFields(totpConfirmFields, await readData(c, c.get("config").maxBodyBytes)));
  const pending = await findTotp(c.get("db"), user.id);
  if (!pending) throw nonFieldError("No TOTP enrolment is pending.");
  if (pending.confirmedMs !== null) throw nonFieldError(ALREADY_ACTIVE);
  const secret = await openTotpSecret(c, user.id, pending.secretSealed);
  const step = await matchingTimeStep(secret, cleanTotpCode(code), c.get("now"));
  if (step === null) throw fieldErrors({ code: [INVALID_CODE] });
  const codes = generateRecoveryCodes();
  const revoked = await confirmTotp(
    c.get("db"),
    user.id,
    pending.secretSealed,
    step,
    codes.map(recoveryCodeDigest),
    c.get("now"),
    sessionId,
  );
  // Another request confirmed or replaced the secret meanwhile: this code confirmed nothing.
  if (revoked === null) throw fieldErrors({ code: [INVALID_CODE] });
  await factorChanged(c, user, "totp_enabled", revoked);
  return c.json({ recovery_codes: codes });
});

mfaRoutes.delete("/mfa/totp", async (c) => {
  const { user, sessionId } = c.get("session");
  const proof = requireValid(parseFields(totpDisableFields, await readData(c, c.get("config").maxBodyBytes)));
  if (proof.password === undefined && proof.code === undefined)
    throw nonFieldError('Must include either "password" or "code".');
  const totp = await findTotp(c.get("db"), user.id);
  if (!totp || totp.confirmedMs === null) throw detailError(404, NOT_FOUND);
  await requireReauthentication(c, user, proof);
  // Found active just above; null here means a concurrent request removed it: the tokens it revoked are gone too.
  const revoked = (await deleteTotp(c.get("db"), user.id, sessionId)) ?? [];
  await factorChanged(c, user, "totp_disabled", revoked);
  return c.body(null, 204);
});

mfaRoutes.post("/mfa/recovery-codes", async (c) => {
  const { user, sessionId } = c.get("session");
  const { password } = requireValid(parseFields(recoveryCodesFields, await readData(c, c.get("config").maxBodyBytes)));
  // Recovery codes stand in for a factor; without one they would be a second password.
  if (!hasSecondFactor(await readMfaState(c.get("db"), user.id)))
    throw nonFieldError("Recovery codes need an active second factor.");
  await requireReauthentication(c, user, { password });
  const codes = generateRecoveryCodes();
  const revoked = await replaceRecoveryCodes(
    c.get("db"),
    user.id,
    codes.map(recoveryCodeDigest),
    c.get("now"),
    sessionId,
  );
  await factorChanged(c, user, "recovery_codes_regenerated", revoked);
  return c.json({ recovery_codes: codes });
});
