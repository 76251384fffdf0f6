/**
 * `X-Auth-Assertion`: a short-lived JWT (JWS compact form, `kid` in its header), signed with the gateway's
 * asymmetric key by `jose`'s SignJWT (WebCrypto underneath), that tells the origin who made the request. Origins verify it against
 * `/.well-known/jwks.json` and need no shared secret. The private key is imported once per isolate, not per
 * request (an import costs more than the signature).
 */
import { SignJWT } from "jose";
import type { SigningKey } from "./signing-key";

/** An assertion is good for one minute: long enough for clock skew, too short to be worth replaying. */
export const ASSERTION_LIFETIME_SECONDS = 60;

export interface AssertionSubject {
  userId: number;
  username: string;
  sessionId: string;
}

/** How each JWS algorithm's private key is imported into WebCrypto. */
const KEY_ALGORITHMS = {
  EdDSA: { name: "Ed25519" },
  ES256: { name: "ECDSA", namedCurve: "P-256" },
} as const;

const importedKeys = new WeakMap<SigningKey, Promise<CryptoKey>>();

function privateCryptoKey(key: SigningKey): Promise<CryptoKey> {
  let imported = importedKeys.get(key);
  if (!imported) {
    imported = crypto.subtle.importKey("jwk", key.privateJwk, KEY_ALGORITHMS[key.privateJwk.alg], false, ["sign"]);
    // A failed import is not cached: the next request tries again (and fails the same way, loudly).
    imported.catch(() => importedKeys.delete(key));
    importedKeys.set(key, imported);
  }
  return imported;
}

/** Signs an assertion issued by `issuer` (the service's origin) for `audience` (the origin's). */
export async function signAssertion(
  key: SigningKey,
  subject: AssertionSubject,
  issuer: string,
  audience: string,
  nowMs: number,
): Promise<string> {
  const { alg, kid } = key.privateJwk;
  const iat = Math.floor(nowMs / 1000);
  return new SignJWT({ sid: subject.sessionId, username: subject.username })
    .setProtectedHeader({ alg, typ: "JWT", kid })
    .setIssuer(issuer)
    .setAudience(audience)
    .setSubject(String(subject.userId))
    .setIssuedAt(iat)
    .setExpirationTime(iat + ASSERTION_LIFETIME_SECONDS)
    .sign(await privateCryptoKey(key));
}
