/**
 * A MAIL_WEBHOOK_URL receiver: the one used by `npm run mail-inbox`, the Worker tests' peers and the
 * end-to-end and browser tests. Plain Node ESM (types in mail-receiver.d.ts), so `node` runs it without tsx.
 *
 *   POST /  or  POST /inbox/<name>   stores the JSON body in inbox "" or <name>, answers 202
 *   POST /flaky/<n>/<name>           answers 503 to the first <n> deliveries for <name>, then stores as above
 *   POST /down/<name>                always answers 500 (and counts the attempt)
 *   GET  /inbox/<name>               the stored messages and the number of attempts, as JSON
 * A body that is not JSON is answered 400 and not stored.
 */
import { createServer } from "node:http";

const MAIL_WAIT_MS = 15_000;

/** Named inboxes and the request handler that fills them (for a server that also serves other paths). */
export function createMailInboxes({ onMail } = {}) {
  const inboxes = new Map();
  const inbox = (name = "") => {
    const found = inboxes.get(name) ?? { messages: [], attempts: 0 };
    inboxes.set(name, found);
    return found;
  };
  const reply = (response, status, body) => {
    response.writeHead(status, { "content-type": "application/json" });
    response.end(JSON.stringify(body));
  };

  async function handle(request, response) {
    const parts = new URL(request.url ?? "/", "http://receiver").pathname.split("/").filter(Boolean);
    if (request.method === "GET" && parts[0] === "inbox") return reply(response, 200, inbox(parts[1]));
    if (request.method !== "POST") return reply(response, 405, {});
    const chunks = [];
    for await (const chunk of request) chunks.push(chunk);
    const [mode, ...rest] = parts;
    const box = inbox(rest.at(-1) ?? "");
    box.attempts += 1;
    if (mode === "down") return reply(response, 500, { error: "receiver down" });
    if (mode === "flaky" && box.attempts <= Number(rest[0])) return reply(response, 503, { error: "try later" });
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return reply(response, 400, { error: "not JSON" });
    }
    const message = { contentType: request.headers["content-type"], body };
    box.messages.push(message);
    onMail?.(message.body);
    return reply(response, 202, { ok: true });
  }

  return { inbox, handle };
}

/** Starts a receiver on `host`:`port` (0: a free port). */
export async function startMailReceiver({ port = 0, host = "127.0.0.1", onMail } = {}) {
  const { inbox, handle } = createMailInboxes({ onMail });
  const server = createServer((request, response) => {
    handle(request, response).catch(() => response.destroy());
  });
  await new Promise((resolve) => server.listen(port, host, resolve));
  const bound = server.address().port;
  return {
    port: bound,
    url: `http://${host}:${bound}/`,
    /** Every message received at `/`, oldest first. */
    messages: () => inbox("").messages.map((message) => message.body),
    async waitForMail(kind, to, { after = 0, timeoutMs = MAIL_WAIT_MS } = {}) {
      // Mail leaves the service after its response, so it may still be on its way.
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const received = inbox("").messages.slice(after);
        const found = received.findLast((message) => message.body.kind === kind && message.body.to === to);
        if (found) return found.body;
        if (Date.now() > deadline) {
          throw new Error(`no ${kind} mail to ${to}; got ${JSON.stringify(received.map((m) => m.body))}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
