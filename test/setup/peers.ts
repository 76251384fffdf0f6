/**
 * vitest globalSetup (runs in Node): real HTTP peers on 127.0.0.1 for the Worker's tests.
 *
 * The mail webhook receiver of scripts/mail-receiver.js (POST /inbox/<name>, /flaky/<n>/<name>, /down/<name>;
 * GET /inbox/<name>: the stored messages and the number of attempts).
 *
 * An origin for the gateway (ORIGIN_URL = <base>/origin/<bucket>), recording every call it receives:
 *   ANY  /origin/<bucket>/slow/...          waits 3 s before answering
 *   GET  /origin/<bucket>/download/<bytes>  streams that many bytes
 *   ANY  /origin/<bucket>/...               answers 201 with what it received (method, path, the raw
 *                                           request-target, headers, body length and SHA-256), a Set-Cookie
 *                                           and an X-Origin header
 *   GET  /calls/<bucket>                    the calls the origin received for <bucket>
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";
import { createMailInboxes } from "../../scripts/mail-receiver.js";

declare module "vitest" {
  export interface ProvidedContext {
    peersUrl: string;
  }
}

interface OriginCall {
  method: string;
  path: string;
  /** The request-target exactly as it arrived (after the bucket prefix): no decoding, no dot-segment removal. */
  rawPath: string;
  headers: IncomingMessage["headers"];
  bodyLength: number;
  bodySha256: string;
}

export default async function setup(project: TestProject) {
  const mail = createMailInboxes();
  const calls = new Map<string, OriginCall[]>();

  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? "/", "http://peers");
    const parts = url.pathname.split("/").filter(Boolean);
    const reply = (status: number, body: unknown, headers: Record<string, string | string[]> = {}) => {
      response.writeHead(status, { "content-type": "application/json", ...headers });
      response.end(JSON.stringify(body));
    };

    if (parts[0] === "origin") {
      const bucket = parts[1] ?? "";
      const hash = createHash("sha256");
      let bodyLength = 0;
      for await (const chunk of request) {
        bodyLength += (chunk as Buffer).length;
        hash.update(chunk as Buffer);
      }
      const call: OriginCall = {
        method: request.method ?? "",
        path: `/${parts.slice(2).join("/")}${url.search}`,
        rawPath: (request.url ?? "").slice(`/origin/${bucket}`.length),
        headers: request.headers,
        bodyLength,
        bodySha256: hash.digest("hex"),
      };
      calls.set(bucket, [...(calls.get(bucket) ?? []), call]);
      if (parts[2] === "slow") {
        await new Promise((resolve) => setTimeout(resolve, 3000));
        return reply(200, { slow: true });
      }
      if (parts[2] === "download") {
        const total = Number(parts[3]);
        response.writeHead(200, { "content-type": "application/octet-stream" });
        const chunk = Buffer.alloc(64 * 1024, 120);
        for (let sent = 0; sent < total; sent += chunk.length)
          response.write(chunk.subarray(0, Math.min(chunk.length, total - sent)));
        return response.end();
      }
      return reply(201, call, { "set-cookie": ["origin_session=abc; Path=/; HttpOnly"], "x-origin": "yes" });
    }
    if (request.method === "GET" && parts[0] === "calls") return reply(200, calls.get(parts[1] ?? "") ?? []);

    return mail.handle(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  project.provide("peersUrl", `http://127.0.0.1:${port}`);
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}
