/**
 * vitest globalSetup (runs in Node): a real HTTP mail webhook receiver on 127.0.0.1 for the tests.
 *   POST /inbox/<name>              stores the JSON body, answers 202
 *   POST /flaky/<n>/<name>          answers 503 to the first <n> deliveries for <name>, then stores as above
 *   POST /down/<name>               always answers 500 (and counts the attempt)
 *   GET  /inbox/<name>              the stored messages and the number of attempts, as JSON
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    mailReceiverUrl: string;
  }
}

interface Inbox {
  messages: unknown[];
  attempts: number;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export default async function setup(project: TestProject) {
  const inboxes = new Map<string, Inbox>();
  const inbox = (name: string) => {
    let found = inboxes.get(name);
    if (!found) {
      found = { messages: [], attempts: 0 };
      inboxes.set(name, found);
    }
    return found;
  };
  const server = createServer(async (request, response) => {
    const parts = (request.url ?? "/").split("/").filter(Boolean);
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    };
    if (request.method === "GET" && parts[0] === "inbox" && parts[1]) return reply(200, inbox(parts[1]));
    if (request.method !== "POST") return reply(405, {});
    const body = await readBody(request);
    const [mode, ...rest] = parts;
    const name = rest.at(-1) ?? "";
    const box = inbox(name);
    box.attempts += 1;
    if (mode === "down") return reply(500, { error: "receiver down" });
    if (mode === "flaky" && box.attempts <= Number(rest[0])) return reply(503, { error: "try later" });
    box.messages.push({ contentType: request.headers["content-type"], body: JSON.parse(body) });
    return reply(202, { ok: true });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  project.provide("mailReceiverUrl", `http://127.0.0.1:${port}`);
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}
