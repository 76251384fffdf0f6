/**
 * The key sealing TOTP secrets. The one place that decides when the development key may stand in for
 * `MFA_ENCRYPTION_KEY`, following the gateway's signing key: only for a service reached on this machine.
 */
import type { Context } from "hono";
import { ConfigError } from "../config";
import type { AppEnv } from "../context";
import { isLocalRequest } from "../http/local";
import { DEVELOPMENT_MFA_KEY } from "../mfa/secret-box";

/** `MFA_ENCRYPTION_KEY`, or the development key locally; a deployed service without it fails closed (500). */
export function mfaEncryptionKey(c: Context<AppEnv>): Uint8Array {
  const key = c.get("config").mfa.encryptionKey;
  if (key) return key;
  if (isLocalRequest(c)) return DEVELOPMENT_MFA_KEY;
  throw new ConfigError("MFA_ENCRYPTION_KEY must be set (a secret) for TOTP to be used.");
}
