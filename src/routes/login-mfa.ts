/**
 * The second step of a login. With a factor active, a correct password earns a single-use `mfa_token`
 * (5 minutes) instead of a key; `login/mfa/` exchanges it, with a TOTP code, a recovery code or a passkey
 * assertion (options from `login/mfa/webauthn/options/`), for the login body. Wrong codes count as failed
 * logins against the same throttles as the password did.
 */

import type { Context } from "hono";
import { Hono } from "hono";
import { z } from "zod";
import { sha256Hex } from "../auth/digest";
import type { AppEnv } from "../context";
import { type FieldErrors, fieldErrors, nonFieldError } from "../errors";
import { readData } from "../http/body";
import { charField, parseFields, requireValid } from "../http/fields";
import { refuseIfThrottled } from "../http/throttle";
import { acceptRecoveryCode, acceptTotpCode, INVALID_CODE, isTotpShaped } from "../mfa/second-factor";
import { issueLoginSession } from "../mfa/second-step";
import {
  acceptAssertion,
  type CredentialJson,
  credentialField,
  INVALID_CREDENTIAL,
  requestOptions,
} from "../mfa/webauthn";
import { enforceLoginCsrf } from "../middleware/authenticate";
import { consumeMfaLogin, findMfaLogin, setMfaLoginChallenge, spendMfaLoginChallenge } from "../store/mfa";
import { findPasskeyByCredentialId, listPasskeys } from "../store/passkeys";
import { findUserById } from "../store/users";

const INVALID_VALUE = "Invalid value";

export const loginMfaFields = z.object({
  mfa_token: charField({ maxLength: 64 }),
  code: charField({ maxLength: 64 }).optional(),
  webauthn: credentialField().optional(),
});
export const loginMfaOptionsFields = z.object({ mfa_token: charField({ maxLength: 64 }) });

export const loginMfaRoutes = new Hono<AppEnv>();

loginMfaRoutes.post("/login/mfa", async (c) => {
  // It sets the auth cookie: the login-CSRF rule of login/.
  enforceLoginCsrf(c);
  const data = await readData(c, c.get("config").maxBodyBytes);
  const { mfa_token, code, webauthn } = requireValid(parseFields(loginMfaFields, data));
  const db = c.get("db");
  const tokenDigest = sha256Hex(mfa_token);
  const pending = await findMfaLogin(db, tokenDigest, c.get("now"));
  if (!pending) throw fieldErrors({ mfa_token: [INVALID_VALUE] });
  if (code === undefined && webauthn === undefined) throw nonFieldError('Must include either "code" or "webauthn".');
  const user = await findUserById(db, pending.userId);
  if (!user?.isActive) throw fieldErrors({ mfa_token: [INVALID_VALUE] });
  // Counted before the code is checked, as login/ counts passwords: a wrong code keeps its place.
  const reservation = await c
    .get("auth")
    .throttle.reserveLogin(pending.account, false, c.req.header("cf-connecting-ip"));
  refuseIfThrottled(reservation);

  let failure: FieldErrors | null = null;
  if (code !== undefined) {
    const accepted = isTotpShaped(code) ? acceptTotpCode(c, user.id, code) : acceptRecoveryCode(c, user.id, code);
    if (!(await accepted)) failure = { code: [INVALID_CODE] };
  } else if (webauthn !== undefined && !(await acceptSecondStepPasskey(c, pending, webauthn))) {
    failure = { webauthn: [INVALID_CREDENTIAL] };
  }
  if (failure) throw fieldErrors(failure);
  // Single use: of two requests racing with good codes, one signs in (the other's place is given back).
  if (!(await consumeMfaLogin(db, tokenDigest, c.get("now")))) {
    await c.get("auth").throttle.releaseLogin(reservation);
    throw fieldErrors({ mfa_token: [INVALID_VALUE] });
  }
  return issueLoginSession(c, user, pending.client, reservation);
});

loginMfaRoutes.post("/login/mfa/webauthn/options", async (c) => {
  const data = await readData(c, c.get("config").maxBodyBytes);
  const { mfa_token } = requireValid(parseFields(loginMfaOptionsFields, data));
  const db = c.get("db");
  const tokenDigest = sha256Hex(mfa_token);
  const pending = await findMfaLogin(db, tokenDigest, c.get("now"));
  if (!pending) throw fieldErrors({ mfa_token: [INVALID_VALUE] });
  const allowed = await listPasskeys(db, pending.userId);
  if (allowed.length === 0) throw nonFieldError("This account has no passkey.");
  const { options } = await requestOptions(c, allowed);
  // The challenge lives as long as the second step itself (5 minutes), and is replaced by a newer one.
  if (!(await setMfaLoginChallenge(db, tokenDigest, options.challenge, c.get("now"))))
    throw fieldErrors({ mfa_token: [INVALID_VALUE] });
  return c.json(options);
});

/** A passkey of the user answering this second step's challenge, spent whatever the outcome. */
async function acceptSecondStepPasskey(
  c: Context<AppEnv>,
  pending: { tokenDigest: string; userId: number; webauthnChallenge: string | null },
  credential: CredentialJson,
): Promise<boolean> {
  const challenge = pending.webauthnChallenge;
  if (!challenge) return false;
  if (!(await spendMfaLoginChallenge(c.get("db"), pending.tokenDigest, challenge, c.get("now")))) return false;
  const passkey = await findPasskeyByCredentialId(c.get("db"), credential.id);
  if (passkey?.userId !== pending.userId) return false;
  return acceptAssertion(c, credential, challenge, passkey);
}
