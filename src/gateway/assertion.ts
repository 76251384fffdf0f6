/**
 * `X-Auth-Assertion`: a short-lived JWT, signed with the gateway's asymmetric key (Hono's JWT helper over
 * WebCrypto), that tells the origin who made the request. Origins verify it against
 * `/.well-known/jwks.json` and need no shared secret.
 */
import { sign } from "hono/jwt";
import type { SigningKey } from "./signing-key";

/** An assertion is good for one minute: long enough for clock skew, too short to be worth replaying. */
export const ASSERTION_LIFETIME_SECONDS = 60;

export interface AssertionSubject {
  userId: number;
  username: string;
  sessionId: string;
}

/** Signs an assertion issued by `issuer` (the service's origin) for `audience` (the origin's). */
export function signAssertion(
  key: SigningKey,
  subject: AssertionSubject,
  issuer: string,
  audience: string,
  nowMs: number,
): Promise<string> {
  const iat = Math.floor(nowMs / 1000);
  return sign(
    {
      iss: issuer,
      aud: audience,
      sub: String(subject.userId),
      sid: subject.sessionId,
      username: subject.username,
      iat,
      exp: iat + ASSERTION_LIFETIME_SECONDS,
    },
    key.privateJwk,
  );
}
