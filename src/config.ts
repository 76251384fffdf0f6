/**
 * The one place the Worker's vars and secrets are read. `loadConfig(env)` parses and validates them into a
 * typed `Config`; an invalid value throws `ConfigError` naming the variable, which the app answers with a
 * 500 configuration error on every request rather than guessing (never an endless token).
 */
import type { ExpiryPolicy } from "./auth/expiry";
import type { RateLimit } from "./auth/rate-limit";
import type { PurgePolicy } from "./auth/retention";
import {
  ConfigError,
  clientDurations,
  cookieName,
  duration,
  encryptionKey,
  hostName,
  httpUrl,
  linkTemplate,
  oneOf,
  optionalDuration,
  origin,
  origins,
  positiveInteger,
  positiveIntegerOrOff,
  rateLimit,
  signingKey,
  text,
  type Vars,
} from "./config-readers";
import { type PathPattern, parsePathPatterns } from "./gateway/public-paths";
import type { SigningKey } from "./gateway/signing-key";
import { isLoopbackHostname } from "./http/host";
import { type SocialConfig, socialConfig } from "./social/config";

export { ConfigError };

const millis = (seconds: number | null) => (seconds === null ? null : seconds * 1000);

export interface Config {
  /**
   * `ENVIRONMENT=development` (wrangler.toml's top level, what `npm start` and `wrangler dev` run): enables the
   * development signing key and printing unsent mail. Default (and `production`): off.
   */
  development: boolean;
  /**
   * When tokens expire: `TOKEN_TTL` (default 15 days), `CLIENT_TOKEN_TTLS` (per client, default none) and
   * `TOKEN_IDLE_TTL` (default off).
   */
  expiry: ExpiryPolicy;
  /**
   * `TOKEN_CACHE_TTL`: how long a validated token may be served from a cache (the isolate's memory, then the
   * data centre's Cache API) without reading D1. Default off.
   */
  tokenCacheTtlMs: number | null;
  /**
   * `D1_READ_REPLICAS`: token checks read the nearest D1 read replica (Sessions API), and the primary only for a
   * key the replica does not hold. Writes always go to the primary. Default off.
   */
  d1ReadReplicas: boolean;
  /** `MAX_TOKENS_PER_USER`: live tokens per user before logins evict the least recently used; null when `off`. Default 100. */
  maxTokensPerUser: number | null;
  /** `EXPIRED_TOKEN_RETENTION`: how long the purge keeps expired tokens (answering "Token has expired"). Default 7 days. */
  expiredTokenRetentionSeconds: number;
  /** `ACTIVITY_RETENTION`: how long the security activity log keeps an event. Default 90 days. */
  activityRetentionSeconds: number;
  /** `NEW_SIGNIN_EMAIL`: mail the user about a sign-in from a device and location not seen before. Default on. */
  newSignInEmail: boolean;
  /** What the scheduled purge keeps: derived from the TTLs, `EXPIRED_TOKEN_RETENTION`, `ACTIVITY_RETENTION` and the throttle windows. */
  purge: PurgePolicy;
  /** `LOGIN_FAILURES_PER_ACCOUNT`: failed logins per account named before 429. Default 10/15m. */
  loginFailuresPerAccount: RateLimit | null;
  /** `LOGIN_FAILURES_PER_IP`: failed logins per client IP before 429. Default 100/15m. */
  loginFailuresPerIp: RateLimit | null;
  /** `MAIL_REQUESTS_PER_ADDRESS`: reset and verification mails requested per address. Default 5/1h. */
  mailRequestsPerAddress: RateLimit | null;
  /** `MAIL_REQUESTS_PER_IP`: reset and verification mails requested per client IP. Default 20/1h. */
  mailRequestsPerIp: RateLimit | null;
  /** `REGISTRATIONS_PER_IP`: registration requests per client IP. Default 20/1h. */
  registrationsPerIp: RateLimit | null;
  /** The gateway; null without `ORIGIN_URL` (other paths then answer 404). */
  gateway: Gateway | null;
  gatewayKeys: GatewayKeys;
  /** `AUTH_COOKIE_NAME`: the HttpOnly cookie carrying the token for browsers. Default `auth_token`. */
  authCookieName: string;
  /**
   * `SERVICE_ORIGIN`: the service's public origin (mailed links, the CSRF check's own origin, the assertion's
   * `iss`); requests naming another host get 400. Null (the default) serves loopback hosts only.
   */
  serviceOrigin: string | null;
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
  /** Second factors and passkeys. */
  mfa: MfaConfig;
  /** `SOCIAL_PROVIDERS`, `SOCIAL_<NAME>_SECRET`, `SOCIAL_LOGIN_REDIRECT`, `SOCIAL_COOKIE_KEY` (src/social/config.ts). */
  social: SocialConfig;
}

export interface MfaConfig {
  /** `MFA_ENCRYPTION_KEY` (secret): the AES-256 key sealing TOTP secrets; null means the development key, locally only. */
  encryptionKey: Uint8Array | null;
  /** `WEBAUTHN_RP_ID`: the passkeys' relying party id; null means the host the request came to. */
  rpId: string | null;
  /** `WEBAUTHN_RP_NAME`: the name authenticators show (and the TOTP issuer); null means the rp id. */
  rpName: string | null;
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

interface GatewayKeys {
  /** `GATEWAY_SIGNING_KEY` (secret): signs `X-Auth-Assertion`; null means the development key, in development only. */
  current: SigningKey | null;
  /** `GATEWAY_PREVIOUS_SIGNING_KEY`: still published in the JWKS during a rotation, never used to sign. */
  previous: SigningKey | null;
}

type EmailVerificationMode = "none" | "optional" | "mandatory";

const DEFAULT_TOKEN_TTL = "15d";
const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
/** Bounds what one account can pile up (each login a row); far above the devices of a real person. */
const DEFAULT_MAX_TOKENS_PER_USER = 100;

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
  const development = oneOf(env, "ENVIRONMENT", ["development", "production"], "production") === "development";
  const serviceOrigin = origin(env, "SERVICE_ORIGIN");
  // Development settings hand out a signing key whose private half is public. Serving only this machine keeps a
  // deploy that forgot to switch them off from ever answering (or signing for) a public host.
  if (development && serviceOrigin !== null && !isLoopbackHostname(new URL(serviceOrigin).hostname)) {
    throw new ConfigError(
      `ENVIRONMENT=development serves only localhost and loopback addresses; set ENVIRONMENT=production to serve SERVICE_ORIGIN ${serviceOrigin}.`,
    );
  }
  const allowedOrigins = origins(env, "ALLOWED_ORIGINS");
  const expiry: ExpiryPolicy = {
    ttlSeconds: duration(env, "TOKEN_TTL", DEFAULT_TOKEN_TTL),
    clientTtlSeconds: clientDurations(env, "CLIENT_TOKEN_TTLS"),
    idleTtlSeconds: optionalDuration(env, "TOKEN_IDLE_TTL"),
  };
  // Read in this order, so that of several invalid vars the same one is named as before.
  const tokenCacheTtlMs = millis(optionalDuration(env, "TOKEN_CACHE_TTL"));
  const d1ReadReplicas = oneOf(env, "D1_READ_REPLICAS", ["on", "off"], "off") === "on";
  const maxTokensPerUser = positiveIntegerOrOff(env, "MAX_TOKENS_PER_USER", DEFAULT_MAX_TOKENS_PER_USER);
  const expiredTokenRetentionSeconds = duration(env, "EXPIRED_TOKEN_RETENTION", "7d");
  const activityRetentionSeconds = duration(env, "ACTIVITY_RETENTION", "90d");
  const newSignInEmail = oneOf(env, "NEW_SIGNIN_EMAIL", ["on", "off"], "on") === "on";
  const throttles = {
    loginFailuresPerAccount: rateLimit(env, "LOGIN_FAILURES_PER_ACCOUNT", "10/15m"),
    loginFailuresPerIp: rateLimit(env, "LOGIN_FAILURES_PER_IP", "100/15m"),
    mailRequestsPerAddress: rateLimit(env, "MAIL_REQUESTS_PER_ADDRESS", "5/1h"),
    mailRequestsPerIp: rateLimit(env, "MAIL_REQUESTS_PER_IP", "20/1h"),
    registrationsPerIp: rateLimit(env, "REGISTRATIONS_PER_IP", "20/1h"),
  };
  const windows = Object.values(throttles).map((rule) => rule?.windowSeconds ?? 0);
  return {
    development,
    expiry,
    tokenCacheTtlMs,
    d1ReadReplicas,
    maxTokensPerUser,
    expiredTokenRetentionSeconds,
    activityRetentionSeconds,
    newSignInEmail,
    purge: {
      expiry,
      expiredTokenRetentionSeconds,
      longestThrottleWindowSeconds: Math.max(0, ...windows),
      activityRetentionSeconds,
    },
    ...throttles,
    gateway: gateway(env),
    gatewayKeys: {
      current: signingKey(env, "GATEWAY_SIGNING_KEY", true),
      previous: signingKey(env, "GATEWAY_PREVIOUS_SIGNING_KEY", false),
    },
    authCookieName: cookieName(env, "AUTH_COOKIE_NAME", "auth_token"),
    serviceOrigin,
    allowedOrigins,
    maxBodyBytes: positiveInteger(env, "MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES),
    emailVerification: oneOf(env, "EMAIL_VERIFICATION", ["none", "optional", "mandatory"], "none"),
    emailVerificationTimeoutSeconds: duration(env, "EMAIL_VERIFICATION_TIMEOUT", "3d"),
    passwordResetTimeoutSeconds: duration(env, "PASSWORD_RESET_TIMEOUT", "3d"),
    mailWebhookUrl: httpUrl(env, "MAIL_WEBHOOK_URL"),
    passwordResetUrl: linkTemplate(env, "PASSWORD_RESET_URL", ["{uid}", "{token}"]),
    emailVerificationUrl: linkTemplate(env, "EMAIL_VERIFICATION_URL", ["{key}"]),
    mfa: {
      encryptionKey: encryptionKey(env, "MFA_ENCRYPTION_KEY"),
      rpId: hostName(env, "WEBAUTHN_RP_ID"),
      rpName: text(env, "WEBAUTHN_RP_NAME") ?? null,
    },
    social: socialConfig(env, development, serviceOrigin, allowedOrigins),
  };
}

function gateway(env: Vars): Gateway | null {
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
