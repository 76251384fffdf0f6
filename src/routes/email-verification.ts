/**
 * E-mail verification (allauth's flow behind dj-rest-auth): `registration/verify-email/` spends a mailed
 * key, `registration/resend-email/` mails a new one. Keys are random, stored as digests, and expire.
 */
import { Hono } from "hono";
import { z } from "zod";
import { sha256Hex } from "../auth/digest";
import { canonicalEmail } from "../auth/identity";
import type { AppEnv } from "../context";
import { detailError, NOT_FOUND } from "../errors";
import { recordActivity } from "../http/activity";
import { readData } from "../http/body";
import { charField, emailField, parseFields, requireValid } from "../http/fields";
import { refuseIfThrottled } from "../http/throttle";
import { confirmEmail, findEmailVerification } from "../store/email-verifications";
import { findUserByEmail } from "../store/users";

export const verifyEmailFields = z.object({ key: charField() });
export const resendEmailFields = z.object({ email: emailField() });

export const emailVerificationRoutes = new Hono<AppEnv>();

emailVerificationRoutes.post("/registration/verify-email", async (c) => {
  const { key } = requireValid(parseFields(verifyEmailFields, await readData(c, c.get("config").maxBodyBytes)));
  const verification = await findEmailVerification(c.get("db"), sha256Hex(key), c.get("now"));
  // Unknown, expired, spent, or sent to an address the account no longer has: all simply not found.
  if (!verification || !(await confirmEmail(c.get("db"), verification.userId, verification.email))) {
    throw detailError(404, NOT_FOUND);
  }
  recordActivity(c, "email_verified", verification.userId);
  return c.json({ detail: "ok" });
});

// Always 200, known address or not; the key is made and mailed after the response. With verification off
// (`none`) nothing is mailed at all: the endpoint must not become a way to send mail from the service.
emailVerificationRoutes.post("/registration/resend-email", async (c) => {
  const { email } = requireValid(parseFields(resendEmailFields, await readData(c, c.get("config").maxBodyBytes)));
  refuseIfThrottled(await c.get("auth").throttle.mailRequest(canonicalEmail(email), c.req.header("cf-connecting-ip")));
  const user = await findUserByEmail(c.get("db"), canonicalEmail(email));
  const verifying = c.get("config").emailVerification !== "none";
  if (verifying && user?.email && user.isActive && !user.emailVerified) {
    c.get("auth").mailEmailVerification({ id: user.id, username: user.username, email: user.email });
  }
  return c.json({ detail: "ok" });
});
