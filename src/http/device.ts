/** What a login records about the device signing in, read from its request (headers and the edge's `cf`). */
import { deriveClientName } from "../auth/client-name";
import type { Device } from "../core/auth";

const MAX_USER_AGENT_LENGTH = 512;

/** The device sending `request`, named `client` or, when it gave no name, after its User-Agent. */
export function deviceOf(request: Request, client: string | null): Device {
  const userAgent = request.headers.get("user-agent") ?? undefined;
  const cf = request.cf as { city?: unknown; country?: unknown } | undefined;
  return {
    client: client ?? deriveClientName(userAgent),
    userAgent: userAgent?.slice(0, MAX_USER_AGENT_LENGTH) ?? null,
    ip: request.headers.get("cf-connecting-ip"),
    city: typeof cf?.city === "string" ? cf.city : null,
    country: typeof cf?.country === "string" ? cf.country : null,
  };
}
