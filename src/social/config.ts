/**
 * Sign-in providers from configuration (API.md, "Sign-in with other providers"). Pure: parses the raw vars
 * into typed providers, or throws `ConfigError` naming the variable and what it must be.
 *
 *   SOCIAL_PROVIDERS       JSON map of provider name → settings, e.g.
 *                          {"google":{"issuer":"https://accounts.google.com","client_id":"…"},
 *                           "github":{"kind":"github","client_id":"…"},
 *                           "apple":{"kind":"apple","client_id":"com.example.web","team_id":"…","key_id":"…"}}
 *   SOCIAL_<NAME>_SECRET   the provider's client secret (Apple: the .p8 private key, PEM)
 *   SOCIAL_LOGIN_REDIRECT  where the browser flow lands: a path of this service or an ALLOWED_ORIGINS URL
 *   SOCIAL_COOKIE_KEY      HMAC key signing the browser flow's cookie (a development key in development)
 */
import { ConfigError, text, type Vars } from "../config-readers";

interface ProviderBase {
  /** The name in paths (`/auth/social/{name}/`) and in `SOCIAL_<NAME>_SECRET`. */
  name: string;
  clientId: string;
  /** `SOCIAL_<NAME>_SECRET`; null for a public client (PKCE only) or a provider used for ID tokens only. */
  clientSecret: string | null;
  scopes: readonly string[];
}

/** Any OpenID Connect issuer, found through its discovery document. Apple is one, with `apple` set. */
export interface OidcProvider extends ProviderBase {
  kind: "oidc";
  /** The exact `iss` of its ID tokens; discovery is read from `<issuer>/.well-known/openid-configuration`. */
  issuer: string;
  /** The `aud` values accepted in ID tokens: `client_id` plus native apps' ids (`audiences`). */
  audiences: readonly string[];
  /** Apple's specifics: the client secret is an ES256 JWT signed with the .p8 key; the callback is a form POST. */
  apple: { teamId: string; keyId: string } | null;
}

/** GitHub (OAuth 2.0 without OpenID Connect): the identity and e-mail come from its REST API. */
export interface GitHubProvider extends ProviderBase {
  kind: "github";
  /** Where its authorize and token endpoints live (`https://github.com`, or a GitHub Enterprise server). */
  webUrl: string;
  /** Its REST API (`https://api.github.com`). */
  apiUrl: string;
}

export type SocialProvider = OidcProvider | GitHubProvider;

export interface SocialConfig {
  providers: ReadonlyMap<string, SocialProvider>;
  /** `SOCIAL_LOGIN_REDIRECT`: a path of this service or an absolute URL on an allowed origin. Default `/account`. */
  loginRedirect: string;
  /** `SOCIAL_COOKIE_KEY`: signs the browser flow's cookie; null means none was set outside development. */
  cookieKey: string | null;
}

/** A provider's name: it appears in paths and in a secret's name (`SOCIAL_<NAME>_SECRET`). */
const PROVIDER_NAME = /^[a-z][a-z0-9-]{0,31}$/;
/** `social/accounts/` is the linked-accounts list, so no provider may be called that. */
const RESERVED_NAMES = new Set(["accounts"]);
const APPLE_ISSUER = "https://appleid.apple.com";
const DEFAULT_OIDC_SCOPE = "openid email profile";
/** Apple has no `profile` scope; `name` is sent once, in the first callback's form. */
const DEFAULT_APPLE_SCOPE = "openid email name";
/** `read:user` for the profile, `user:email` for the addresses and their verified flags. */
const DEFAULT_GITHUB_SCOPE = "read:user user:email";
/** HMAC-SHA256 keys shorter than this are guessable offline from one signed cookie. */
const MIN_COOKIE_KEY_LENGTH = 32;
/**
 * For local development only: a cookie key that is public in this repository. Used only while
 * `SOCIAL_COOKIE_KEY` is unset and `ENVIRONMENT=development` (which serves loopback hosts only).
 */
export const DEVELOPMENT_COOKIE_KEY = "development-only-social-cookie-key-not-a-secret";

const ALLOWED_KEYS = {
  oidc: ["kind", "issuer", "client_id", "scope", "audiences"],
  apple: ["kind", "issuer", "client_id", "scope", "audiences", "team_id", "key_id"],
  github: ["kind", "client_id", "scope", "url", "api_url"],
} as const;

/** The secret holding a provider's client secret: `SOCIAL_<NAME>_SECRET`, the name upper-cased, `-` as `_`. */
export function secretName(provider: string): string {
  return `SOCIAL_${provider.toUpperCase().replaceAll("-", "_")}_SECRET`;
}

export function socialConfig(
  env: Vars,
  development: boolean,
  serviceOrigin: string | null,
  allowedOrigins: ReadonlySet<string>,
): SocialConfig {
  return {
    providers: providers(env),
    loginRedirect: loginRedirect(env, serviceOrigin, allowedOrigins),
    cookieKey: cookieKey(env, development),
  };
}

function providers(env: Vars): ReadonlyMap<string, SocialProvider> {
  const name = "SOCIAL_PROVIDERS";
  const value = text(env, name);
  const found = new Map<string, SocialProvider>();
  if (value === undefined) return found;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new ConfigError(`${name} must be a JSON object of provider name to settings; got invalid JSON.`);
  }
  if (!isObject(parsed)) throw new ConfigError(`${name} must be a JSON object of provider name to settings.`);
  for (const [provider, settings] of Object.entries(parsed)) {
    if (!PROVIDER_NAME.test(provider) || RESERVED_NAMES.has(provider)) {
      throw new ConfigError(
        `${name}: "${provider}" is not a valid provider name (lower-case letters, digits and -, at most 32, not "accounts").`,
      );
    }
    if (!isObject(settings)) throw new ConfigError(`${name}: the settings of "${provider}" must be a JSON object.`);
    found.set(provider, parseProvider(env, provider, settings));
  }
  return found;
}

function parseProvider(env: Vars, name: string, settings: Record<string, unknown>): SocialProvider {
  const where = `SOCIAL_PROVIDERS: "${name}"`;
  const kind = settings.kind ?? "oidc";
  if (kind !== "oidc" && kind !== "apple" && kind !== "github") {
    throw new ConfigError(`${where} has an unknown kind ${JSON.stringify(kind)} (oidc, apple or github).`);
  }
  const allowed: readonly string[] = ALLOWED_KEYS[kind];
  const unknown = Object.keys(settings).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    throw new ConfigError(`${where} has unknown settings ${unknown.join(", ")} (allowed: ${allowed.join(", ")}).`);
  }
  const field = (key: string, required: boolean): string | undefined => {
    const value = settings[key];
    if (value === undefined && !required) return undefined;
    if (typeof value !== "string" || value.trim() === "") {
      throw new ConfigError(`${where} needs "${key}" as a non-empty string.`);
    }
    return value.trim();
  };
  const clientId = field("client_id", true) as string;
  const clientSecret = text(env, secretName(name)) ?? null;
  const scopeDefault = kind === "github" ? DEFAULT_GITHUB_SCOPE : kind === "apple" ? DEFAULT_APPLE_SCOPE : undefined;
  const scopes = (field("scope", false) ?? scopeDefault ?? DEFAULT_OIDC_SCOPE).split(/\s+/);
  const base = { name, clientId, clientSecret, scopes };

  if (kind === "github") {
    return {
      ...base,
      kind,
      webUrl: baseUrl(where, "url", field("url", false) ?? "https://github.com"),
      apiUrl: baseUrl(where, "api_url", field("api_url", false) ?? "https://api.github.com"),
    };
  }
  const issuer = baseUrl(where, "issuer", field("issuer", kind === "oidc") ?? APPLE_ISSUER, true);
  if (kind === "oidc" && !scopes.includes("openid")) throw new ConfigError(`${where}: "scope" must include openid.`);
  const extra = settings.audiences ?? [];
  if (!Array.isArray(extra) || !extra.every((entry) => typeof entry === "string" && entry !== "")) {
    throw new ConfigError(`${where}: "audiences" must be a list of client ids (native apps).`);
  }
  let apple: OidcProvider["apple"] = null;
  if (kind === "apple") {
    apple = { teamId: field("team_id", true) as string, keyId: field("key_id", true) as string };
    if (clientSecret !== null && !clientSecret.includes("-----BEGIN PRIVATE KEY-----")) {
      throw new ConfigError(`${secretName(name)} must be Apple's .p8 private key (PEM, -----BEGIN PRIVATE KEY-----).`);
    }
  }
  return { ...base, kind: "oidc", issuer, audiences: [clientId, ...(extra as string[])], apple };
}

/**
 * An http(s) base URL. An issuer is kept exactly as given (ID tokens must carry it verbatim); other bases lose
 * a trailing slash so paths can be appended. Plain http only for loopback hosts (local test providers).
 */
function baseUrl(where: string, key: string, value: string, exact = false): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {}
  const loopback = url !== undefined && /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/.test(url.hostname);
  if (!url || !(url.protocol === "https:" || (url.protocol === "http:" && loopback)) || url.search || url.hash) {
    throw new ConfigError(
      `${where}: "${key}" must be an https URL without query (http only on loopback); got "${value}".`,
    );
  }
  return exact ? value : value.replace(/\/+$/, "");
}

/**
 * `SOCIAL_LOGIN_REDIRECT`: a path of this service (`/account`, never `//host`), or an absolute URL whose origin is
 * the service's or in `ALLOWED_ORIGINS`. Anything else would make the callback an open redirect.
 */
function loginRedirect(env: Vars, serviceOrigin: string | null, allowedOrigins: ReadonlySet<string>): string {
  const name = "SOCIAL_LOGIN_REDIRECT";
  const value = text(env, name) ?? "/account";
  if (isLocalPath(value)) return value;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {}
  if (url && (url.origin === serviceOrigin || allowedOrigins.has(url.origin))) return url.toString();
  throw new ConfigError(
    `${name} must be a path of this service (/account) or a URL on SERVICE_ORIGIN or an ALLOWED_ORIGINS origin; got "${value}".`,
  );
}

/** A path on this host: starts with one `/`, and no `\` or control character a browser would turn into `//`. */
export function isLocalPath(value: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
  return value.startsWith("/") && !value.startsWith("//") && !/[\\\u0000-\u001f\u007f]/.test(value);
}

function cookieKey(env: Vars, development: boolean): string | null {
  const name = "SOCIAL_COOKIE_KEY";
  const value = text(env, name);
  if (value === undefined) return development ? DEVELOPMENT_COOKIE_KEY : null;
  if (value.length < MIN_COOKIE_KEY_LENGTH) {
    throw new ConfigError(
      `${name} must be at least ${MIN_COOKIE_KEY_LENGTH} characters (e.g. openssl rand -base64 32).`,
    );
  }
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
