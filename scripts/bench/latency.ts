/**
 * `npm run bench -- --latency [--smoke]`: what a token check costs where users are. The deploy build runs on
 * workerd with the local D1, behind scripts/bench/latency-worker.js, which delays every D1 call as distance
 * would (PRIMARY_MS to the primary, REPLICA_MS to a read replica) and counts the authentication reads and the
 * data centre's cache hits. Each mode runs on INSTANCES Worker instances of the same build (each its own
 * isolate) sharing the D1 and the Cache API, as the isolates of one busy data centre do; requests pick an
 * instance and one of TOKENS tokens at random. Reports p50/p99 of `GET /auth/user/` and of a gateway round
 * trip per mode, beside the origin called directly, with where the checks were answered.
 */
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { generateKey, keyDigest } from "../../src/auth/token-key";
import { applyMigrations, appWorker, type LocalDatabase, pinWorkerd, startRuntime } from "./runtime";

/** Simulated round trip from the visitor's data centre to the D1 primary (another continent). */
const PRIMARY_MS = 80;
/** Simulated round trip to the nearest read replica (the same region). */
const REPLICA_MS = 5;
const INSTANCES = 4;
const CONCURRENCY = 4;

export const LATENCY_START = "<!-- latency bench: start -->";
export const LATENCY_END = "<!-- latency bench: end -->";

interface Mode {
  name: string;
  vars: Record<string, string>;
  /** Whether to touch every token once before measuring (a warm cache, as in steady traffic). */
  warm: boolean;
}

const MODES: Mode[] = [
  { name: "exact", vars: {}, warm: false },
  { name: "read replicas", vars: { D1_READ_REPLICAS: "on" }, warm: false },
  // As on workers.dev, where the Cache API stores nothing: each isolate fills its own memory.
  { name: "isolate cache", vars: { TOKEN_CACHE_TTL: "60s", BENCH_SHARED_CACHE: "off" }, warm: true },
  { name: "data-centre cache", vars: { TOKEN_CACHE_TTL: "60s" }, warm: true },
];

interface Counts {
  primaryAuthReads: number;
  replicaAuthReads: number;
  sharedCacheHits: number;
}

interface Row {
  mode: string;
  workload: string;
  requests: number;
  p50: number;
  p99: number;
  counts: Counts | null;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;

/** Sends requests from CONCURRENCY loops for `seconds`; each picks its URL and headers with `next`. */
async function drive(seconds: number, next: () => { url: string; headers: Record<string, string> }) {
  const latencies: number[] = [];
  let failures = 0;
  const until = performance.now() + seconds * 1000;
  const loop = async () => {
    while (performance.now() < until) {
      const { url, headers } = next();
      const start = performance.now();
      const response = await fetch(url, { headers });
      await response.arrayBuffer();
      latencies.push(performance.now() - start);
      if (!response.ok) failures += 1;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, loop));
  latencies.sort((a, b) => a - b);
  return { requests: latencies.length, p50: percentile(latencies, 50), p99: percentile(latencies, 99), failures };
}

/** Migrates and seeds the database, unless this runtime already finds it seeded. */
async function seed(db: LocalDatabase, keys: string[]): Promise<void> {
  const existing = await db.prepare("SELECT name FROM sqlite_master WHERE name = 'tokens'").first();
  if (existing) return;
  await applyMigrations(db);
  const now = Date.now();
  await db
    .prepare(
      "INSERT INTO users (id, username, username_canonical, password_hash, date_joined_ms) VALUES (1, 'bench', 'bench', '!', ?)",
    )
    .bind(now)
    .run();
  for (let start = 0; start < keys.length; start += 200) {
    const rows = keys
      .slice(start, start + 200)
      .map((key, i) => `('lat${start + i}', 1, '${keyDigest(key)}', ${now}, ${now})`);
    await db.exec(`INSERT INTO tokens (id, user_id, key_digest, created_ms, last_used_ms) VALUES ${rows.join(", ")}`);
  }
}

export async function runLatency(work: string, smoke: boolean): Promise<void> {
  const seconds = smoke ? 1 : 4;
  const tokens = smoke ? 50 : 400;
  copyFileSync("scripts/bench/latency-worker.js", join(work, "dist", "latency-worker.js"));
  const origin = createServer((_request, response) => response.end('{"ok":true}'));
  await new Promise<void>((resolve) => origin.listen(0, "127.0.0.1", resolve));
  const originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
  const keys = Array.from({ length: tokens }, () => generateKey());
  const pick = <T>(items: T[]) => items[Math.floor(Math.random() * items.length)] as T;

  const rows: Row[] = [];
  let pinned = false;
  for (const mode of MODES) {
    const vars = {
      // A local run: the gateway signs with the development key, as under wrangler.toml's top level.
      ENVIRONMENT: "development",
      ORIGIN_URL: originUrl,
      BENCH_PRIMARY_MS: String(PRIMARY_MS),
      BENCH_REPLICA_MS: String(REPLICA_MS),
      ...mode.vars,
    };
    const names = Array.from({ length: INSTANCES }, (_, i) => `isolate${i}`);
    const { mf, directUrl } = await startRuntime(
      work,
      names.map((name) => appWorker(work, name, vars, "latency-worker.js")),
    );
    if (!pinned) {
      pinWorkerd();
      pinned = true;
    }
    // Each runtime is seeded if it does not find the previous one's data.
    await seed(await mf.getD1Database("DB", "isolate0"), keys);
    const bases = await Promise.all(names.map((name) => directUrl(name)));
    const counts = async (): Promise<Counts> => {
      const all = await Promise.all(bases.map(async (base) => (await fetch(`${base}/__bench/counts`)).json()));
      return (all as Counts[]).reduce((sum, c) => ({
        primaryAuthReads: sum.primaryAuthReads + c.primaryAuthReads,
        replicaAuthReads: sum.replicaAuthReads + c.replicaAuthReads,
        sharedCacheHits: sum.sharedCacheHits + c.sharedCacheHits,
      }));
    };
    if (mode.warm) {
      for (let i = 0; i < keys.length; i += CONCURRENCY) {
        await Promise.all(
          keys
            .slice(i, i + CONCURRENCY)
            .map((key) =>
              fetch(`${pick(bases)}/auth/user/`, { headers: { authorization: `Token ${key}` } }).then((r) =>
                r.arrayBuffer(),
              ),
            ),
        );
      }
    }
    for (const [workload, path] of [
      ["GET /auth/user/", "/auth/user/"],
      ["gateway round trip", "/api/items"],
    ] as const) {
      await counts(); // resets them
      const result = await drive(seconds, () => ({
        url: `${pick(bases)}${path}`,
        headers: { authorization: `Token ${pick(keys)}` },
      }));
      if (result.failures > 0) throw new Error(`latency bench: ${result.failures} failed requests in ${mode.name}`);
      rows.push({ mode: mode.name, workload, ...result, counts: await counts() });
    }
    await mf.dispose();
  }
  const direct = await drive(seconds, () => ({ url: `${originUrl}/api/items`, headers: {} }));
  rows.push({ mode: "—", workload: "origin called directly", ...direct, counts: null });
  origin.close();

  const table = latencyTable(rows, direct.p50);
  console.log(table);
  if (!smoke) {
    const settings = `${INSTANCES} instances (isolates) of the deploy build sharing one local D1 and Cache API; D1 delayed ${PRIMARY_MS} ms to the primary and ${REPLICA_MS} ms to a replica per call; ${tokens} tokens, each request to a random instance with a random token; ${CONCURRENCY} concurrent clients for ${seconds} s per row; cache modes warmed with one request per token first; TOKEN_CACHE_TTL=60s`;
    writeLatencySection(
      `## Latency where users are (\`npm run bench -- --latency\`)\n\nRun on ${new Date().toISOString()}: ${settings}.\n\n${table}\n`,
    );
  }
}

function latencyTable(rows: Row[], directP50: number): string {
  const fmt = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : "n/a");
  const share = (count: number, total: number) => `${fmt((100 * count) / total, 0)} %`;
  const lines = [
    "| mode | workload | requests | p50 ms | p99 ms | p50 over the origin's | checks read at the primary | at a replica | from the data centre's cache | from the isolate's memory |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...rows.map((r) => {
      const c = r.counts;
      const cells = c
        ? [
            share(c.primaryAuthReads, r.requests),
            share(c.replicaAuthReads, r.requests),
            share(c.sharedCacheHits, r.requests),
            // Every request is checked once: what neither D1 nor the Cache API answered, the isolate's memory did.
            share(Math.max(0, r.requests - c.primaryAuthReads - c.replicaAuthReads - c.sharedCacheHits), r.requests),
          ]
        : ["—", "—", "—", "—"];
      return `| ${r.mode} | ${r.workload} | ${r.requests} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${r.counts ? `+${fmt(r.p50 - directP50)}` : "—"} | ${cells.join(" | ")} |`;
    }),
  ];
  return lines.join("\n");
}

/** Puts `section` between the latency markers of docs/BENCHMARKS.md, replacing an earlier run's. */
function writeLatencySection(section: string): void {
  const path = "docs/BENCHMARKS.md";
  const text = existsSync(path) ? readFileSync(path, "utf8") : "";
  const block = `${LATENCY_START}\n${section}${LATENCY_END}\n`;
  const start = text.indexOf(LATENCY_START);
  const end = text.indexOf(LATENCY_END);
  writeFileSync(
    path,
    start >= 0 && end > start
      ? text.slice(0, start) + block + text.slice(end + LATENCY_END.length + 1)
      : `${text.trimEnd()}\n\n${block}`,
  );
}

/** The latency section of docs/BENCHMARKS.md as it stands (empty when there is none), for the full bench to keep. */
export function currentLatencySection(): string {
  const text = existsSync("docs/BENCHMARKS.md") ? readFileSync("docs/BENCHMARKS.md", "utf8") : "";
  const start = text.indexOf(LATENCY_START);
  const end = text.indexOf(LATENCY_END);
  return start >= 0 && end > start ? `${text.slice(start, end + LATENCY_END.length)}\n` : "";
}
