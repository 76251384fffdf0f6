/**
 * End to end, as a user runs it: `npm start` (wrangler dev on a fresh local D1, migrated by the start
 * script) in front of a real local HTTP origin process.
 */
import { createServer, type IncomingHttpHeaders, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { verify } from "hono/jwt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, startDevServer } from "../support/dev-server";

const PASSWORD = "correct horse battery staple";
let origin: Server;
let originCalls: { path: string; headers: IncomingHttpHeaders }[];
let server: DevServer;
let base: string;

beforeAll(async () => {
  originCalls = [];
  origin = createServer((request, response) => {
    originCalls.push({ path: request.url ?? "", headers: request.headers });
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify({ from: "origin", path: request.url }));
  });
  await new Promise<void>((resolve) => origin.listen(0, "127.0.0.1", resolve));
  const originPort = (origin.address() as AddressInfo).port;

  server = await startDevServer({ ORIGIN_URL: `http://127.0.0.1:${originPort}`, PUBLIC_PATHS: "/health,/public/*" });
  base = `http://127.0.0.1:${server.port}`;
}, 120_000);

afterAll(async () => {
  server?.stop();
  await new Promise<void>((resolve) => origin.close(() => resolve()));
});

describe("npm start as an auth gateway in front of a local origin", () => {
  it("stops unauthenticated calls at the edge and forwards authenticated ones with a verifiable assertion", async () => {
    const anonymous = await fetch(`${base}/api/reports`);
    expect(anonymous.status).toBe(401);
    expect(originCalls).toHaveLength(0);

    const registration = await fetch(`${base}/auth/registration/`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "e2e", password1: PASSWORD, password2: PASSWORD }),
    });
    expect(registration.status).toBe(201);
    const { key, user } = (await registration.json()) as { key: string; user: { pk: number } };

    const forwarded = await fetch(`${base}/api/reports?year=2026`, {
      headers: { authorization: `Token ${key}`, "x-auth-user-id": "999" },
    });
    expect(forwarded.status).toBe(200);
    expect(await forwarded.json()).toEqual({ from: "origin", path: "/api/reports?year=2026" });
    const [received] = originCalls;
    expect(received?.headers.authorization).toBeUndefined();
    expect(received?.headers["x-auth-user-id"]).toBe(String(user.pk));
    expect(JSON.stringify(received)).not.toContain(key);

    const { keys } = (await (await fetch(`${base}/.well-known/jwks.json`)).json()) as { keys: JsonWebKey[] };
    const claims = await verify(String(received?.headers["x-auth-assertion"]), keys[0] as JsonWebKey, "EdDSA");
    expect(claims).toMatchObject({ sub: String(user.pk), username: "e2e", iss: base });

    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    expect(originCalls.at(-1)?.headers["x-auth-assertion"]).toBeUndefined();
  });

  it("refuses ambiguous paths and strips underscore headers on the real HTTP ingress", async () => {
    // node:http sends the request-target as written: fetch() would resolve the dot segments client-side.
    const raw = (path: string, headers: Record<string, string> = {}) =>
      new Promise<number>((resolve, reject) => {
        const sent = request({ host: "127.0.0.1", port: server.port, path, headers }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        });
        sent.on("error", reject);
        sent.end();
      });
    const before = originCalls.length;
    for (const path of [
      "/public/..%2fprivate",
      "/public/..%252Fprivate",
      "/public/..;/private",
      "/public/%2e%2e%2fx",
    ]) {
      expect(await raw(path), path).toBe(400);
    }
    // A literal or %2e dot segment never reaches the gateway's match unresolved: /private needs a token.
    for (const path of ["/public/../private", "/public/%2e%2e/private", "/public/..\\private"]) {
      expect(await raw(path), path).toBe(401);
    }
    expect(originCalls.length).toBe(before);

    expect(await raw("/public/page", { X_Auth_User_Id: "1", "x-request-id": "r-1" })).toBe(200);
    const received = originCalls.at(-1);
    expect(received?.path).toBe("/public/page");
    expect(Object.keys(received?.headers ?? {}).filter((name) => name.includes("_"))).toEqual([]);
    expect(received?.headers["x-request-id"]).toBe("r-1");
  });
});
