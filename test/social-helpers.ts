/**
 * Helpers for the sign-in-with-providers tests: the service configured with the real local OpenID provider
 * (test/setup/social-peers.ts), the browser stand-in that signs a made-up person in at the provider, and an
 * app's own code flow at the provider (what a mobile app does before posting to `social/{provider}/`).
 */
import { env } from "cloudflare:workers";
import { type CallOptions, call, json } from "./helpers";

export const CLIENT = { id: "edge-test", secret: "edge-test-secret" };
export const OTHER_CLIENT = { id: "other-client", secret: "other-secret" };
export const COOKIE_KEY = "test-social-cookie-key-0123456789abcdef";
export const CALLBACK = "https://auth.example.com/auth/social/local/callback/";
export const APP_REDIRECT = "https://app.example.com/oauth";

/** The service's vars with the local provider configured as `local` (plus `extra` providers and vars). */
export function socialEnv(extra: Record<string, unknown> = {}, providers: Record<string, unknown> = {}) {
  return {
    SOCIAL_PROVIDERS: JSON.stringify({ local: { issuer: env.OIDC_ISSUER, client_id: CLIENT.id }, ...providers }),
    SOCIAL_LOCAL_SECRET: CLIENT.secret,
    SOCIAL_COOKIE_KEY: COOKIE_KEY,
    ...extra,
  };
}

/** A made-up person at the provider: `verified:<email>` or `unverified:<email>` (test/support/oidc-provider.ts). */
export function person(email: string, verified = true): string {
  return `${verified ? "verified" : "unverified"}:${email}`;
}

/** What the browser does at the provider: signs `account` in and comes back with the provider's redirect. */
export async function driveAt(authorizationUrl: string, account: string): Promise<URL> {
  const url = new URL(authorizationUrl);
  url.searchParams.set("login_hint", account);
  const response = await fetch(`${env.SOCIAL_PEERS_URL}/drive?url=${encodeURIComponent(url.toString())}`);
  const body = (await response.json()) as { location?: string; error?: string };
  if (!body.location) throw new Error(`the provider did not redirect back: ${body.error}`);
  return new URL(body.location);
}

/** `name=value` of the cookie `name` that `response` sets, for the next request's Cookie header. */
export function cookieFrom(response: Response, name: string): string {
  const header = response.headers.getSetCookie().find((value) => value.startsWith(`${name}=`));
  if (!header) throw new Error(`no ${name} cookie set`);
  return header.split(";")[0] as string;
}

/** Starts the browser flow at the service: its 302 Location and the flow cookie. */
export async function startBrowserFlow(options: CallOptions, provider = "local") {
  const response = await call(`/auth/social/${provider}/`, {}, options);
  if (response.status !== 302) throw new Error(`expected 302, got ${response.status} ${await response.text()}`);
  return { location: response.headers.get("location") as string, cookie: cookieFrom(response, "social_flow") };
}

/** The whole browser flow for `account`: start, sign in at the provider, come back to the callback. */
export async function browserSignIn(account: string, options: CallOptions) {
  const { location, cookie } = await startBrowserFlow(options);
  const back = await driveAt(location, account);
  const response = await call(`${back.pathname}${back.search}`, { headers: { cookie } }, options);
  return { response, back, cookie };
}

async function s256(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return btoa(String.fromCharCode(...new Uint8Array(digest)))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

/**
 * An app's authorization at the provider for `account`: the code (for the service's client unless `clientId`
 * says otherwise), its PKCE verifier and the nonce sent.
 */
export async function appAuthorization(account: string, { clientId = CLIENT.id, nonce = "app-nonce-1" } = {}) {
  const discovery = (await (await fetch(`${env.OIDC_ISSUER}/.well-known/openid-configuration`)).json()) as Record<
    string,
    string
  >;
  const verifier = `verifier-${crypto.randomUUID()}-${crypto.randomUUID()}`;
  const url = new URL(discovery.authorization_endpoint as string);
  for (const [name, value] of Object.entries({
    client_id: clientId,
    response_type: "code",
    scope: "openid email profile",
    redirect_uri: APP_REDIRECT,
    state: "app-state",
    nonce,
    code_challenge: await s256(verifier),
    code_challenge_method: "S256",
  }))
    url.searchParams.set(name, value);
  const back = await driveAt(url.toString(), account);
  return { code: back.searchParams.get("code") as string, verifier, nonce, tokenEndpoint: discovery.token_endpoint };
}

/** An ID token issued by the provider for `account` to `clientId` (what a native SDK hands an app). */
export async function providerIdToken(account: string, { clientId = CLIENT.id, nonce = "app-nonce-1" } = {}) {
  const secret = clientId === CLIENT.id ? CLIENT.secret : OTHER_CLIENT.secret;
  const { code, verifier, tokenEndpoint } = await appAuthorization(account, { clientId, nonce });
  const response = await fetch(tokenEndpoint as string, {
    method: "POST",
    headers: {
      authorization: `Basic ${btoa(`${clientId}:${secret}`)}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code,
      redirect_uri: APP_REDIRECT,
      code_verifier: verifier,
    }),
  });
  const tokens = (await response.json()) as { id_token?: string };
  if (!tokens.id_token) throw new Error(`no id_token: ${JSON.stringify(tokens)}`);
  return tokens.id_token;
}

/** POST `social/{provider}/` with `body`, configured with `socialEnv()` unless `options.env` says otherwise. */
export function socialPost(body: Record<string, unknown>, options: CallOptions = {}, provider = "local") {
  return call(`/auth/social/${provider}/`, json("POST", body), { ...options, env: options.env ?? socialEnv() });
}
