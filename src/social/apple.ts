/**
 * Apple's specifics. Its client secret is not a fixed string but an ES256 JWT signed with the app's .p8 key
 * (`SOCIAL_<NAME>_SECRET`), naming the team (`iss`), the Services ID (`sub`) and Apple (`aud`), valid at most
 * six months; we make a fresh one for each exchange, valid for CLIENT_SECRET_SECONDS.
 */
import { importPKCS8, SignJWT } from "jose";
import type { OidcProvider } from "./config";

/** Used once, right away: a short life bounds what a leaked one could do. */
const CLIENT_SECRET_SECONDS = 300;

const keys = new Map<string, Promise<CryptoKey>>();

/** The client secret for one token request at `nowMs`. */
export async function appleClientSecret(provider: OidcProvider, nowMs: number): Promise<string> {
  if (!provider.apple || provider.clientSecret === null) {
    throw new Error(`provider ${provider.name} has no Apple key (${provider.name}'s secret is unset)`);
  }
  let key = keys.get(provider.clientSecret);
  if (!key) {
    key = importPKCS8(provider.clientSecret, "ES256");
    keys.set(provider.clientSecret, key);
  }
  const nowSeconds = Math.floor(nowMs / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: "ES256", kid: provider.apple.keyId })
    .setIssuer(provider.apple.teamId)
    .setSubject(provider.clientId)
    .setAudience(provider.issuer.replace(/\/$/, ""))
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + CLIENT_SECRET_SECONDS)
    .sign(await key);
}
