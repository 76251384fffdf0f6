/**
 * The auth gateway: every request outside the service's own paths is authenticated by the same middleware
 * (or matched against `PUBLIC_PATHS`) and only then forwarded to the origin with a signed identity. Any
 * failure (bad token 401, token store down 503, origin down 502, origin slow 504) stops the request here:
 * nothing is ever forwarded unauthenticated because of an error.
 */
import type { Context } from "hono";
import { ConfigError, type Gateway } from "../config";
import type { AppEnv } from "../context";
import { detailError, NOT_FOUND } from "../errors";
import { isAmbiguousPath } from "../gateway/ambiguous-path";
import { assertionFor } from "../gateway/assertion-reuse";
import { downstreamResponse, type Identity, upstreamRequest } from "../gateway/forward";
import { matchesAny } from "../gateway/public-paths";
import { activeSigningKey, type SigningKey } from "../gateway/signing-key";
import { authenticateRequest } from "../middleware/authenticate";
import { logEvent } from "../observability/log";

/** Paths the service answers itself; never forwarded. */
const SERVICE_PREFIXES = ["/auth/", "/.well-known/", "/account/"];
const SERVICE_PATHS = new Set(["/auth", "/.well-known", "/openapi.json", "/docs", "/account"]);

const AMBIGUOUS_PATH = "Ambiguous path: encoded slashes, backslashes and dots, and dot segments, are not accepted.";

function isServicePath(path: string): boolean {
  return SERVICE_PATHS.has(path) || SERVICE_PREFIXES.some((prefix) => path.startsWith(prefix));
}

export async function forwardToOrigin(c: Context<AppEnv>): Promise<Response> {
  const gateway = c.get("config").gateway;
  if (!gateway || isServicePath(c.req.path)) throw detailError(404, NOT_FOUND);
  // Before authentication and the public paths: a path the origin could read as another one is never forwarded.
  if (isAmbiguousPath(new URL(c.req.url).pathname)) throw detailError(400, AMBIGUOUS_PATH);

  let identity: Identity | null = null;
  if (!matchesAny(c.req.path, gateway.publicPaths)) {
    const refusal = await authenticateRequest(c);
    if (refusal) return refusal;
    const { sessionId, user } = c.get("session");
    const subject = { userId: user.id, username: user.username, sessionId };
    const issuer = c.get("serviceOrigin");
    const assertion = await assertionFor(signingKeyFor(c), subject, issuer, gateway.url.origin, c.get("now"));
    identity = { ...subject, assertion };
  }
  const controller = new AbortController();
  const request = upstreamRequest(c.req.raw, {
    originUrl: gateway.url,
    authCookieName: c.get("config").authCookieName,
    identity,
    clientIp: c.req.header("cf-connecting-ip"),
    signal: controller.signal,
  });
  return downstreamResponse(await fetchOrigin(c, gateway, request, controller));
}

/** The configured key; the development key only under `ENVIRONMENT=development`. */
function signingKeyFor(c: Context<AppEnv>): SigningKey {
  const { development, gatewayKeys } = c.get("config");
  const key = activeSigningKey(gatewayKeys.current, development);
  if (key) return key;
  throw new ConfigError("GATEWAY_SIGNING_KEY must be set (a secret) for the gateway to forward requests.");
}

/**
 * Sends `request` (built with `controller`'s signal) to the origin; 502 when it cannot be reached, 504 when its
 * headers take too long.
 */
async function fetchOrigin(
  c: Context<AppEnv>,
  gateway: Gateway,
  request: Request,
  controller: AbortController,
): Promise<Response> {
  const timer = setTimeout(() => controller.abort(), gateway.timeoutMs);
  try {
    return await (gateway.fetcher ? gateway.fetcher.fetch(request) : fetch(request));
  } catch (error) {
    if (controller.signal.aborted) throw detailError(504, "The origin did not answer in time.");
    logEvent("error", "origin_unreachable", {
      request_id: c.get("requestId"),
      reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
    throw detailError(502, "The origin could not be reached.");
  } finally {
    clearTimeout(timer);
  }
}
