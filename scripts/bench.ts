/**
 * `npm run bench [-- --smoke] [-- --million]`: the Worker as built for deploy, on real workerd with the real
 * local D1 simulation (Miniflare's API, not `wrangler dev`), loaded by autocannon from a second process.
 * Every workload is compared with two references served by the same runtime in the same run: a hello world
 * (the limit) and one indexed D1 SELECT (the storage floor). CPU is the workerd processes' user+system time.
 * Prints a markdown table and writes it with the machine's description to docs/BENCHMARKS.md (not in smoke mode).
 */
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { hashPassword, SCRYPT_PARAMS } from "../src/auth/password-hash";
import { generateKey } from "../src/auth/token-key";
import { applyMigrations, appWorker, buildWorker, type LocalDatabase, SHARED_WORKER_OPTIONS } from "./bench/runtime";

const smoke = process.argv.includes("--smoke");
const million = process.argv.includes("--million");
const DURATION_SECONDS = smoke ? 1 : 10;
const CONNECTIONS = 16;
const PASSWORD = "benchmark passphrase 1";
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

interface Result {
  name: string;
  /** Whether every answer should be 2xx (unknown and junk tokens are meant to get 401). */
  expectOk: boolean;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  cpuMsPerRequest: number;
}

function workerdCpuMs(): number {
  // utime + stime of every workerd process started by this bench (our children's children).
  let ticks = 0;
  for (const pid of readdirSync("/proc").filter((entry) => /^\d+$/.test(entry))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const command = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      if (command.includes("workerd") && isOurs(Number(pid))) {
        ticks += Number(fields[11]) + Number(fields[12]);
      }
    } catch {}
  }
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

function isOurs(pid: number): boolean {
  for (let current = pid, depth = 0; current > 1 && depth < 6; depth++) {
    if (current === process.pid) return true;
    const stat = readFileSync(`/proc/${current}/stat`, "utf8");
    current = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  }
  return false;
}

/** Runs autocannon in its own process and reads its JSON summary. */
interface LoadOptions {
  headers?: Record<string, string>;
  method?: string;
  body?: string;
  connections?: number;
  expectOk?: boolean;
}

async function load(name: string, url: string, options: LoadOptions = {}): Promise<Result> {
  const args = ["--json", "-c", String(options.connections ?? CONNECTIONS), "-d", String(DURATION_SECONDS)];
  for (const [key, value] of Object.entries(options.headers ?? {})) args.push("-H", `${key}=${value}`);
  if (options.method) args.push("-m", options.method);
  if (options.body) args.push("-b", options.body);
  const before = workerdCpuMs();
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn("autocannon", [...args, url], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`autocannon exited ${code}`))));
  });
  const cpu = workerdCpuMs() - before;
  const summary = JSON.parse(output) as {
    requests: { total: number; average: number };
    latency: { p50: number; p99: number };
    non2xx: number;
  };
  const requests = summary.requests.total;
  return {
    name,
    expectOk: options.expectOk ?? true,
    requests,
    rps: requests / DURATION_SECONDS,
    p50: summary.latency.p50,
    p99: summary.latency.p99,
    non2xx: summary.non2xx,
    cpuMsPerRequest: requests > 0 ? cpu / requests : Number.NaN,
  };
}

/** Seeds tokens number `from` up to (not including) `to` for the user. */
async function seedTokens(db: LocalDatabase, userId: number, from: number, to: number): Promise<void> {
  const now = Date.now();
  for (let start = from; start < to; start += 500) {
    const rows: string[] = [];
    for (let i = start; i < Math.min(to, start + 500); i++) {
      rows.push(
        `('seed${i}', ${userId}, '${sha256(`seed-key-${i}-${randomBytes(4).toString("hex")}`)}', ${now}, ${now})`,
      );
    }
    await db.exec(`INSERT INTO tokens (id, user_id, key_digest, created_ms, last_used_ms) VALUES ${rows.join(", ")}`);
  }
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), "bench-"));
  buildWorker(work);

  const origin = createServer((_request, response) => response.end('{"ok":true}'));
  await new Promise<void>((resolve) => origin.listen(0, "127.0.0.1", resolve));
  const originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;

  const key = generateKey();
  const appVars = { ORIGIN_URL: originUrl, LOGIN_FAILURES_PER_ACCOUNT: "off", LOGIN_FAILURES_PER_IP: "off" };
  // Miniflare 5 still takes the v4 option shape through its converter.
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: "127.0.0.1",
      port: 0,
      d1Persist: join(work, "d1"),
      workers: [
        appWorker(work, "app", appVars),
        appWorker(work, "cached", { ...appVars, TOKEN_CACHE_TTL: "30s" }, ["cached.local/*"]),
        {
          name: "reference",
          modules: true,
          scriptPath: "scripts/bench/reference.js",
          bindings: { SELECT_DIGEST: sha256(key) },
          routes: ["reference.local/*"],
          ...SHARED_WORKER_OPTIONS,
        },
      ],
    }),
  );
  const base = (await mf.ready).toString().replace(/\/$/, "");
  const db = await mf.getD1Database("DB", "app");
  await applyMigrations(db);
  const passwordHash = await hashPassword(PASSWORD);
  await db
    .prepare(
      "INSERT INTO users (id, username, username_canonical, password_hash, date_joined_ms) VALUES (1, 'bench', 'bench', ?, ?)",
    )
    .bind(passwordHash, Date.now())
    .run();
  await db
    .prepare("INSERT INTO tokens (id, user_id, key_digest, created_ms, last_used_ms) VALUES ('bench', 1, ?, ?, ?)")
    .bind(sha256(key), Date.now(), Date.now())
    .run();
  await seedTokens(db, 1, 0, smoke ? 100 : 999);

  const auth = { authorization: `Token ${key}` };
  const results: Result[] = [];
  const hello = await load("hello world (the limit)", `${base}/hello`, { headers: { host: "reference.local" } });
  const select = await load("one indexed D1 SELECT (the floor)", `${base}/select`, {
    headers: { host: "reference.local" },
  });
  results.push(hello, select);
  results.push(await load("GET /auth/user/, 1k tokens", `${base}/auth/user/`, { headers: auth }));
  results.push(
    await load("unknown well-formed token (401)", `${base}/auth/user/`, {
      headers: { authorization: `Token ${generateKey()}` },
      expectOk: false,
    }),
  );
  results.push(
    await load("junk token (401)", `${base}/auth/user/`, {
      headers: { authorization: "Token this-is-not-a-key" },
      expectOk: false,
    }),
  );
  results.push(
    await load("GET /auth/user/, TOKEN_CACHE_TTL=30s", `${base}/auth/user/`, {
      headers: { ...auth, host: "cached.local" },
    }),
  );
  results.push(
    await load("POST /auth/login/", `${base}/auth/login/`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "bench", password: PASSWORD }),
      connections: 2,
    }),
  );
  results.push(await load("gateway round trip", `${base}/api/items`, { headers: auth }));
  results.push(await load("origin called directly", `${originUrl}/api/items`));
  if (million) {
    await seedTokens(db, 1, 999, 1_000_000);
    results.push(await load("GET /auth/user/, 1M tokens", `${base}/auth/user/`, { headers: auth }));
  }
  await mf.dispose();
  origin.close();
  rmSync(work, { recursive: true, force: true });

  const fmt = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : "n/a");
  const lines = [
    "| workload | req/s | p50 ms | p99 ms | non-2xx | CPU ms/req | req/s vs limit | req/s vs floor | CPU vs floor |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...results.map(
      (r) =>
        `| ${r.name} | ${fmt(r.rps, 0)} | ${r.p50} | ${r.p99} | ${r.non2xx} | ${fmt(r.cpuMsPerRequest, 3)} | ${fmt(r.rps / hello.rps)} | ${fmt(r.rps / select.rps)} | ${fmt(r.cpuMsPerRequest / select.cpuMsPerRequest)} |`,
    ),
  ];
  const table = lines.join("\n");
  console.log(table);
  if (!smoke) {
    const machine = `${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}, Node ${process.version}, workerd from miniflare ${JSON.parse(readFileSync("node_modules/miniflare/package.json", "utf8")).version}`;
    const settings = `${CONNECTIONS} connections (2 for login), ${DURATION_SECONDS} s per workload; scrypt N=${SCRYPT_PARAMS.N}, r=${SCRYPT_PARAMS.r}, p=${SCRYPT_PARAMS.p}`;
    writeFileSync(
      "docs/BENCHMARKS.md",
      `${readFileSync("scripts/bench/BENCHMARKS.head.md", "utf8")}\nRun on ${new Date().toISOString()} — ${machine}; ${settings}.\n\n${table}\n`,
    );
  }
  // A smoke run fails only if something is broken (a 5xx, an unexpected non-2xx), never on speed.
  const failed = results.filter((r) => r.requests === 0 || (r.expectOk && r.non2xx > 0));
  if (failed.length > 0) {
    console.error(`bench: unexpected failures in ${failed.map((r) => r.name).join(", ")}`);
    process.exit(1);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
