/** The lean local runtime shared by `npm run bench` and `npm run soak`: the deploy build on workerd via Miniflare. */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Miniflare } from "miniflare";

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

/** Miniflare (v4-shaped) options for the built Worker with `vars`, optionally on a hostname route. */
export function appWorker(work: string, name: string, vars: Record<string, string>, routes?: string[]) {
  return {
    name,
    modules: true,
    modulesRoot: join(work, "dist"),
    scriptPath: join(work, "dist", "index.js"),
    bindings: vars,
    ...(routes ? { routes } : {}),
    ...SHARED_WORKER_OPTIONS,
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
