/**
 * Mail delivery through the webhook transport: one JSON POST per message, retried with backoff. Runs after
 * the response (`waitUntil`), so a slow or failing transport never delays or fails the request, and its
 * outcome is never reported to the client (no account enumeration). Logs never carry the message's secrets.
 */
import { logEvent } from "../observability/log";
import type { MailMessage } from "./messages";

/** Waits before the 2nd and 3rd attempts; a whole delivery stays well inside waitUntil's 30 s. */
const DEFAULT_RETRY_DELAYS_MS = [1_000, 4_000];
/** Per attempt: the transport must answer within this. */
const ATTEMPT_TIMEOUT_MS = 8_000;

interface MailTransport {
  /** `MAIL_WEBHOOK_URL`; null when none is configured. */
  webhookUrl: string | null;
  /** Without a webhook, print the whole message (local development only: it holds a secret link). */
  logWhenUnsent: boolean;
  retryDelaysMs?: readonly number[];
}

/** Delivers `message`; resolves either way (failures are logged, not thrown). */
export async function deliverMail(message: MailMessage, transport: MailTransport): Promise<boolean> {
  if (!transport.webhookUrl) {
    if (transport.logWhenUnsent) {
      console.log(
        `[mail] no MAIL_WEBHOOK_URL; local development copy of the ${message.kind} message:\n${JSON.stringify(message, null, 2)}`,
      );
    } else {
      logEvent("warn", "mail_not_sent", { kind: message.kind, reason: "MAIL_WEBHOOK_URL is not configured" });
    }
    return false;
  }
  const delays = transport.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  for (let attempt = 0; attempt <= delays.length; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, delays[attempt - 1]));
    const outcome = await post(transport.webhookUrl, message);
    if (outcome === "delivered") return true;
    const attempts = delays.length + 1;
    logEvent("warn", "mail_attempt_failed", { kind: message.kind, attempt: attempt + 1, attempts, reason: outcome });
  }
  logEvent("error", "mail_dropped", { kind: message.kind, attempts: delays.length + 1 });
  return false;
}

async function post(url: string, message: MailMessage): Promise<"delivered" | string> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(message),
      signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
    });
    await response.body?.cancel();
    return response.ok ? "delivered" : `HTTP ${response.status}`;
  } catch (error) {
    return error instanceof Error ? error.name : "network error";
  }
}
