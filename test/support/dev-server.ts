/**
 * For Node-side tests: `npm start` exactly as a user runs it (scripts/start.js: migrations on a fresh local
 * D1, then wrangler dev), on free ports, with extra `--var`s, stopped with its whole process group.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const START_TIMEOUT_MS = 90_000;

export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

export interface DevServer {
  port: number;
  stop(): void;
}

/** Starts the service with `vars` (NAME → value) and waits until it answers. */
export async function startDevServer(vars: Record<string, string>): Promise<DevServer> {
  const state = mkdtempSync(join(tmpdir(), "dev-server-"));
  const port = await freePort();
  const args = [
    "scripts/start.js",
    "--port",
    String(port),
    "--ip",
    "127.0.0.1",
    "--inspector-port",
    String(await freePort()),
  ];
  args.push("--persist-to", state, ...Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]));
  const child = spawn("node", args, {
    cwd: ROOT,
    env: {
      ...process.env,
      PATH: `${join(ROOT, "node_modules/.bin")}:${process.env.PATH ?? ""}`,
      WRANGLER_SEND_METRICS: "false",
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let log = "";
  child.stdout?.on("data", (chunk) => (log += chunk));
  child.stderr?.on("data", (chunk) => (log += chunk));
  const stop = () => {
    if (child.pid && child.exitCode === null) process.kill(-child.pid, "SIGTERM");
    rmSync(state, { recursive: true, force: true });
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/.well-known/jwks.json`)).ok) return { port, stop };
    } catch {}
    if (Date.now() > deadline || child.exitCode !== null) {
      stop();
      throw new Error(`npm start did not come up:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
