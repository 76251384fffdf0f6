/** Types of scripts/mail-receiver.js (plain Node ESM, so `npm run mail-inbox` runs it without tsx). */
import type { IncomingMessage, ServerResponse } from "node:http";

/** The JSON body the service posts to MAIL_WEBHOOK_URL (see README, E-mail). */
export interface Mail {
  kind: string;
  to: string;
  subject: string;
  text: string;
  data: Record<string, string>;
  [field: string]: unknown;
}

export interface ReceivedMail {
  contentType: string | undefined;
  body: Mail;
}

export interface Inbox {
  messages: ReceivedMail[];
  /** Deliveries tried, the refused ones included. */
  attempts: number;
}

export interface MailReceiverOptions {
  /** Called with every message stored. */
  onMail?: (mail: Mail) => void;
}

/** Named inboxes and the request handler that fills them (for a server that also serves other paths). */
export declare function createMailInboxes(options?: MailReceiverOptions): {
  inbox(name?: string): Inbox;
  handle(request: IncomingMessage, response: ServerResponse): Promise<void>;
};

export interface MailReceiver {
  port: number;
  /** The MAIL_WEBHOOK_URL to give the service. */
  url: string;
  /** Every message received at `/`, oldest first. */
  messages(): Mail[];
  /** The newest `kind` message to `to` after the first `after` ones, waiting up to `timeoutMs` (15 s) for it. */
  waitForMail(kind: string, to: string, options?: { after?: number; timeoutMs?: number }): Promise<Mail>;
  close(): Promise<void>;
}

/** Starts a receiver on `host` (127.0.0.1) and `port` (0: a free one). */
export declare function startMailReceiver(
  options?: MailReceiverOptions & { port?: number; host?: string },
): Promise<MailReceiver>;
