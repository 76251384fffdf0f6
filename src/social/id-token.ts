/**
 * ID-token verification (OpenID Connect Core 3.1.3.7) with jose: the signature against the provider's key set,
 * `iss` exactly the issuer, `aud` one of ours (and `azp` ours when there are several), `exp` against the
 * request's clock, and `nonce` equal to the one we (or the app) sent. Returns the identity it vouches for.
 */
import { errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from "jose";
import { constantTimeEqual } from "../auth/digest";
import type { OidcProvider } from "./config";
import { ProviderUnavailableError, SOCIAL_MESSAGES, SocialSignInError } from "./errors";

/** Who a provider says signed in. `issuer` + `subject` is the identity; the rest only seeds a new account. */
export interface ProviderProfile {
  issuer: string;
  subject: string;
  email: string | null;
  /** Only a provider's explicit "verified" counts: an address it did not check proves nothing. */
  emailVerified: boolean;
  /** A username suggestion (`preferred_username`, GitHub's login), or null. */
  username: string | null;
  firstName: string;
  lastName: string;
}

/** Tolerated clock difference with the provider, in seconds (tokens stamped a little ahead of our clock). */
const CLOCK_TOLERANCE_SECONDS = 30;
/** Asymmetric algorithms only: an HS256 token would be "signed" with the client secret, which apps hold too. */
const ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"];

/**
 * Verifies `idToken` and returns its profile. `nonce`: the value the token must carry (the browser flow's, or
 * the one a native app sent); null when the caller has none (a native SDK's token without one).
 */
export async function verifyIdToken(
  idToken: string,
  provider: OidcProvider,
  keys: JWTVerifyGetKey,
  nowMs: number,
  nonce: string | null,
): Promise<ProviderProfile> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(idToken, keys, {
      issuer: provider.issuer,
      audience: [...provider.audiences],
      algorithms: ALGORITHMS,
      currentDate: new Date(nowMs),
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ["sub", "exp", "iat"],
    }));
  } catch (error) {
    // The key set could not be fetched: the provider is down, not the token bad.
    if (error instanceof errors.JWKSTimeout || error instanceof TypeError || error instanceof errors.JWKSInvalid) {
      throw new ProviderUnavailableError(`key set of ${provider.issuer}: ${String(error)}`);
    }
    const code = error instanceof errors.JOSEError ? error.code : String(error);
    throw new SocialSignInError(SOCIAL_MESSAGES.idToken, `ID token refused: ${code}`);
  }
  // Several audiences: the token was issued to `azp`, which must be us (Core 3.1.3.7 items 4 and 5).
  if (Array.isArray(payload.aud) && payload.aud.length > 1 && !provider.audiences.includes(String(payload.azp))) {
    throw new SocialSignInError(SOCIAL_MESSAGES.idToken, "ID token refused: azp is not ours");
  }
  if (nonce !== null && (typeof payload.nonce !== "string" || !constantTimeEqual(payload.nonce, nonce))) {
    throw new SocialSignInError(SOCIAL_MESSAGES.idToken, "ID token refused: nonce mismatch");
  }
  return profileFromClaims(provider.issuer, payload);
}

/** The profile in verified claims. Apple sends `email_verified` as the string "true". */
export function profileFromClaims(issuer: string, claims: JWTPayload): ProviderProfile {
  const string = (name: string) => (typeof claims[name] === "string" ? (claims[name] as string) : null);
  const email = string("email");
  return {
    issuer,
    subject: String(claims.sub),
    email: email === "" ? null : email,
    emailVerified: email !== null && (claims.email_verified === true || claims.email_verified === "true"),
    username: string("preferred_username"),
    firstName: string("given_name") ?? "",
    lastName: string("family_name") ?? "",
  };
}
