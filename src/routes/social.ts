/**
 * `social/…`: signing in with other providers (API.md, "Sign-in with other providers").
 *   GET  social/{provider}/            the browser flow: 302 to the provider, its state in a signed cookie
 *   GET  social/{provider}/callback/   (POST for Apple's form_post) back from it: signed in, 302 onwards
 *   POST social/{provider}/            mobile and single-page apps: a code + PKCE verifier, or an ID token
 *   GET  social/accounts/, DELETE social/accounts/{id}/   the user's linked identities
 */
import { generateCodeVerifier } from "arctic";
import { type Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { HTTPException } from "hono/http-exception";
import { z } from "zod";
import { constantTimeEqual } from "../auth/digest";
import { isoTimestamp } from "../auth/expiry";
import { randomBase62 } from "../auth/random";
import { ConfigError } from "../config";
import type { AppEnv } from "../context";
import type { LoginReservation } from "../core/throttle";
import type { SocialIdentityRow } from "../db/schema";
import { detailError, fieldErrors, methodNotAllowed, NOT_FOUND, nonFieldError } from "../errors";
import { readData } from "../http/body";
import { charField, clientNameField, parseFields, requireValid } from "../http/fields";
import { tokenAnswer } from "../http/session-token";
import { refuseIfThrottled } from "../http/throttle";
import { authenticate, enforceLoginCsrf } from "../middleware/authenticate";
import { logEvent } from "../observability/log";
import { markAuth, requestFields } from "../observability/middleware";
import type { SocialProvider } from "../social/config";
import { ProviderUnavailableError, SOCIAL_MESSAGES, SocialSignInError } from "../social/errors";
import { authorizationUrl, profileFromCode, profileFromIdToken } from "../social/exchange";
import { FLOW_COOKIE_NAME, FLOW_SECONDS, openFlow, type SignInFlow, sealFlow } from "../social/flow-cookie";
import type { ProviderProfile } from "../social/id-token";
import { signInWithProfile } from "../social/sign-in";
import { deleteUserIdentity, listUserIdentities } from "../store/identities";

/** ID tokens with many claims run to a few KiB; far above any real one, far below the body limit. */
const MAX_ID_TOKEN_LENGTH = 16_384;
const MAX_CODE_LENGTH = 2048;
/** RFC 7636: a verifier is 43 to 128 characters. */
const MAX_CODE_VERIFIER_LENGTH = 128;
const FLOW_COOKIE_PATH = "/auth/social/";

export const socialLoginFields = z.object({
  id_token: charField({ maxLength: MAX_ID_TOKEN_LENGTH }).optional(),
  code: charField({ maxLength: MAX_CODE_LENGTH }).optional(),
  code_verifier: charField({ maxLength: MAX_CODE_VERIFIER_LENGTH }).optional(),
  redirect_uri: charField({ maxLength: MAX_CODE_LENGTH }).optional(),
  /** The nonce the app put in its authorization request (or native SDK call); the ID token must carry it. */
  nonce: charField({ maxLength: 256 }).optional(),
  client: clientNameField(),
});

/** What a provider posts back (Apple's form_post); documented for OpenAPI, read loosely by the callback. */
export const socialCallbackFields = z.object({
  code: charField({ maxLength: MAX_CODE_LENGTH }).optional(),
  state: charField({ maxLength: 256 }).optional(),
  /** Apple: the person's name as JSON, on the first sign-in only. */
  user: charField({ maxLength: 4096 }).optional(),
  error: charField({ maxLength: 256 }).optional(),
  iss: charField({ maxLength: 2048 }).optional(),
});

export const socialRoutes = new Hono<AppEnv>();

// Before `social/:provider`: "accounts" is the list, never a provider (the configuration refuses the name).
socialRoutes.use("/social/accounts", authenticate());
socialRoutes.use("/social/accounts/*", authenticate());

// Any other method on the list is DRF's 405 here, before `social/:provider` could take "accounts" for a name.
socialRoutes.all("/social/accounts", async (c, next) => {
  if (!["GET", "HEAD", "OPTIONS"].includes(c.req.method)) {
    throw methodNotAllowed(c.req.method, ["GET", "HEAD", "OPTIONS"]);
  }
  await next();
});

socialRoutes.get("/social/accounts", async (c) => {
  const rows = await listUserIdentities(c.get("db"), c.get("session").user.id);
  return c.json(rows.map(identityJson));
});

socialRoutes.delete("/social/accounts/:id", async (c) => {
  const outcome = await deleteUserIdentity(c.get("db"), c.get("session").user.id, c.req.param("id"));
  if (outcome === "not-found") throw detailError(404, NOT_FOUND);
  // django-allauth's wording: without a password (or another identity) the account could not be entered again.
  if (outcome === "last") throw nonFieldError("Your account has no password set up.");
  return c.body(null, 204);
});

socialRoutes.get("/social/:provider", async (c) => {
  const provider = configuredProvider(c);
  const key = cookieKey(c);
  const now = c.get("now");
  const flow: SignInFlow = {
    provider: provider.name,
    state: randomBase62(32),
    codeVerifier: generateCodeVerifier(),
    nonce: randomBase62(32),
    expiresMs: now + FLOW_SECONDS * 1000,
  };
  const url = await failClearly(c, provider, "detail", () =>
    authorizationUrl(provider, callbackUri(c, provider), flow, now),
  );
  setCookie(c, FLOW_COOKIE_NAME, await sealFlow(flow, key), { ...flowCookieOptions(provider), maxAge: FLOW_SECONDS });
  return c.redirect(url.toString(), 302);
});

async function callback(c: Context<AppEnv>) {
  const provider = configuredProvider(c);
  const key = cookieKey(c);
  const params: Record<string, unknown> =
    c.req.method === "POST" ? await readData(c, c.get("config").maxBodyBytes) : c.req.query();
  const flow = await openFlow(getCookie(c, FLOW_COOKIE_NAME), key, c.get("now"));
  // One use per cookie from this browser's side; a replayed cookie still meets the provider's single-use code.
  deleteCookie(c, FLOW_COOKIE_NAME, flowCookieOptions(provider));
  const signedIn = await attemptSignIn(c, provider, "detail", async (reservation) => {
    const state = params.state;
    if (!flow || flow.provider !== provider.name || typeof state !== "string" || !constantTimeEqual(state, flow.state))
      throw new SocialSignInError(SOCIAL_MESSAGES.state, "state missing, expired or not this browser's");
    if (params.error !== undefined) throw new SocialSignInError(SOCIAL_MESSAGES.refused, "the provider sent an error");
    // RFC 9207: a provider that names itself must be the one this flow went to (mix-up attacks).
    if (params.iss !== undefined && provider.kind === "oidc" && params.iss !== provider.issuer)
      throw new SocialSignInError(SOCIAL_MESSAGES.state, "the callback's iss is another issuer's");
    if (typeof params.code !== "string" || params.code === "" || params.code.length > MAX_CODE_LENGTH)
      throw new SocialSignInError(SOCIAL_MESSAGES.code, "no code in the callback");
    const grant = {
      code: params.code,
      codeVerifier: flow.codeVerifier,
      redirectUri: callbackUri(c, provider),
      nonce: flow.nonce,
    };
    const profile = withAppleNames(await profileFromCode(provider, grant, c.get("now")), params.user);
    return signInWithProfile(c, provider.name, profile, null, reservation);
  });
  if (signedIn.secondStep) {
    // The second factor is asked on the account page: the ticket travels in the fragment, which no server sees.
    const { mfa_token, methods } = signedIn.secondStep;
    const fragment = new URLSearchParams({ mfa_token, methods: methods.join(",") });
    return c.redirect(`/account#${fragment}`, 302);
  }
  const { config } = c.var;
  const { setCookie: authCookie } = tokenAnswer(signedIn.issued, signedIn.user, config.expiry, config.authCookieName);
  c.header("Set-Cookie", authCookie, { append: true });
  return c.redirect(c.get("config").social.loginRedirect, 302);
}

socialRoutes.get("/social/:provider/callback", callback);
// Apple returns with a form POST (response_mode=form_post); any provider may, the checks are the same.
socialRoutes.post("/social/:provider/callback", callback);

socialRoutes.post("/social/:provider", async (c) => {
  // It sets the auth cookie too: the same login-CSRF rule as login.
  enforceLoginCsrf(c);
  const provider = configuredProvider(c);
  const data = await readData(c, c.get("config").maxBodyBytes);
  const fields = requireValid(parseFields(socialLoginFields, data));
  if (!fields.id_token && !fields.code) {
    throw nonFieldError('Include either "id_token", or "code" and "redirect_uri" (with "code_verifier" for PKCE).');
  }
  if (!fields.id_token && !fields.redirect_uri) throw fieldErrors({ redirect_uri: ["This field is required."] });
  const now = c.get("now");
  const signedIn = await attemptSignIn(c, provider, "non_field_errors", async (reservation) => {
    const profile = fields.id_token
      ? await profileFromIdToken(provider, fields.id_token, fields.nonce || null, now)
      : await profileFromCode(
          provider,
          {
            code: fields.code as string,
            codeVerifier: fields.code_verifier || null,
            redirectUri: fields.redirect_uri as string,
            nonce: fields.nonce || null,
          },
          now,
        );
    return signInWithProfile(c, provider.name, profile, fields.client || null, reservation);
  });
  if (signedIn.secondStep) return c.json({ mfa_required: true, ...signedIn.secondStep });
  const { config } = c.var;
  const { body, setCookie: authCookie } = tokenAnswer(
    signedIn.issued,
    signedIn.user,
    config.expiry,
    config.authCookieName,
  );
  c.header("Set-Cookie", authCookie, { append: true });
  return c.json(body);
});

function configuredProvider(c: Context<AppEnv>): SocialProvider {
  const provider = c.get("config").social.providers.get(c.req.param("provider") ?? "");
  if (!provider) throw detailError(404, NOT_FOUND);
  return provider;
}

/** The browser flow cannot run without its signing key: a clear configuration error, never an unsigned cookie. */
function cookieKey(c: Context<AppEnv>): string {
  const key = c.get("config").social.cookieKey;
  if (key === null) {
    throw new ConfigError("SOCIAL_COOKIE_KEY must be set (a secret of at least 32 characters) for the browser flow.");
  }
  return key;
}

function callbackUri(c: Context<AppEnv>, provider: SocialProvider): string {
  return `${c.get("serviceOrigin")}/auth/social/${provider.name}/callback/`;
}

/**
 * Lax keeps the cookie on the provider's top-level redirect back. Apple comes back with a cross-site form POST,
 * on which browsers send only SameSite=None cookies; the signed state, not the cookie's scope, is what stops a
 * forged callback.
 */
function flowCookieOptions(provider: SocialProvider) {
  const crossSitePost = provider.kind === "oidc" && provider.apple !== null;
  return {
    httpOnly: true,
    secure: true,
    path: FLOW_COOKIE_PATH,
    sameSite: crossSitePost ? ("None" as const) : ("Lax" as const),
  };
}

/**
 * One sign-in attempt, throttled as a login: it takes a place in the client IP's login-failure window first (429
 * when full; there is no account named before the provider has answered), keeps it when refused, and gives it
 * back when it succeeds (in its batch: `reservation`) or when the provider was down (not the client's failure).
 */
async function attemptSignIn<T>(
  c: Context<AppEnv>,
  provider: SocialProvider,
  dialect: "detail" | "non_field_errors",
  step: (reservation: LoginReservation) => Promise<T>,
): Promise<T> {
  const { throttle } = c.get("auth");
  const reservation = await throttle.reserveLogin(null, false, c.req.header("cf-connecting-ip"));
  refuseIfThrottled(reservation);
  try {
    return await failClearly(c, provider, dialect, () => step(reservation));
  } catch (error) {
    if (error instanceof HTTPException && error.status === 502) await throttle.releaseLogin(reservation);
    throw error;
  }
}

/**
 * Runs one sign-in step and answers its expected failures: a bad state, code or token is 400 (in the dialect
 * of the endpoint: `detail` for the browser's callback, DRF's `non_field_errors` for the API), the provider
 * unreachable is 502. Nothing has been written when either is thrown.
 */
async function failClearly<T>(
  c: Context<AppEnv>,
  provider: SocialProvider,
  dialect: "detail" | "non_field_errors",
  step: () => Promise<T>,
): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof SocialSignInError) {
      markAuth(c, "login_failed");
      logEvent("warn", "social_login_failed", { ...requestFields(c), provider: provider.name, reason: error.reason });
      throw dialect === "detail" ? detailError(400, error.wire) : nonFieldError(error.wire);
    }
    if (error instanceof ProviderUnavailableError) {
      logEvent("error", "social_provider_unavailable", {
        ...requestFields(c),
        provider: provider.name,
        reason: error.message,
      });
      throw detailError(502, SOCIAL_MESSAGES.unavailable);
    }
    throw error;
  }
}

/**
 * Apple sends the person's name only once, in the first callback's `user` form field (JSON), and never in the ID
 * token: taken for a new account's first and last name, ignored when malformed.
 */
function withAppleNames(profile: ProviderProfile, user: unknown): ProviderProfile {
  if (typeof user !== "string") return profile;
  try {
    const name = (JSON.parse(user) as { name?: { firstName?: unknown; lastName?: unknown } }).name;
    return {
      ...profile,
      firstName: typeof name?.firstName === "string" ? name.firstName : profile.firstName,
      lastName: typeof name?.lastName === "string" ? name.lastName : profile.lastName,
    };
  } catch {
    return profile;
  }
}

/** A linked identity as listed (dj-rest-auth's SocialAccountSerializer fields, plus the provider's e-mail). */
function identityJson(row: SocialIdentityRow) {
  return {
    id: row.id,
    provider: row.provider,
    uid: row.subject,
    email: row.email ?? "",
    date_joined: isoTimestamp(row.createdMs),
    last_login: isoTimestamp(row.lastLoginMs ?? row.createdMs),
  };
}
