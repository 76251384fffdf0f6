/**
 * The browser flow's short-lived cookie: which provider, the `state`, the PKCE verifier and the `nonce` of one
 * sign-in, signed with HMAC-SHA256 (`SOCIAL_COOKIE_KEY`) so a client can neither forge nor alter it, and dead
 * after FLOW_SECONDS. It holds no credential of ours; its verifier is only useful with the code it guards.
 */
import { base64url } from "jose";

export const FLOW_COOKIE_NAME = "social_flow";
/** Long enough to sign in at the provider (a password, a second factor), short enough to bound a replay. */
export const FLOW_SECONDS = 600;

export interface SignInFlow {
  provider: string;
  state: string;
  codeVerifier: string;
  nonce: string;
  /** When the flow stops being accepted, in ms since the epoch. */
  expiresMs: number;
}

const encoder = new TextEncoder();

function hmacKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
    "verify",
  ]);
}

/** The cookie value: base64url(JSON) "." base64url(HMAC of that). */
export async function sealFlow(flow: SignInFlow, secret: string): Promise<string> {
  const body = base64url.encode(JSON.stringify(flow));
  const signature = await crypto.subtle.sign("HMAC", await hmacKey(secret), encoder.encode(body));
  return `${body}.${base64url.encode(new Uint8Array(signature))}`;
}

/**
 * The flow in `value` when its signature holds (checked in constant time by Web Crypto) and it has not
 * expired at `nowMs`; null otherwise, whatever is wrong with it.
 */
export async function openFlow(value: string | undefined, secret: string, nowMs: number): Promise<SignInFlow | null> {
  const [body, signature, extra] = (value ?? "").split(".");
  if (!body || !signature || extra !== undefined) return null;
  try {
    const valid = await crypto.subtle.verify(
      "HMAC",
      await hmacKey(secret),
      base64url.decode(signature),
      encoder.encode(body),
    );
    if (!valid) return null;
    const flow = JSON.parse(new TextDecoder().decode(base64url.decode(body))) as SignInFlow;
    return typeof flow.expiresMs === "number" && flow.expiresMs > nowMs ? flow : null;
  } catch {
    return null;
  }
}
