/** Who the service is to authenticators: the WebAuthn relying party, its trusted origins, the TOTP issuer. */
import type { Context } from "hono";
import type { AppEnv } from "../context";

export interface RelyingParty {
  /** `WEBAUTHN_RP_ID`, else the host the request came to. */
  id: string;
  /** `WEBAUTHN_RP_NAME`, else the rp id. */
  name: string;
  /** Origins a WebAuthn response may come from: the service's own and `ALLOWED_ORIGINS`. */
  origins: string[];
}

export function relyingParty(c: Context<AppEnv>): RelyingParty {
  const { mfa, allowedOrigins } = c.get("config");
  const url = new URL(c.req.url);
  const id = mfa.rpId ?? url.hostname;
  return { id, name: mfa.rpName ?? id, origins: [url.origin, ...allowedOrigins] };
}
