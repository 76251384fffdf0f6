/**
 * End to end, as a user runs it: `npm start` (wrangler dev on a fresh local D1, migrated by the start
 * script) in front of a real local HTTP origin process.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { verify } from "hono/jwt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const PASSWORD = "correct horse battery staple";
let origin: Server;
let originCalls: { path: string; headers: IncomingHttpHeaders }[];
let wrangler: ChildProcess;
let state: string;
let base: string;
let log = "";

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  originCalls = [];
  origin = createServer((request, response) => {
    originCalls.push({ path: request.url ?? "", headers: request.headers });
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify({ from: "origin", path: request.url }));
  });
  await new Promise<void>((resolve) => origin.listen(0, "127.0.0.1", resolve));
  const originPort = (origin.address() as AddressInfo).port;

  state = mkdtempSync(join(tmpdir(), "e2e-"));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  wrangler = spawn(
    "node",
    [
      "scripts/start.js",
      "--port",
      String(port),
      "--ip",
      "127.0.0.1",
      "--inspector-port",
      String(await freePort()),
      "--persist-to",
      state,
      "--var",
      `ORIGIN_URL:http://127.0.0.1:${originPort}`,
      "--var",
      "PUBLIC_PATHS:/health",
    ],
    { env: { ...process.env, WRANGLER_SEND_METRICS: "false" }, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  wrangler.stdout?.on("data", (chunk) => (log += chunk));
  wrangler.stderr?.on("data", (chunk) => (log += chunk));
  const deadline = Date.now() + 90_000;
  for (;;) {
    try {
      if ((await fetch(`${base}/.well-known/jwks.json`)).ok) break;
    } catch {}
    if (Date.now() > deadline) throw new Error(`wrangler dev did not start:\n${log}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}, 120_000);

afterAll(async () => {
  if (wrangler?.pid) process.kill(-wrangler.pid, "SIGTERM");
  await new Promise<void>((resolve) => origin.close(() => resolve()));
  rmSync(state, { recursive: true, force: true });
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
});
