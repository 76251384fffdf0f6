// The latency bench's Worker: the built service (./index.js, copied beside this file) with distance simulated
// in front of its D1 binding. Every query waits BENCH_PRIMARY_MS before it runs, as a round trip to the
// primary would; a Sessions API session opened "first-unconstrained" (a read replica) waits BENCH_REPLICA_MS
// instead. Authentication reads (the token joined with its user) are counted per kind, and so are hits of the
// data centre's cache (caches.default); GET /__bench/counts answers this isolate's counts and resets them.
// BENCH_SHARED_CACHE=off makes the data centre's cache store nothing, as on workers.dev: the isolate layer alone.
import app from "./index.js";

const counts = { primaryAuthReads: 0, replicaAuthReads: 0, sharedCacheHits: 0 };
const AUTH_READ = /from "tokens" inner join "users"/i;

const wait = (ms) => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve());

/** A prepared statement that waits `ms` before each execution and counts authentication reads. */
function delayedStatement(inner, sql, ms, kind) {
  const run =
    (method) =>
    async (...args) => {
      await wait(ms);
      if (AUTH_READ.test(sql)) counts[kind] += 1;
      return inner[method](...args);
    };
  return {
    inner,
    bind: (...values) => delayedStatement(inner.bind(...values), sql, ms, kind),
    first: run("first"),
    all: run("all"),
    raw: run("raw"),
    run: run("run"),
  };
}

/** The D1 binding (or a session of it) seen from afar: `ms` of distance before each call. */
function delayedDatabase(inner, ms, kind, env) {
  return {
    prepare: (sql) => delayedStatement(inner.prepare(sql), sql, ms, kind),
    batch: async (statements) => {
      await wait(ms);
      return inner.batch(statements.map((statement) => statement.inner));
    },
    exec: async (sql) => {
      await wait(ms);
      return inner.exec(sql);
    },
    withSession: (constraint) =>
      constraint === "first-unconstrained"
        ? delayedDatabase(inner.withSession(constraint), Number(env.BENCH_REPLICA_MS), "replicaAuthReads", env)
        : delayedDatabase(inner.withSession(constraint), Number(env.BENCH_PRIMARY_MS), "primaryAuthReads", env),
  };
}

const shared = caches.default;
const match = shared.match.bind(shared);
const put = shared.put.bind(shared);
let sharedCacheOn = true;
shared.match = async (...args) => {
  const response = sharedCacheOn ? await match(...args) : undefined;
  if (response) counts.sharedCacheHits += 1;
  return response;
};
shared.put = (...args) => (sharedCacheOn ? put(...args) : Promise.resolve());

// One wrapped environment per isolate: the app parses its configuration once per env object.
let source;
let wrapped;

export default {
  fetch(request, env, ctx) {
    if (new URL(request.url).pathname === "/__bench/counts") {
      const answer = Response.json(counts);
      for (const name of Object.keys(counts)) counts[name] = 0;
      return answer;
    }
    if (source !== env) {
      source = env;
      sharedCacheOn = env.BENCH_SHARED_CACHE !== "off";
      wrapped = { ...env, DB: delayedDatabase(env.DB, Number(env.BENCH_PRIMARY_MS), "primaryAuthReads", env) };
    }
    return app.fetch(request, wrapped, ctx);
  },
};
