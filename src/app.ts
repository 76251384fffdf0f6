/**
 * Builds the Hono app: per-request context (clock, configuration, database, the auth core), the `/auth/`
 * routes, and one error handler that turns every failure into API.md's JSON shapes.
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { ISOLATE_MEMORY, type MemoryLayer } from "./cache/memory-layer";
import { type Config, ConfigError, loadConfig } from "./config";
import type { AppEnv, Clock } from "./context";
import { AuthCore } from "./core/auth";
import { backgroundTasks } from "./core/background";
import { EdgeSessionCache } from "./core/session-cache";
import { NOT_FOUND, SERVER_ERROR, SERVICE_UNAVAILABLE, StoreUnavailableError } from "./errors";
import { answerUnlistedMethods } from "./http/methods";
import { createMailer, mailLinks } from "./mail/mailer";
import { corsForAllowedOrigins } from "./middleware/cors";
import { checkHost } from "./middleware/host";
import { logEvent, stackFrames } from "./observability/log";
import { observeRequests, requestFields } from "./observability/middleware";
import { accountRoutes } from "./routes/account";
import { activityRoutes } from "./routes/activity";
import { docsRoutes } from "./routes/docs";
import { emailVerificationRoutes } from "./routes/email-verification";
import { forwardToOrigin } from "./routes/gateway";
import { loginRoutes } from "./routes/login";
import { loginMfaRoutes } from "./routes/login-mfa";
import { mfaRoutes } from "./routes/mfa";
import { passkeyRoutes } from "./routes/passkeys";
import { passwordRoutes } from "./routes/password";
import { registrationRoutes } from "./routes/registration";
import { sessionRoutes } from "./routes/sessions";
import { socialRoutes } from "./routes/social";
import { userRoutes } from "./routes/user";
import { wellKnownRoutes } from "./routes/well-known";
import { database, storeFailureReason } from "./store/db";

export interface AppOptions {
  /** Milliseconds since the epoch; read once per request. Defaults to `Date.now`. */
  clock?: Clock;
  /** Waits between mail delivery attempts. Defaults to 1 s then 4 s. */
  mailRetryDelaysMs?: readonly number[];
  /** The isolate's layer of the session cache. Defaults to this isolate's; tests pass a fresh one to play another isolate. */
  sessionMemory?: MemoryLayer;
}

export function createApp({ clock = Date.now, mailRetryDelaysMs, sessionMemory = ISOLATE_MEMORY }: AppOptions = {}) {
  // strict: false — every path also answers without its trailing slash, as API.md requires.
  const app = new Hono<AppEnv>({ strict: false });
  // One cache object per configuration (that is, per isolate and deploy), not one per request.
  const sessionCaches = new WeakMap<Config, EdgeSessionCache>();
  const sessionCacheFor = (config: Config) => {
    let cache = sessionCaches.get(config);
    if (!cache) {
      // The data centre's cache, shared by every isolate there (a no-op on workers.dev and in previews).
      cache = new EdgeSessionCache(config, sessionMemory, caches.default);
      sessionCaches.set(config, cache);
    }
    return cache;
  };

  // First, so that every answer, configuration errors included, is timed, logged and given its request id.
  app.use(observeRequests());
  app.use(async function requestContext(c, next) {
    c.set("now", clock());
    const config = loadConfig(c.env);
    c.set("config", config);
    c.set("db", database(c.env.DB));
    await next();
  });
  app.use(checkHost());
  // After the Host check: the links the core mails point at the service's origin it decides.
  app.use(async function authCore(c, next) {
    const config = c.get("config");
    c.set(
      "auth",
      new AuthCore({
        db: c.get("db"),
        d1: c.env.DB,
        config,
        nowMs: c.get("now"),
        // The core alone reads, fills and evicts it.
        cache: sessionCacheFor(config),
        background: backgroundTasks((promise) => c.executionCtx.waitUntil(promise), c.get("requestId")),
        waitUntil: (promise) => c.executionCtx.waitUntil(promise),
        mailer: createMailer(config, mailRetryDelaysMs),
        links: mailLinks(config, c.get("serviceOrigin")),
      }),
    );
    await next();
  });
  app.use(corsForAllowedOrigins());
  // The service's answers carry identities and keys: no shared or browser cache may keep them.
  // (Forwarded responses keep the origin's own caching headers.) Set before the handler runs, so Hono builds
  // its response with it instead of copying the response afterwards; errors get it from `onError`, and the
  // 401s that authentication returns carry it themselves.
  app.use("/auth/*", async function noStore(c, next) {
    c.header("Cache-Control", "no-store");
    await next();
  });

  const auth = new Hono<AppEnv>();
  for (const routes of [
    registrationRoutes,
    emailVerificationRoutes,
    loginRoutes,
    userRoutes,
    passwordRoutes,
    sessionRoutes,
    mfaRoutes,
    loginMfaRoutes,
    passkeyRoutes,
    activityRoutes,
    socialRoutes,
  ]) {
    auth.route("/", routes);
  }
  answerUnlistedMethods(auth);
  app.route("/auth", auth);
  app.route("/.well-known", wellKnownRoutes);
  app.route("/account", accountRoutes);
  app.route("/", docsRoutes);
  // Everything else goes through the gateway (404 without an origin).
  app.all("*", forwardToOrigin);

  app.notFound((c) => withNoStore(c.json({ detail: NOT_FOUND }, 404)));
  app.onError((error, c) => {
    if (error instanceof HTTPException) return withNoStore(error.getResponse());
    if (error instanceof ConfigError) {
      logEvent("error", "config_error", { ...requestFields(c), reason: error.message });
      return withNoStore(Response.json({ detail: `Server configuration error: ${error.message}` }, { status: 500 }));
    }
    if (error instanceof StoreUnavailableError) {
      logEvent("error", "store_unavailable", { ...requestFields(c), reason: storeFailureReason(error.cause) });
      return withNoStore(Response.json({ detail: SERVICE_UNAVAILABLE }, { status: 503 }));
    }
    // The innermost message and the stack's frames only: an outer message (Drizzle's) may quote bound values.
    logEvent("error", "unhandled_error", {
      ...requestFields(c),
      reason: storeFailureReason(error),
      stack: stackFrames(error),
    });
    return withNoStore(Response.json({ detail: SERVER_ERROR }, { status: 500 }));
  });
  return app;
}

function withNoStore(response: Response): Response {
  response.headers.set("Cache-Control", "no-store");
  return response;
}
