/**
 * The one place the Worker's vars and secrets are read. `loadConfig(env)` parses and validates them into a
 * typed `Config`; an invalid value throws `ConfigError` naming the variable, which the app answers with a
 * 500 configuration error on every request rather than guessing (never an endless token).
 */
import { parseDurationSeconds } from "./auth/duration";

export interface Config {
  /** `TOKEN_TTL`: how long a token lives after it was created. Default 15 days. */
  tokenTtlSeconds: number;
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
    tokenTtlSeconds: duration(env, "TOKEN_TTL", DEFAULT_TOKEN_TTL),
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
