/**
 * `Upgrade: websocket` (RFC 6455 §4.1), any case, also listed among other protocols. One definition for the
 * CSRF rule and for forwarding, so a request the gateway passes on as an upgrade is always one it checked as one.
 */
export function isWebSocketUpgrade(upgrade: string | null | undefined): boolean {
  return (upgrade ?? "").split(",").some((protocol) => protocol.trim().toLowerCase() === "websocket");
}
