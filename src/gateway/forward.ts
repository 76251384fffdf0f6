/**
 * Forwarding a request to the origin as a proxy must: the method, path, query and body unchanged and
 * streamed; hop-by-hop headers dropped; the client's token (header or cookie), any `X-Auth-*` it sent and
 * any header whose name holds `_` removed before the gateway adds its own; the origin's status, headers
 * (`Set-Cookie` included) and body passed back, also streamed. WebSocket upgrades pass through.
 */
import { isWebSocketUpgrade } from "../http/upgrade";
import { readAuthorizationHeader } from "../middleware/credentials";

/** RFC 9110 §7.6.1 connection-specific headers, never forwarded by a proxy. */
const HOP_BY_HOP = [
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
];

export interface Identity {
  userId: number;
  username: string;
  sessionId: string;
  assertion: string;
}

/**
 * Headers the client may not send to the origin: any `X-Auth-*` (only the gateway speaks for the user), and
 * any name holding `_`, because CGI-style stacks (Django's WSGI environ, PHP, Rack) turn `-` into `_` and so
 * read `X_Auth_User_Id` as the gateway's own `X-Auth-User-Id` (and `X_Forwarded_For` as `X-Forwarded-For`).
 * nginx and Apache drop such headers by default for the same reason.
 */
function isSpoofableHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.startsWith("x-auth-") || lower.includes("_");
}

function dropHopByHop(headers: Headers, keepUpgrade: boolean): void {
  const listed = (headers.get("connection") ?? "").split(",").map((name) => name.trim().toLowerCase());
  for (const name of [...HOP_BY_HOP, ...listed]) {
    if (name && !(keepUpgrade && (name === "upgrade" || name === "connection"))) headers.delete(name);
  }
}

/** `username` as a header value: non-ASCII characters percent-encoded (usernames never contain `%`). */
function headerSafe(value: string): string {
  return value.replace(/[^\x20-\x7e]/gu, (char) => encodeURIComponent(char));
}

/** Removes the auth cookie from a `Cookie` header, keeping the others. */
function withoutCookie(cookieHeader: string, name: string): string {
  return cookieHeader
    .split(";")
    .map((part) => part.trim())
    .filter((part) => part !== "" && part.split("=")[0]?.trim() !== name)
    .join("; ");
}

interface ForwardOptions {
  /** The origin's base URL; the request's path (under the base path) and query are appended. */
  originUrl: URL;
  authCookieName: string;
  /** The authenticated identity, or null for a public path. */
  identity: Identity | null;
  clientIp: string | undefined;
  /** Aborts the origin call (the gateway's timeout), set here so the request is built once. */
  signal?: AbortSignal;
}

/** The request to send to the origin. */
export function upstreamRequest(request: Request, options: ForwardOptions): Request {
  const incoming = new URL(request.url);
  const target = new URL(options.originUrl);
  target.pathname = `${target.pathname.replace(/\/$/, "")}${incoming.pathname}`;
  target.search = incoming.search;

  const headers = new Headers(request.headers);
  const websocket = isWebSocketUpgrade(headers.get("upgrade"));
  dropHopByHop(headers, websocket);
  for (const name of [...headers.keys()]) {
    if (isSpoofableHeader(name)) headers.delete(name);
  }
  // The token never leaves the edge: it is the client's credential for us, not for the origin. Read as the
  // authentication reads it, so what that takes for ours (even malformed) is what is withheld; another scheme
  // (Basic) is the origin's.
  if (readAuthorizationHeader(headers.get("authorization") ?? "").kind !== "none") headers.delete("authorization");
  const cookies = withoutCookie(headers.get("cookie") ?? "", options.authCookieName);
  if (cookies) headers.set("cookie", cookies);
  else headers.delete("cookie");

  const forwardedFor = [headers.get("x-forwarded-for"), options.clientIp].filter(Boolean).join(", ");
  if (forwardedFor) headers.set("x-forwarded-for", forwardedFor);
  headers.set("x-forwarded-proto", incoming.protocol.replace(":", ""));
  headers.set("x-forwarded-host", incoming.host);
  if (options.identity) {
    headers.set("x-auth-user-id", String(options.identity.userId));
    headers.set("x-auth-username", headerSafe(options.identity.username));
    headers.set("x-auth-session-id", options.identity.sessionId);
    headers.set("x-auth-assertion", options.identity.assertion);
  }
  const hasBody = request.method !== "GET" && request.method !== "HEAD";
  return new Request(target, {
    method: request.method,
    headers,
    body: hasBody ? request.body : null,
    redirect: "manual",
    signal: options.signal ?? null,
  });
}

/** The origin's response for the client, streamed, without hop-by-hop headers. */
export function downstreamResponse(response: Response): Response {
  if (response.status === 101 || response.webSocket) return response;
  const headers = new Headers(response.headers);
  dropHopByHop(headers, false);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
