/**
 * Readers for single configuration values: each takes the raw vars, a name and a default, and returns the
 * typed value or throws `ConfigError` naming the variable and what it must be.
 */
import { parseDurationSeconds } from "./auth/duration";
import { parseRateLimit, type RateLimit } from "./auth/rate-limit";
import { parseSigningJwk, type SigningKey } from "./gateway/signing-key";
import { parseEncryptionKey } from "./mfa/secret-box";

export class ConfigError extends Error {
  override name = "ConfigError";
}

export type Vars = Record<string, unknown>;

/** RFC 6265 cookie-name characters (an HTTP token). */
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function text(env: Vars, name: string): string | undefined {
  const value = env[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" && typeof value !== "number") {
    throw new ConfigError(`${name} must be a string, got ${typeof value}.`);
  }
  const trimmed = String(value).trim();
  return trimmed === "" ? undefined : trimmed;
}

export function duration(env: Vars, name: string, fallback: string): number {
  const value = text(env, name) ?? fallback;
  const seconds = parseDurationSeconds(value);
  if (seconds === null) {
    throw new ConfigError(
      `${name} must be a positive duration: whole seconds (3600), a unit form (45s, 30m, 12h, 15d) or ISO-8601 (P15D); got "${value}".`,
    );
  }
  return seconds;
}

export function signingKey(env: Vars, name: string, requirePrivate: boolean): SigningKey | null {
  const value = text(env, name);
  if (value === undefined) return null;
  const key = parseSigningJwk(value, requirePrivate);
  if (!key) {
    throw new ConfigError(
      `${name} must be a${requirePrivate ? " private" : ""} JWK (Ed25519 or P-256); create one with \`npm run manage -- gateway-key\`.`,
    );
  }
  return key;
}

export function oneOf<T extends string>(env: Vars, name: string, choices: readonly T[], fallback: T): T {
  const value = text(env, name) ?? fallback;
  if (!(choices as readonly string[]).includes(value)) {
    throw new ConfigError(`${name} must be one of ${choices.join(", ")}; got "${value}".`);
  }
  return value as T;
}

export function httpUrl(env: Vars, name: string): string | null {
  const value = text(env, name);
  if (value === undefined) return null;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {}
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) {
    throw new ConfigError(`${name} must be an http(s) URL; got "${value}".`);
  }
  return url.toString();
}

/** A link template: an absolute http(s) URL holding every one of `placeholders`. */
export function linkTemplate(env: Vars, name: string, placeholders: string[]): string | null {
  const value = text(env, name);
  if (value === undefined) return null;
  const missing = placeholders.filter((placeholder) => !value.includes(placeholder));
  if (!/^https?:\/\/[^/]/.test(value) || missing.length > 0) {
    throw new ConfigError(`${name} must be an http(s) URL containing ${placeholders.join(" and ")}; got "${value}".`);
  }
  return value;
}

export function optionalDuration(env: Vars, name: string): number | null {
  const value = text(env, name);
  if (value === undefined || value.toLowerCase() === "off") return null;
  return duration(env, name, value);
}

/** A JSON object of client name → duration, e.g. `{"web":"1d","ios":"30d"}`. */
export function clientDurations(env: Vars, name: string): ReadonlyMap<string, number> {
  const value = text(env, name);
  const durations = new Map<string, number>();
  if (value === undefined) return durations;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new ConfigError(`${name} must be a JSON object such as {"web":"1d","ios":"30d"}; got invalid JSON.`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`${name} must be a JSON object such as {"web":"1d","ios":"30d"}.`);
  }
  for (const [client, ttl] of Object.entries(parsed)) {
    const seconds = typeof ttl === "string" || typeof ttl === "number" ? parseDurationSeconds(String(ttl)) : null;
    if (seconds === null)
      throw new ConfigError(`${name} has an invalid duration for client "${client}": ${JSON.stringify(ttl)}.`);
    durations.set(client, seconds);
  }
  return durations;
}

export function rateLimit(env: Vars, name: string, fallback: string): RateLimit | null {
  const value = text(env, name) ?? fallback;
  const parsed = parseRateLimit(value);
  if (parsed === undefined)
    throw new ConfigError(`${name} must be a count per duration such as 10/15m, or off; got "${value}".`);
  return parsed;
}

/** A positive whole number, `off` (null), or `fallback` when unset. */
export function positiveIntegerOrOff(env: Vars, name: string, fallback: number): number | null {
  const value = text(env, name);
  if (value?.toLowerCase() === "off") return null;
  if (value !== undefined && !/^\d+$/.test(value)) {
    throw new ConfigError(`${name} must be a positive whole number or off; got "${value}".`);
  }
  return positiveInteger(env, name, fallback);
}

export function positiveInteger(env: Vars, name: string, fallback: number): number {
  const value = text(env, name);
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) < 1) {
    throw new ConfigError(`${name} must be a positive whole number; got "${value}".`);
  }
  return Number(value);
}

export function cookieName(env: Vars, name: string, fallback: string): string {
  const value = text(env, name) ?? fallback;
  if (!COOKIE_NAME.test(value)) throw new ConfigError(`${name} must be a valid cookie name; got "${value}".`);
  return value;
}

export function origins(env: Vars, name: string): ReadonlySet<string> {
  const entries = (text(env, name) ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  return new Set(
    entries.map((entry) => {
      let url: URL;
      try {
        url = new URL(entry);
      } catch {
        throw new ConfigError(`${name} must list origins such as https://app.example.com; got "${entry}".`);
      }
      if (url.origin === "null" || url.origin !== entry.replace(/\/$/, "").toLowerCase()) {
        throw new ConfigError(`${name} must list bare origins (scheme://host[:port]); got "${entry}".`);
      }
      return url.origin;
    }),
  );
}

/** One bare http(s) origin (`https://auth.example.com`, a trailing slash allowed), or null when unset. */
export function origin(env: Vars, name: string): string | null {
  const value = text(env, name);
  if (value === undefined) return null;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {}
  if (
    !url ||
    (url.protocol !== "https:" && url.protocol !== "http:") ||
    url.origin !== value.replace(/\/$/, "").toLowerCase()
  ) {
    throw new ConfigError(`${name} must be a bare http(s) origin such as https://auth.example.com; got "${value}".`);
  }
  return url.origin;
}

/** A 256-bit key given as base64 or base64url (a secret such as `MFA_ENCRYPTION_KEY`); null when unset. */
export function encryptionKey(env: Vars, name: string): Uint8Array | null {
  const value = text(env, name);
  if (value === undefined) return null;
  const key = parseEncryptionKey(value);
  if (!key) throw new ConfigError(`${name} must be 32 random bytes in base64 (openssl rand -base64 32).`);
  return key;
}

/** A bare host name (`example.com`, no scheme, port or path), lower-cased; null when unset. */
export function hostName(env: Vars, name: string): string | null {
  const value = text(env, name)?.toLowerCase();
  if (value === undefined) return null;
  if (!/^(?!-)[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(value)) {
    throw new ConfigError(`${name} must be a host name such as example.com (no scheme, port or path); got "${value}".`);
  }
  return value;
}
