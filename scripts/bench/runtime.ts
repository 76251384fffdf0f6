/**
 * The lean local runtime shared by `npm run bench` and `npm run soak`: the deploy build on the workerd binary that
 * Miniflare configures and starts, with each Worker listening on its own socket (Miniflare's direct sockets), so
 * requests reach the Worker without Miniflare's entry worker, its request logging or a Node.js hop in between.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
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

/**
 * Miniflare (v4-shaped) options for the built Worker with `vars`; `entry` names another module of `dist` to run
 * in front of it (one that imports `./index.js`).
 */
export function appWorker(work: string, name: string, vars: Record<string, string>, entry = "index.js") {
  const dist = join(work, "dist");
  // The entry first, then the modules it imports, as wrangler uploads them: WebAssembly (the Argon2id engine)
  // and text (Swagger UI's files for /docs, wrangler.toml's [[rules]]), named by wrangler with a content hash.
  const files = readdirSync(dist);
  const wasm = files.filter((file) => file.endsWith(".wasm"));
  const text = files.filter((file) => /^[0-9a-f]{40}-.*\.(js|css)$/.test(file));
  const scripts = entry === "index.js" ? [entry] : [entry, "index.js"];
  return {
    name,
    modules: [
      ...scripts.map((file) => ({ type: "ESModule" as const, path: join(dist, file) })),
      ...wasm.map((file) => ({ type: "CompiledWasm" as const, path: join(dist, file) })),
      ...text.map((file) => ({ type: "Text" as const, path: join(dist, file) })),
    ],
    modulesRoot: dist,
    bindings: vars,
    ...DIRECT_SOCKET,
    ...SHARED_WORKER_OPTIONS,
  };
}

/** Miniflare (v4-shaped) options for the two references every workload is compared with. */
export function referenceWorker(selectDigest: string, sessionSql: string, originUrl = "") {
  return {
    name: "reference",
    modules: true,
    scriptPath: "scripts/bench/reference.js",
    bindings: { SELECT_DIGEST: selectDigest, SESSION_SQL: sessionSql, ORIGIN_URL: originUrl },
    ...DIRECT_SOCKET,
    ...SHARED_WORKER_OPTIONS,
  };
}

/**
 * The Worker still writes its one log line per request (that cost is measured); this process drops them instead
 * of printing hundreds of thousands, and prints everything else as Miniflare would.
 */
function printAllButRequestLines({ level, message }: { level: string; message: string }): void {
  if (message.startsWith('{"level":"info","event":"request"')) return;
  if (level === "error" || level === "warn") console.error(message);
  else console.log(message);
}

/** Starts workerd with `workers` sharing one local D1 (persisted under `work`). */
export async function startRuntime(work: string, workers: ReturnType<typeof appWorker | typeof referenceWorker>[]) {
  // Miniflare 5 still takes the v4 option shape through its converter.
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: "127.0.0.1",
      port: 0,
      d1Persist: join(work, "d1"),
      workers,
      handleStructuredLogs: printAllButRequestLines,
    }),
  );
  await mf.ready;
  return {
    mf,
    /** The Worker's own socket, as a base URL without a trailing slash. */
    directUrl: async (name: string) => (await mf.unsafeGetDirectURL(name)).toString().replace(/\/$/, ""),
  };
}

/**
 * On a machine with 2 or more CPUs, keeps workerd (one thread runs every isolate) on the last CPU and lets the
 * load generator and this process (which also serves the gateway's origin) have the others (`taskset`), so they
 * do not take turns on one core: less noise. Returns the command prefix for the load generator, empty when
 * pinning is not possible.
 */
export function pinWorkerd(): string[] {
  const last = cpus().length - 1;
  if (last < 1 || !existsSync("/usr/bin/taskset")) return [];
  const pin = (cpuList: string, pid: number) =>
    execFileSync("taskset", ["--all-tasks", "--cpu-list", "--pid", cpuList, String(pid)], { stdio: "ignore" });
  try {
    for (const pid of ourWorkerdPids()) pin(String(last), pid);
    // This process too: it serves the gateway's origin.
    pin(`0-${last - 1}`, process.pid);
    return ["taskset", "--cpu-list", `0-${last - 1}`];
  } catch (error) {
    // A sandbox may refuse affinity changes: measure unpinned rather than not at all.
    console.error(
      `bench: could not pin processes to cores (${error instanceof Error ? error.message : error}); unpinned`,
    );
    return [];
  }
}

/** The workerd processes started by this process (its children's children), from /proc. */
export function ourWorkerdPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes("workerd") && isOurs(Number(entry))) {
        pids.push(Number(entry));
      }
    } catch {} // The process ended while we looked.
  }
  return pids;
}

/** `pid`'s fields from /proc/<pid>/stat, from the state on (the command name may contain spaces). */
export function procStat(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

function isOurs(pid: number): boolean {
  for (let current = pid, depth = 0; current > 1 && depth < 6; depth++) {
    if (current === process.pid) return true;
    current = Number(procStat(current)[1]);
  }
  return false;
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
