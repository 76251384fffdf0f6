#!/usr/bin/env node
/**
 * `npm start [-- <wrangler dev args>]`: applies the D1 migrations to the local database, then serves the
 * Worker with `wrangler dev`. Flags that choose the local database (`--persist-to`, `--config`/`-c`,
 * `--env`/`-e`) are passed to both steps, so `npm start -- --persist-to /tmp/state` migrates and serves
 * the same state; every other argument goes to `wrangler dev` unchanged.
 */
import { spawnSync } from "node:child_process";

const args = process.argv.slice(2);
const SHARED_FLAGS = new Set(["--persist-to", "--config", "-c", "--env", "-e"]);
const shared = [];
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  const name = arg.split("=")[0];
  if (!SHARED_FLAGS.has(name)) continue;
  shared.push(arg);
  if (!arg.includes("=") && i + 1 < args.length) shared.push(args[i + 1]);
}

const env = { ...process.env, WRANGLER_SEND_METRICS: "false" };
// Without a terminal on stdin wrangler applies migrations without asking for confirmation.
const run = (wranglerArgs, stdin = "inherit") =>
  spawnSync("wrangler", wranglerArgs, { stdio: [stdin, "inherit", "inherit"], env }).status ?? 1;

const migrated = run(["d1", "migrations", "apply", "DB", "--local", ...shared], "ignore");
if (migrated !== 0) process.exit(migrated);
process.exit(run(["dev", ...args]));
