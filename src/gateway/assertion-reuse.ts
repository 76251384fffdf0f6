/**
 * Reuse of `X-Auth-Assertion` within an isolate. The assertion names the user, the session, the issuer and
 * the audience, and nothing of the request (no method, path or body hash), so an assertion signed for one
 * request of a session says exactly what a new one would for the next. Signing is the gateway's largest cost
 * after the token check, so the same assertion is forwarded again while at least two thirds of its lifetime
 * is left: an origin never receives one with less than 40 s to run. It is reused only for a request that has
 * just been authenticated, so a revoked token never gets one.
 */
import { ASSERTION_LIFETIME_SECONDS, type AssertionSubject, signAssertion } from "./assertion";
import type { SigningKey } from "./signing-key";

/** An assertion is forwarded again for this long after its `iat`. */
const REUSE_SECONDS = ASSERTION_LIFETIME_SECONDS / 3;
/** Bounds the memory one isolate spends on reusable assertions (about 1 KB each). */
const MAX_ENTRIES = 10_000;

interface Signed {
  assertion: string;
  iatSeconds: number;
}

/**
 * Keyed by the key's public identity, not the object: a configuration parsed again (another `env` object) yields
 * an equal key in a new object, and must reuse the same assertions.
 */
const bySigningKey = new Map<string, Map<string, Signed>>();

function keyIdentity({ publicJwk }: SigningKey): string {
  return `${publicJwk.kid} ${publicJwk.x ?? ""} ${publicJwk.y ?? ""}`;
}

/** The assertion to forward for `subject`: a recent one for the same claims and key, else a new one. */
export async function assertionFor(
  key: SigningKey,
  subject: AssertionSubject,
  issuer: string,
  audience: string,
  nowMs: number,
): Promise<string> {
  const identity = keyIdentity(key);
  let signed = bySigningKey.get(identity);
  if (!signed) {
    signed = new Map();
    bySigningKey.set(identity, signed);
  }
  // Every claim but the times: any change (a renamed user, another audience) signs afresh.
  const claims = `${subject.sessionId} ${subject.userId} ${issuer} ${audience} ${subject.username}`;
  const nowSeconds = Math.floor(nowMs / 1000);
  const recent = signed.get(claims);
  if (recent && nowSeconds >= recent.iatSeconds && nowMs <= (recent.iatSeconds + REUSE_SECONDS) * 1000) {
    return recent.assertion;
  }
  const assertion = await signAssertion(key, subject, issuer, audience, nowMs);
  if (signed.size >= MAX_ENTRIES && !signed.has(claims)) {
    // Maps iterate in insertion order: drop the oldest.
    const oldest = signed.keys().next().value;
    if (oldest !== undefined) signed.delete(oldest);
  }
  signed.set(claims, { assertion, iatSeconds: nowSeconds });
  return assertion;
}
