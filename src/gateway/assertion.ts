/**
 * `X-Auth-Assertion`: a short-lived JWT (JWS compact form, `kid` in its header), signed with the gateway's
 * asymmetric key through WebCrypto, that tells the origin who made the request. Origins verify it against
 * `/.well-known/jwks.json` and need no shared secret. The private key is imported once per isolate, not per
 * request (an import costs more than the signature).
 */
import { Buffer } from "node:buffer";
import type { SigningKey } from "./signing-key";

/** An assertion is good for one minute: long enough for clock skew, too short to be worth replaying. */
export const ASSERTION_LIFETIME_SECONDS = 60;

export interface AssertionSubject {
  userId: number;
  username: string;
  sessionId: string;
}

const ALGORITHMS = {
  EdDSA: { import: { name: "Ed25519" }, sign: { name: "Ed25519" } },
  ES256: { import: { name: "ECDSA", namedCurve: "P-256" }, sign: { name: "ECDSA", hash: "SHA-256" } },
} as const;

const importedKeys = new WeakMap<SigningKey, Promise<CryptoKey>>();

function privateCryptoKey(key: SigningKey): Promise<CryptoKey> {
  let imported = importedKeys.get(key);
  if (!imported) {
    imported = crypto.subtle.importKey("jwk", key.privateJwk, ALGORITHMS[key.privateJwk.alg].import, false, ["sign"]);
    // A failed import is not cached: the next request tries again (and fails the same way, loudly).
    imported.catch(() => importedKeys.delete(key));
    importedKeys.set(key, imported);
  }
  return imported;
}

const base64UrlJson = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

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
  const header = base64UrlJson({ alg, typ: "JWT", kid });
  const payload = base64UrlJson({
    iss: issuer,
    aud: audience,
    sub: String(subject.userId),
    sid: subject.sessionId,
    username: subject.username,
    iat,
    exp: iat + ASSERTION_LIFETIME_SECONDS,
  });
  const signingInput = `${header}.${payload}`;
  const signature = await crypto.subtle.sign(
    ALGORITHMS[alg].sign,
    await privateCryptoKey(key),
    new TextEncoder().encode(signingInput),
  );
  return `${signingInput}.${Buffer.from(signature).toString("base64url")}`;
}
