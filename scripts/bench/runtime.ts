/**
 * The lean local runtime shared by `npm run bench` and `npm run soak`: the deploy build on the workerd binary that
 * Miniflare configures and starts, with each Worker listening on its own socket (Miniflare's direct sockets), so
 * requests reach the Worker without Miniflare's entry worker, its request logging or a Node.js hop in between.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";

export type LocalDatabase = Awaited<ReturnType<Miniflare["getD1Database"]>>;

/** Bundles src/index.ts exactly as `wrangler deploy` would, into `<work>/dist`. */
export function buildWorker(work: string): void {
  execFileSync("wrangler", ["deploy", "--dry-run", "--outdir", join(work, "dist")], {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
}

export const SHARED_WORKER_OPTIONS = {
  compatibilityDate: "2026-08-15",
  compatibilityFlags: ["nodejs_compat"],
  d1Databases: { DB: "bench" },
};

/** A socket of the Worker's own on 127.0.0.1 (any free port): what `directUrl` answers. */
const DIRECT_SOCKET = { unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }] };

/** Miniflare (v4-shaped) options for the built Worker with `vars`. */
export function appWorker(work: string, name: string, vars: Record<string, string>) {
  const dist = join(work, "dist");
  // The entry first, then the WebAssembly modules it imports (the Argon2id engine), as wrangler uploads them.
  const wasm = readdirSync(dist).filter((file) => file.endsWith(".wasm"));
  return {
    name,
    modules: [
      { type: "ESModule" as const, path: join(dist, "index.js") },
      ...wasm.map((file) => ({ type: "CompiledWasm" as const, path: join(dist, file) })),
    ],
    modulesRoot: dist,
    bindings: vars,
    ...DIRECT_SOCKET,
    ...SHARED_WORKER_OPTIONS,
  };
}

/** Miniflare (v4-shaped) options for the two references every workload is compared with. */
export function referenceWorker(selectDigest: string) {
  return {
    name: "reference",
    modules: true,
    scriptPath: "scripts/bench/reference.js",
    bindings: { SELECT_DIGEST: selectDigest },
    ...DIRECT_SOCKET,
    ...SHARED_WORKER_OPTIONS,
  };
}

/** Starts workerd with `workers` sharing one local D1 (persisted under `work`). */
export async function startRuntime(work: string, workers: ReturnType<typeof appWorker | typeof referenceWorker>[]) {
  // Miniflare 5 still takes the v4 option shape through its converter.
  const mf = new Miniflare(
    convertV4MiniflareOptions({ host: "127.0.0.1", port: 0, d1Persist: join(work, "d1"), workers }),
  );
  await mf.ready;
  return {
    mf,
    /** The Worker's own socket, as a base URL without a trailing slash. */
    directUrl: async (name: string) => (await mf.unsafeGetDirectURL(name)).toString().replace(/\/$/, ""),
  };
}

/** Applies drizzle/*.sql in order, as `wrangler d1 migrations apply` does. */
export async function applyMigrations(db: LocalDatabase): Promise<void> {
  for (const file of readdirSync("drizzle")
    .filter((name) => name.endsWith(".sql"))
    .sort()) {
    for (const statement of readFileSync(join("drizzle", file), "utf8").split("--> statement-breakpoint")) {
      if (statement.trim()) await db.prepare(statement).run();
    }
  }
}
