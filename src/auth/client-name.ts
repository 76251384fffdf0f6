/**
 * Client names: what a device calls itself at login ("web", "ios", "billing-cli"). Per-client TTLs key on
 * them. A login without one is named from its User-Agent, coarsely, so the default policy still separates
 * browsers from apps.
 */

export const CLIENT_NAME_MAX_LENGTH = 64;
const CLIENT_NAME = /^[A-Za-z0-9._-]+$/;
export const INVALID_CLIENT_NAME = "Enter a valid client name: letters, digits, '.', '_' or '-'.";

export function isValidClientName(name: string): boolean {
  return CLIENT_NAME.test(name);
}

/** `android`, `ios`, `web` (a browser) or `api` (anything else, including no User-Agent). */
export function deriveClientName(userAgent: string | undefined): string {
  const ua = userAgent ?? "";
  if (/\b(okhttp|Dalvik|Android)\b/i.test(ua) && !/\bChrome\/|Firefox\//.test(ua)) return "android";
  if (/\b(CFNetwork|Darwin)\b/.test(ua) && !/Mozilla\//.test(ua)) return "ios";
  if (/^Mozilla\/\d/.test(ua)) return "web";
  return "api";
}
