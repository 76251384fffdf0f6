/** Whether the service was reached on this machine (local development), judged by the request's host. */
import type { Context } from "hono";

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

export function isLocalRequest(c: Context): boolean {
  return LOCAL_HOSTS.has(new URL(c.req.url).hostname);
}
