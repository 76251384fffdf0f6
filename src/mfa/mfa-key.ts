/**
 * The key sealing TOTP secrets. The one place that decides when the development key may stand in for
 * `MFA_ENCRYPTION_KEY`, following the gateway's signing key: only under `ENVIRONMENT=development` (which serves
 * loopback hosts only), never because of a request's host.
 */
import type { Context } from "hono";
import { ConfigError } from "../config";
import type { AppEnv } from "../context";
import { DEVELOPMENT_MFA_KEY } from "./secret-box";

/** `MFA_ENCRYPTION_KEY`, or the development key locally; a deployed service without it fails closed (500). */
export function mfaEncryptionKey(c: Context<AppEnv>): Uint8Array {
  const { mfa, development } = c.get("config");
  if (mfa.encryptionKey) return mfa.encryptionKey;
  if (development) return DEVELOPMENT_MFA_KEY;
  throw new ConfigError("MFA_ENCRYPTION_KEY must be set (a secret) for TOTP to be used.");
}
