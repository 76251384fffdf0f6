/**
 * The gateway's signing keys: private JWKs (Ed25519 or P-256) from the `GATEWAY_SIGNING_KEY` secret, their
 * public halves for `/.well-known/jwks.json`, and the development key used only when the secret is unset
 * and `ENVIRONMENT=development`. Pure: parsing and shaping only.
 */

export interface SigningKey {
  /** The private JWK, with `alg` and `kid` set (the assertion's header takes both from it). */
  privateJwk: JsonWebKey & { alg: "EdDSA" | "ES256"; kid: string };
  /** What `/.well-known/jwks.json` publishes. */
  publicJwk: JsonWebKey & { alg: string; kid: string; use: "sig" };
}

/**
 * Parses a JWK (JSON text). Returns null when it is not an Ed25519 or P-256 key; `requirePrivate` refuses
 * a key without its private part (`d`).
 */
export function parseSigningJwk(text: string, requirePrivate: boolean): SigningKey | null {
  let jwk: Record<string, unknown>;
  try {
    jwk = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (typeof jwk !== "object" || jwk === null) return null;
  const str = (name: string) => (typeof jwk[name] === "string" && jwk[name] !== "" ? (jwk[name] as string) : undefined);
  const x = str("x");
  if (!x || (requirePrivate && !str("d"))) return null;
  let alg: "EdDSA" | "ES256";
  let publicPart: JsonWebKey;
  if (jwk.kty === "OKP" && jwk.crv === "Ed25519") {
    alg = "EdDSA";
    publicPart = { kty: "OKP", crv: "Ed25519", x };
  } else if (jwk.kty === "EC" && jwk.crv === "P-256" && str("y")) {
    alg = "ES256";
    publicPart = { kty: "EC", crv: "P-256", x, y: str("y") };
  } else {
    return null;
  }
  const kid = str("kid") ?? `${alg.toLowerCase()}-${x.slice(0, 12)}`;
  return {
    privateJwk: { ...(jwk as unknown as JsonWebKey), alg, kid },
    publicJwk: { ...publicPart, alg, kid, use: "sig" },
  };
}

/**
 * For local development only: a key whose private half is public in this repository, so assertions signed
 * with it prove nothing. Used only while `GATEWAY_SIGNING_KEY` is unset and `ENVIRONMENT=development` (which
 * the configuration allows for loopback hosts only), never because of the request's host: a deployed gateway
 * without the secret refuses to forward.
 */
export const DEVELOPMENT_KEY = parseSigningJwk(
  JSON.stringify({
    kty: "OKP",
    crv: "Ed25519",
    kid: "development-only",
    x: "I2ZTYzWxbtzLzS2uyf62tIMoqoNnPIcqtbrbtOWVCBU",
    d: "17tmhaykW-IpK794Th1yabUUIZOkgeKNy2Alc5i7c3A",
  }),
  true,
) as SigningKey;

/**
 * The key that signs assertions and heads the JWKS: the configured one, else the development key in
 * development, else null (the gateway then refuses to forward).
 */
export function activeSigningKey(current: SigningKey | null, development: boolean): SigningKey | null {
  return current ?? (development ? DEVELOPMENT_KEY : null);
}
