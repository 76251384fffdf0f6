/**
 * DRF's answers for methods a path does not define: 405 with `Allow` (and DRF's message), and OPTIONS
 * answered with the view's metadata. Installed after a router's routes, so authentication middleware on
 * the same path runs first: as in DRF, a request without credentials gets 401 before it can get 405.
 */
import type { Hono } from "hono";
import type { AppEnv } from "../context";
import { methodNotAllowed } from "../errors";

/** DRF's order of `http_method_names`; HEAD is allowed wherever GET is, as Django does. */
const METHOD_ORDER = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
const PARSES = ["application/json", "application/x-www-form-urlencoded", "multipart/form-data"];

/** Adds the 405/OPTIONS fallback to every path that `router` defines handlers for. */
export function answerUnlistedMethods(router: Hono<AppEnv>): void {
  const methodsByPath = new Map<string, Set<string>>();
  for (const route of router.routes) {
    if (route.method === "ALL") continue;
    const methods = methodsByPath.get(route.path) ?? new Set<string>();
    methods.add(route.method);
    if (route.method === "GET") methods.add("HEAD");
    methodsByPath.set(route.path, methods.add("OPTIONS"));
  }
  for (const [path, methods] of methodsByPath) {
    const allowed = METHOD_ORDER.filter((method) => methods.has(method));
    router.all(path, (c) => {
      if (c.req.method !== "OPTIONS") throw methodNotAllowed(c.req.method, allowed);
      return c.json({ name: viewName(path), renders: ["application/json"], parses: PARSES }, 200, {
        Allow: allowed.join(", "),
      });
    });
  }
}

/** "/password/reset/confirm/" → "Password Reset Confirm", as DRF names views in their metadata. */
function viewName(path: string): string {
  return path
    .split("/")
    .filter(Boolean)
    .map((segment) => segment.charAt(0).toUpperCase() + segment.slice(1))
    .join(" ");
}
