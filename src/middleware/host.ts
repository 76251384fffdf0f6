/**
 * The `Host` check, before anything else reads the request: a request naming a host the service does not
 * answer for gets 400, and every other part of the app reads the service's origin from `serviceOrigin`,
 * never from the request's URL.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../context";
import { detailError } from "../errors";
import { decideServiceOrigin } from "../http/host";

export function checkHost(): MiddlewareHandler<AppEnv> {
  return async function serviceOriginFromHost(c, next) {
    const decision = decideServiceOrigin(new URL(c.req.url), c.get("config").serviceOrigin);
    if ("refusal" in decision) throw detailError(400, decision.refusal);
    c.set("serviceOrigin", decision.origin);
    await next();
  };
}
