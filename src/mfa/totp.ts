/**
 * TOTP (RFC 6238) over HOTP (RFC 4226): HMAC-SHA-1, 6 digits, 30-second steps counted from the epoch, what
 * every authenticator app computes by default. Pure apart from WebCrypto and the CSRNG; the caller passes the
 * time, and decides replay (a step at or before the last one accepted is refused, RFC 6238 section 5.2).
 */
import { base32Encode } from "./base32";

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** RFC 4226 recommends a 160-bit shared secret (the length of an SHA-1 output). */
const SECRET_BYTES = 20;
/** Steps either side of the current one that are still accepted, for clock drift and typing time. */
const ALLOWED_DRIFT_STEPS = 1;

export function generateTotpSecret(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(SECRET_BYTES));
}

/** The time step (a counter of 30-second periods since the epoch) of the instant `nowMs`. */
export function timeStep(nowMs: number): number {
  return Math.floor(nowMs / 1000 / TOTP_PERIOD_SECONDS);
}

/** RFC 4226's HOTP value of `counter`, as a zero-padded string of `digits` digits. */
export async function hotp(secret: Uint8Array, counter: number, digits = TOTP_DIGITS): Promise<string> {
  const key = await crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
  const message = new Uint8Array(8);
  // The counter is a 64-bit big-endian integer; time steps stay far below 2^53.
  new DataView(message.buffer).setBigUint64(0, BigInt(counter));
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, message));
  const offset = (mac[mac.length - 1] as number) & 0x0f;
  const binary = new DataView(mac.buffer).getUint32(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, "0");
}

/**
 * The time step whose code is `code` among the previous, current and next step at `nowMs`, or null. Every
 * candidate is computed and compared, so the time taken does not tell which step (if any) matched.
 */
export async function matchingTimeStep(secret: Uint8Array, code: string, nowMs: number): Promise<number | null> {
  if (!/^\d{6}$/.test(code)) return null;
  const current = timeStep(nowMs);
  let matched: number | null = null;
  for (let offset = -ALLOWED_DRIFT_STEPS; offset <= ALLOWED_DRIFT_STEPS; offset++) {
    const expected = await hotp(secret, current + offset);
    if (equalDigits(expected, code) && matched === null) matched = current + offset;
  }
  return matched;
}

/** Constant-time comparison of two digit strings of the same length. */
function equalDigits(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

/**
 * The `otpauth://totp/` URL authenticator apps import (usually as a QR code): Google Authenticator's key-URI
 * format with the issuer both as the label's prefix and as a parameter, and the algorithm spelled out.
 */
export function otpauthUrl(secret: Uint8Array, accountName: string, issuer: string): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(accountName)}`;
  const params = new URLSearchParams({
    secret: base32Encode(secret),
    issuer,
    algorithm: "SHA1",
    digits: String(TOTP_DIGITS),
    period: String(TOTP_PERIOD_SECONDS),
  });
  return `otpauth://totp/${label}?${params.toString()}`;
}
