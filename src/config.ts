/**
 * The one place the Worker's vars and secrets are read. `loadConfig(env)` parses and validates them into a
 * typed `Config`; an invalid value throws `ConfigError` naming the variable, which the app answers with a
 * 500 configuration error on every request rather than guessing (never an endless token).
 */
import { parseDurationSeconds } from "./auth/duration";
import type { ExpiryPolicy } from "./auth/expiry";
import { parseRateLimit, type RateLimit } from "./auth/rate-limit";
import { type PathPattern, parsePathPatterns } from "./gateway/public-paths";
import { parseSigningJwk, type SigningKey } from "./gateway/signing-key";

export interface Config {
  /**
   * When tokens expire: `TOKEN_TTL` (default 15 days), `CLIENT_TOKEN_TTLS` (per client, default none) and
   * `TOKEN_IDLE_TTL` (default off).
   */
  expiry: ExpiryPolicy;
  /** `MAX_TOKENS_PER_USER`: live tokens per user before logins evict the least recently used. Default none. */
  maxTokensPerUser: number | null;
  /** `EXPIRED_TOKEN_RETENTION`: how long the purge keeps expired tokens (answering "Token has expired"). Default 7 days. */
  expiredTokenRetentionSeconds: number;
  /** `LOGIN_FAILURES_PER_ACCOUNT`: failed logins per account named before 429. Default 10/15m. */
  loginFailuresPerAccount: RateLimit | null;
  /** `LOGIN_FAILURES_PER_IP`: failed logins per client IP before 429. Default 100/15m. */
  loginFailuresPerIp: RateLimit | null;
  /** `MAIL_REQUESTS_PER_ADDRESS`: reset and verification mails requested per address. Default 5/1h. */
  mailRequestsPerAddress: RateLimit | null;
  /** `MAIL_REQUESTS_PER_IP`: reset and verification mails requested per client IP. Default 20/1h. */
  mailRequestsPerIp: RateLimit | null;
  /** The gateway; null without `ORIGIN_URL` (other paths then answer 404). */
  gateway: Gateway | null;
  gatewayKeys: GatewayKeys;
  /** `AUTH_COOKIE_NAME`: the HttpOnly cookie carrying the token for browsers. Default `auth_token`. */
  authCookieName: string;
  /** `ALLOWED_ORIGINS`: browser origins trusted for CORS and for the CSRF check. Default none. */
  allowedOrigins: ReadonlySet<string>;
  /** `MAX_BODY_BYTES`: the largest request body accepted. Default 64 KiB. */
  maxBodyBytes: number;
  /** `EMAIL_VERIFICATION`: whether addresses are verified, and whether login waits for it. Default `none`. */
  emailVerification: EmailVerificationMode;
  /** `EMAIL_VERIFICATION_TIMEOUT`: how long a verification link works. Default 3 days (allauth's). */
  emailVerificationTimeoutSeconds: number;
  /** `PASSWORD_RESET_TIMEOUT`: how long a reset code works. Default 3 days (Django's). */
  passwordResetTimeoutSeconds: number;
  /** `MAIL_WEBHOOK_URL`: where mail is POSTed as JSON; unset means mail is only logged (locally). */
  mailWebhookUrl: string | null;
  /** `PASSWORD_RESET_URL`: link template with `{uid}` and `{token}`; null means the service's account page. */
  passwordResetUrl: string | null;
  /** `EMAIL_VERIFICATION_URL`: link template with `{key}`; null means the service's account page. */
  emailVerificationUrl: string | null;
}

/** Where the gateway forwards, when one is configured. */
export interface Gateway {
  /** `ORIGIN_URL`: the origin's base URL; the request's path and query are appended to its path. */
  url: URL;
  /** The `ORIGIN` service binding, used instead of the network when present (a Worker origin). */
  fetcher: Fetcher | null;
  /** `ORIGIN_TIMEOUT`: how long to wait for the origin's response headers. Default 30 s. */
  timeoutMs: number;
  /** `PUBLIC_PATHS`: forwarded without authentication. */
  publicPaths: readonly PathPattern[];
}

export interface GatewayKeys {
  /** `GATEWAY_SIGNING_KEY` (secret): signs `X-Auth-Assertion`; null means the development key, locally only. */
  current: SigningKey | null;
  /** `GATEWAY_PREVIOUS_SIGNING_KEY`: still published in the JWKS during a rotation, never used to sign. */
  previous: SigningKey | null;
}

export type EmailVerificationMode = "none" | "optional" | "mandatory";

export class ConfigError extends Error {
  override name = "ConfigError";
}

const DEFAULT_TOKEN_TTL = "15d";
const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
/** RFC 6265 cookie-name characters (an HTTP token). */
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

const cache = new WeakMap<object, Config | ConfigError>();

/**
 * The parsed configuration for `env`. Parsed once per `env` object (Workers hands the same object to every
 * request of an isolate, and a deploy or a changed var starts a new one), so reading it costs nothing per request.
 */
export function loadConfig(env: object): Config {
  let entry = cache.get(env);
  if (entry === undefined) {
    try {
      entry = parseConfig(env as Record<string, unknown>);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      entry = error;
    }
    cache.set(env, entry);
  }
  if (entry instanceof ConfigError) throw entry;
  return entry;
}

export function parseConfig(env: Record<string, unknown>): Config {
  return {
    expiry: {
      ttlSeconds: duration(env, "TOKEN_TTL", DEFAULT_TOKEN_TTL),
      clientTtlSeconds: clientDurations(env, "CLIENT_TOKEN_TTLS"),
      idleTtlSeconds: optionalDuration(env, "TOKEN_IDLE_TTL"),
    },
    maxTokensPerUser: optionalPositiveInteger(env, "MAX_TOKENS_PER_USER"),
    expiredTokenRetentionSeconds: duration(env, "EXPIRED_TOKEN_RETENTION", "7d"),
    loginFailuresPerAccount: rateLimit(env, "LOGIN_FAILURES_PER_ACCOUNT", "10/15m"),
    loginFailuresPerIp: rateLimit(env, "LOGIN_FAILURES_PER_IP", "100/15m"),
    mailRequestsPerAddress: rateLimit(env, "MAIL_REQUESTS_PER_ADDRESS", "5/1h"),
    mailRequestsPerIp: rateLimit(env, "MAIL_REQUESTS_PER_IP", "20/1h"),
    gateway: gateway(env),
    gatewayKeys: {
      current: signingKey(env, "GATEWAY_SIGNING_KEY", true),
      previous: signingKey(env, "GATEWAY_PREVIOUS_SIGNING_KEY", false),
    },
    authCookieName: cookieName(env, "AUTH_COOKIE_NAME", "auth_token"),
    allowedOrigins: origins(env, "ALLOWED_ORIGINS"),
    maxBodyBytes: positiveInteger(env, "MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES),
    emailVerification: oneOf(env, "EMAIL_VERIFICATION", ["none", "optional", "mandatory"], "none"),
    emailVerificationTimeoutSeconds: duration(env, "EMAIL_VERIFICATION_TIMEOUT", "3d"),
    passwordResetTimeoutSeconds: duration(env, "PASSWORD_RESET_TIMEOUT", "3d"),
    mailWebhookUrl: httpUrl(env, "MAIL_WEBHOOK_URL"),
    passwordResetUrl: linkTemplate(env, "PASSWORD_RESET_URL", ["{uid}", "{token}"]),
    emailVerificationUrl: linkTemplate(env, "EMAIL_VERIFICATION_URL", ["{key}"]),
  };
}

function text(env: Record<string, unknown>, name: string): string | undefined {
  const value = env[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" && typeof value !== "number") {
    throw new ConfigError(`${name} must be a string, got ${typeof value}.`);
  }
  const trimmed = String(value).trim();
  return trimmed === "" ? undefined : trimmed;
}

function duration(env: Record<string, unknown>, name: string, fallback: string): number {
  const value = text(env, name) ?? fallback;
  const seconds = parseDurationSeconds(value);
  if (seconds === null) {
    throw new ConfigError(
      `${name} must be a positive duration: whole seconds (3600), a unit form (45s, 30m, 12h, 15d) or ISO-8601 (P15D); got "${value}".`,
    );
  }
  return seconds;
}

function gateway(env: Record<string, unknown>): Gateway | null {
  const url = httpUrl(env, "ORIGIN_URL");
  const binding = env.ORIGIN as Fetcher | undefined;
  if (url === null && !binding) return null;
  const patterns = parsePathPatterns(text(env, "PUBLIC_PATHS") ?? "");
  if (patterns === null) {
    throw new ConfigError(
      'PUBLIC_PATHS must list paths starting with "/", each optionally ending in "*" (/health,/public/*).',
    );
  }
  return {
    url: new URL(url ?? "https://origin.internal/"),
    fetcher: binding && typeof binding.fetch === "function" ? binding : null,
    timeoutMs: duration(env, "ORIGIN_TIMEOUT", "30s") * 1000,
    publicPaths: patterns,
  };
}

function signingKey(env: Record<string, unknown>, name: string, requirePrivate: boolean): SigningKey | null {
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

function oneOf<T extends string>(env: Record<string, unknown>, name: string, choices: readonly T[], fallback: T): T {
  const value = text(env, name) ?? fallback;
  if (!(choices as readonly string[]).includes(value)) {
    throw new ConfigError(`${name} must be one of ${choices.join(", ")}; got "${value}".`);
  }
  return value as T;
}

function httpUrl(env: Record<string, unknown>, name: string): string | null {
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
function linkTemplate(env: Record<string, unknown>, name: string, placeholders: string[]): string | null {
  const value = text(env, name);
  if (value === undefined) return null;
  const missing = placeholders.filter((placeholder) => !value.includes(placeholder));
  if (!/^https?:\/\/[^/]/.test(value) || missing.length > 0) {
    throw new ConfigError(`${name} must be an http(s) URL containing ${placeholders.join(" and ")}; got "${value}".`);
  }
  return value;
}

function optionalDuration(env: Record<string, unknown>, name: string): number | null {
  const value = text(env, name);
  if (value === undefined || value.toLowerCase() === "off") return null;
  return duration(env, name, value);
}

/** A JSON object of client name → duration, e.g. `{"web":"1d","ios":"30d"}`. */
function clientDurations(env: Record<string, unknown>, name: string): ReadonlyMap<string, number> {
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

function rateLimit(env: Record<string, unknown>, name: string, fallback: string): RateLimit | null {
  const value = text(env, name) ?? fallback;
  const parsed = parseRateLimit(value);
  if (parsed === undefined)
    throw new ConfigError(`${name} must be a count per duration such as 10/15m, or off; got "${value}".`);
  return parsed;
}

function optionalPositiveInteger(env: Record<string, unknown>, name: string): number | null {
  return text(env, name) === undefined ? null : positiveInteger(env, name, 0);
}

function positiveInteger(env: Record<string, unknown>, name: string, fallback: number): number {
  const value = text(env, name);
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) < 1) {
    throw new ConfigError(`${name} must be a positive whole number; got "${value}".`);
  }
  return Number(value);
}

function cookieName(env: Record<string, unknown>, name: string, fallback: string): string {
  const value = text(env, name) ?? fallback;
  if (!COOKIE_NAME.test(value)) throw new ConfigError(`${name} must be a valid cookie name; got "${value}".`);
  return value;
}

function origins(env: Record<string, unknown>, name: string): ReadonlySet<string> {
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
