/**
 * The provider side of a sign-in: the authorization URL the browser is sent to, and turning what comes back
 * (an authorization code, or a native SDK's ID token) into a verified `ProviderProfile`. Code exchange goes
 * through arctic's generic OAuth 2.0 client (its GitHub and Apple classes hard-code their endpoints, which
 * GitHub Enterprise and the local test fakes need to move; arctic has no generic OpenID client).
 */
import {
  ArcticFetchError,
  CodeChallengeMethod,
  OAuth2Client,
  OAuth2RequestError,
  OAuth2Tokens,
  UnexpectedErrorResponseBodyError,
  UnexpectedResponseError,
} from "arctic";
import { appleClientSecret } from "./apple";
import type { OidcProvider, SocialProvider } from "./config";
import { discover, PROVIDER_TIMEOUT_MS, providerKeys } from "./discovery";
import { ProviderUnavailableError, SOCIAL_MESSAGES, SocialSignInError } from "./errors";
import type { SignInFlow } from "./flow-cookie";
import { githubEndpoints, githubProfile } from "./github";
import { type ProviderProfile, verifyIdToken } from "./id-token";

export interface CodeGrant {
  code: string;
  /** The PKCE verifier; null when the client did not use PKCE (the provider then decides). */
  codeVerifier: string | null;
  redirectUri: string;
  /** The nonce the ID token must carry; null when the client sent none. */
  nonce: string | null;
}

/** Where to send the browser: the provider's authorization endpoint with state, PKCE S256 and (OIDC) nonce. */
export async function authorizationUrl(
  provider: SocialProvider,
  redirectUri: string,
  flow: SignInFlow,
  nowMs: number,
): Promise<URL> {
  const endpoint =
    provider.kind === "github"
      ? githubEndpoints(provider).authorization
      : (await discover(provider.issuer, nowMs)).authorizationEndpoint;
  const client = new OAuth2Client(provider.clientId, null, redirectUri);
  const url = client.createAuthorizationURLWithPKCE(endpoint, flow.state, CodeChallengeMethod.S256, flow.codeVerifier, [
    ...provider.scopes,
  ]);
  if (provider.kind === "oidc") url.searchParams.set("nonce", flow.nonce);
  // Apple posts the callback as a form whenever names or e-mail are asked for.
  if (provider.kind === "oidc" && provider.apple) url.searchParams.set("response_mode", "form_post");
  return url;
}

/** The profile behind an authorization code: exchanged at the provider, then verified or read from its API. */
export async function profileFromCode(
  provider: SocialProvider,
  grant: CodeGrant,
  nowMs: number,
): Promise<ProviderProfile> {
  if (provider.kind === "github") {
    const client = new OAuth2Client(provider.clientId, provider.clientSecret, grant.redirectUri);
    const tokens = await exchange(() =>
      client.validateAuthorizationCode(githubEndpoints(provider).token, grant.code, grant.codeVerifier),
    );
    return githubProfile(provider, tokens.accessToken());
  }
  const metadata = await discover(provider.issuer, nowMs);
  const tokens = await exchange(() =>
    provider.apple
      ? appleTokenRequest(provider, metadata.tokenEndpoint, grant, nowMs)
      : new OAuth2Client(provider.clientId, provider.clientSecret, grant.redirectUri).validateAuthorizationCode(
          metadata.tokenEndpoint,
          grant.code,
          grant.codeVerifier,
        ),
  );
  const idToken = "id_token" in tokens.data && typeof tokens.data.id_token === "string" ? tokens.data.id_token : null;
  if (idToken === null) throw new ProviderUnavailableError(`${provider.issuer} answered the code without an id_token`);
  return verifyIdToken(idToken, provider, providerKeys(metadata.jwksUri), nowMs, grant.nonce);
}

/** The profile in an ID token a native SDK obtained (Sign in with Apple, Google Sign-In). */
export async function profileFromIdToken(
  provider: SocialProvider,
  idToken: string,
  nonce: string | null,
  nowMs: number,
): Promise<ProviderProfile> {
  if (provider.kind === "github") throw new SocialSignInError(SOCIAL_MESSAGES.noIdToken, "github has no ID tokens");
  const metadata = await discover(provider.issuer, nowMs);
  return verifyIdToken(idToken, provider, providerKeys(metadata.jwksUri), nowMs, nonce);
}

/** Runs a token request, sorting its failures: the provider refused the code (400) or could not answer (502). */
async function exchange(request: () => Promise<OAuth2Tokens>): Promise<OAuth2Tokens> {
  let tokens: OAuth2Tokens;
  try {
    tokens = await request();
  } catch (error) {
    // Our own credentials refused: a configuration fault (SOCIAL_<NAME>_SECRET) nobody but the operator can fix.
    if (
      error instanceof OAuth2RequestError &&
      (error.code === "invalid_client" || error.code === "unauthorized_client")
    ) {
      throw new ProviderUnavailableError(`the provider refused the client credentials: ${error.code}`);
    }
    if (error instanceof OAuth2RequestError) {
      throw new SocialSignInError(SOCIAL_MESSAGES.code, `token endpoint refused the code: ${error.code}`);
    }
    if (
      error instanceof ArcticFetchError ||
      error instanceof UnexpectedResponseError ||
      error instanceof UnexpectedErrorResponseBodyError
    ) {
      throw new ProviderUnavailableError(`token endpoint: ${error.message}`);
    }
    throw error;
  }
  // GitHub refuses a bad code with 200 and an error body, which arctic's generic client passes through.
  if ("error" in tokens.data && typeof tokens.data.error === "string") {
    throw new SocialSignInError(SOCIAL_MESSAGES.code, `token endpoint refused the code: ${tokens.data.error}`);
  }
  return tokens;
}

/**
 * Apple's token request: the client secret goes in the form (client_secret_post), freshly signed; arctic's
 * Apple class does the same but only against appleid.apple.com. Answers as arctic's client does.
 */
async function appleTokenRequest(
  provider: OidcProvider,
  tokenEndpoint: string,
  grant: CodeGrant,
  nowMs: number,
): Promise<OAuth2Tokens> {
  const body = new URLSearchParams({
    grant_type: "authorization_code",
    code: grant.code,
    redirect_uri: grant.redirectUri,
    client_id: provider.clientId,
    client_secret: await appleClientSecret(provider, nowMs),
  });
  if (grant.codeVerifier !== null) body.set("code_verifier", grant.codeVerifier);
  let response: Response;
  try {
    response = await fetch(tokenEndpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body,
      signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
    });
  } catch (error) {
    throw new ArcticFetchError(error);
  }
  const data = (await response.json().catch(() => null)) as Record<string, unknown> | null;
  if ((response.status === 400 || response.status === 401) && typeof data?.error === "string") {
    throw new OAuth2RequestError(data.error, null, null, null);
  }
  if (response.status !== 200 || data === null) throw new UnexpectedResponseError(response.status);
  return new OAuth2Tokens(data);
}
