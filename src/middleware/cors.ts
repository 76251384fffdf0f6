/**
 * CORS for the browser origins in `ALLOWED_ORIGINS`, with credentials (the auth cookie), through Hono's cors
 * middleware: preflights are answered at the edge for every path (the service's and the gateway's), and
 * responses to allowed origins carry the CORS headers. A plain OPTIONS without a preflight's
 * `Access-Control-Request-Method` keeps DRF's metadata answer.
 */
import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import type { Config } from "../config";
import type { AppEnv } from "../context";

/** Browsers may reuse a preflight answer for this long. */
const PREFLIGHT_MAX_AGE_SECONDS = 600;
const handlers = new WeakMap<Config, MiddlewareHandler>();

function handlerFor(config: Config): MiddlewareHandler {
  let handler = handlers.get(config);
  if (!handler) {
    const allowed = config.allowedOrigins;
    handler = cors({
      origin: (origin) => (allowed.has(origin) ? origin : null),
      credentials: true,
      allowMethods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
      maxAge: PREFLIGHT_MAX_AGE_SECONDS,
    });
    handlers.set(config, handler);
  }
  return handler;
}

export function corsForAllowedOrigins(): MiddlewareHandler<AppEnv> {
  return async function allowedOriginsCors(c, next) {
    const config = c.get("config");
    const preflight = c.req.method === "OPTIONS" && c.req.header("access-control-request-method") !== undefined;
    if (!c.req.header("origin") || config.allowedOrigins.size === 0 || (c.req.method === "OPTIONS" && !preflight)) {
      return next();
    }
    return handlerFor(config)(c, next);
  };
}
