/**
 * `passkeys/`: registering, listing, renaming and deleting a user's passkeys, and passwordless sign-in with a
 * discoverable one (`passkeys/login/options/`, `passkeys/login/`). Challenges are kept in D1, single use, for
 * five minutes. Adding or removing a passkey revokes the user's other tokens and mails a security notice.
 */
import { Hono } from "hono";
import { z } from "zod";
import { isoTimestamp } from "../auth/expiry";
import { canonicalUsername } from "../auth/identity";
import { randomBase62 } from "../auth/random";
import type { AppEnv } from "../context";
import type { PasskeyRow } from "../db/schema";
import { detailError, fieldErrors, NOT_FOUND, nonFieldError } from "../errors";
import { readData } from "../http/body";
import { charField, parseFields, requireValid } from "../http/fields";
import { refuseIfThrottled } from "../http/throttle";
import { issueLoginSession } from "../mfa/second-step";
import { factorChanged } from "../mfa/security-notice";
import {
  acceptAssertion,
  creationOptions,
  credentialField,
  INVALID_CREDENTIAL,
  requestOptions,
  verifyRegistration,
} from "../mfa/webauthn";
import { authenticate, enforceLoginCsrf } from "../middleware/authenticate";
import {
  addPasskey,
  deletePasskey,
  findPasskeyByCredentialId,
  listPasskeys,
  renamePasskey,
  saveChallenge,
  spendLoginChallenge,
  spendRegistrationChallenge,
} from "../store/passkeys";
import { findUserById } from "../store/users";

const NAME_MAX_LENGTH = 64;
const DEFAULT_NAME = "Passkey";
const BAD_CREDENTIALS = "Unable to log in with provided credentials.";
/** Random ids: public, and reveal nothing about other users' passkeys. */
const ID_LENGTH = 16;

export const passkeyFields = z.object({
  credential: credentialField(),
  name: charField({ maxLength: NAME_MAX_LENGTH, allowBlank: true }).optional(),
});
export const passkeyRenameFields = z.object({ name: charField({ maxLength: NAME_MAX_LENGTH }) });
export const passkeyLoginFields = z.object({
  challenge_id: charField({ maxLength: 64 }),
  credential: credentialField(),
});

export const passkeyRoutes = new Hono<AppEnv>();

const requireToken = authenticate();
/** The passwordless sign-in's two steps: the only passkey paths open without a token. */
const PASSWORDLESS = /\/passkeys\/login(\/options)?\/?$/;
passkeyRoutes.use("/passkeys", requireToken);
passkeyRoutes.use("/passkeys/*", (c, next) =>
  c.req.method === "POST" && PASSWORDLESS.test(c.req.path) ? next() : requireToken(c, next),
);

passkeyRoutes.post("/passkeys/register/options", async (c) => {
  const { user } = c.get("session");
  const db = c.get("db");
  const { options, expiresMs } = await creationOptions(c, user, await listPasskeys(db, user.id));
  await saveChallenge(db, {
    id: randomBase62(ID_LENGTH),
    purpose: "register",
    userId: user.id,
    challenge: options.challenge,
    expiresMs,
  });
  return c.json(options);
});

passkeyRoutes.post("/passkeys", async (c) => {
  const { user, sessionId } = c.get("session");
  const db = c.get("db");
  const { credential, name } = requireValid(
    parseFields(passkeyFields, await readData(c, c.get("config").maxBodyBytes)),
  );
  const verified = await verifyRegistration(c, credential, (challenge) =>
    spendRegistrationChallenge(db, user.id, challenge, c.get("now")),
  );
  if (!verified) throw fieldErrors({ credential: [INVALID_CREDENTIAL] });
  const passkey = {
    id: randomBase62(ID_LENGTH),
    userId: user.id,
    ...verified,
    name: name || DEFAULT_NAME,
    createdMs: c.get("now"),
  };
  const revoked = await addPasskey(db, passkey, sessionId);
  if (revoked === null) throw fieldErrors({ credential: ["This passkey is already registered."] });
  await factorChanged(c, user, "passkey_added", revoked);
  return c.json(passkeyJson({ ...passkey, lastUsedMs: null }), 201);
});

passkeyRoutes.get("/passkeys", async (c) => {
  const rows = await listPasskeys(c.get("db"), c.get("session").user.id);
  return c.json(rows.map(passkeyJson));
});

// Another user's passkey and an unknown id get the same 404.
passkeyRoutes.patch("/passkeys/:id", async (c) => {
  const { name } = requireValid(parseFields(passkeyRenameFields, await readData(c, c.get("config").maxBodyBytes)));
  const row = await renamePasskey(c.get("db"), c.get("session").user.id, c.req.param("id"), name);
  if (!row) throw detailError(404, NOT_FOUND);
  return c.json(passkeyJson(row));
});

passkeyRoutes.delete("/passkeys/:id", async (c) => {
  const { user, sessionId } = c.get("session");
  const revoked = await deletePasskey(c.get("db"), user.id, c.req.param("id"), sessionId);
  if (revoked === null) throw detailError(404, NOT_FOUND);
  await factorChanged(c, user, "passkey_removed", revoked);
  return c.body(null, 204);
});

passkeyRoutes.post("/passkeys/login/options", async (c) => {
  const { options, expiresMs } = await requestOptions(c, []);
  const id = randomBase62(32);
  await saveChallenge(c.get("db"), { id, purpose: "login", userId: null, challenge: options.challenge, expiresMs });
  return c.json({ challenge_id: id, options });
});

// Passwordless: a verified discoverable passkey is both factors at once, so no second step follows.
passkeyRoutes.post("/passkeys/login", async (c) => {
  // It sets the auth cookie: the login-CSRF rule of login/.
  enforceLoginCsrf(c);
  const data = await readData(c, c.get("config").maxBodyBytes);
  const { challenge_id, credential } = requireValid(parseFields(passkeyLoginFields, data));
  const db = c.get("db");
  const passkey = await findPasskeyByCredentialId(db, credential.id);
  const owner = passkey ? await findUserById(db, passkey.userId) : undefined;
  // Failures count against the passkey owner's account (as a password login's would) and the client IP.
  const { throttle } = c.get("auth");
  const account = owner ? canonicalUsername(owner.username) : null;
  // Counted before the assertion is checked, as login/ does: a failure keeps its place.
  const reservation = await throttle.reserveLogin(account, false, c.req.header("cf-connecting-ip"));
  refuseIfThrottled(reservation);
  // Spent first, whatever follows: a challenge is answered once.
  const challenge = await spendLoginChallenge(db, challenge_id, c.get("now"));
  const accepted =
    challenge !== null && passkey && owner?.isActive && (await acceptAssertion(c, credential, challenge, passkey));
  if (!accepted || !owner) throw nonFieldError(BAD_CREDENTIALS);
  if (c.get("config").emailVerification === "mandatory" && !owner.emailVerified) {
    await throttle.releaseLogin(reservation);
    throw nonFieldError("E-mail is not verified.");
  }
  return issueLoginSession(c, owner, null, reservation);
});

function passkeyJson(row: PasskeyRow) {
  return {
    id: row.id,
    name: row.name,
    created: isoTimestamp(row.createdMs),
    last_used: row.lastUsedMs === null ? null : isoTimestamp(row.lastUsedMs),
  };
}
