/**
 * OpenID Connect discovery (`<issuer>/.well-known/openid-configuration`) and the provider's signing keys, both
 * cached per isolate: discovery for DISCOVERY_CACHE_SECONDS, the key set by jose (refetched when a token names
 * a key it has not seen, at most once per 30 s). A failed fetch is never cached.
 */
import { createRemoteJWKSet, type JWTVerifyGetKey } from "jose";
import { ProviderUnavailableError } from "./errors";

export interface ProviderMetadata {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  jwksUri: string;
}

/** Providers change endpoints rarely and announce it; an hour bounds how long a change takes to be seen. */
const DISCOVERY_CACHE_SECONDS = 3600;
/** A provider slower than this is treated as down (502) rather than holding the sign-in. */
export const PROVIDER_TIMEOUT_MS = 10_000;

const discovered = new Map<string, { metadata: ProviderMetadata; fetchedMs: number }>();
const keySets = new Map<string, JWTVerifyGetKey>();

/** The issuer's endpoints, from cache or discovery. Throws `ProviderUnavailableError` when it cannot be read. */
export async function discover(issuer: string, nowMs: number): Promise<ProviderMetadata> {
  const cached = discovered.get(issuer);
  if (cached && nowMs - cached.fetchedMs < DISCOVERY_CACHE_SECONDS * 1000) return cached.metadata;
  const url = `${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`;
  let document: Record<string, unknown>;
  try {
    const response = await fetch(url, {
      headers: { accept: "application/json" },
      signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    document = (await response.json()) as Record<string, unknown>;
  } catch (error) {
    throw new ProviderUnavailableError(`discovery at ${url} failed: ${String(error)}`);
  }
  const metadata = parseMetadata(issuer, document);
  discovered.set(issuer, { metadata, fetchedMs: nowMs });
  return metadata;
}

/**
 * Checks a discovery document: its `issuer` must be exactly the configured one (OpenID Connect Discovery 4.3:
 * otherwise another issuer's document could be served), and its endpoints must be absolute http(s) URLs.
 */
export function parseMetadata(issuer: string, document: Record<string, unknown>): ProviderMetadata {
  if (document.issuer !== issuer) {
    throw new ProviderUnavailableError(`discovery names issuer ${JSON.stringify(document.issuer)}, not ${issuer}`);
  }
  const endpoint = (name: string) => {
    const value = document[name];
    if (typeof value !== "string" || !/^https?:\/\//.test(value)) {
      throw new ProviderUnavailableError(`discovery of ${issuer} has no valid ${name}`);
    }
    return value;
  };
  return {
    issuer,
    authorizationEndpoint: endpoint("authorization_endpoint"),
    tokenEndpoint: endpoint("token_endpoint"),
    jwksUri: endpoint("jwks_uri"),
  };
}

/** The provider's key set, kept for the isolate's life so its cache (and cooldown) works across requests. */
export function providerKeys(jwksUri: string): JWTVerifyGetKey {
  let keys = keySets.get(jwksUri);
  if (!keys) {
    keys = createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: PROVIDER_TIMEOUT_MS });
    keySets.set(jwksUri, keys);
  }
  return keys;
}
