import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { keyDigest } from "../../src/auth/token-key";
import { brokenD1, call, login, register, TestClock, tokenHeader } from "../helpers";

const REPLICAS = { D1_READ_REPLICAS: "on" };
const INVALID = { error: "Invalid or Inactive Token", is_authenticated: false };

afterEach(() => vi.restoreAllMocks());

/**
 * The primary (env.DB) as the app sees it, whose Sessions API serves "first-unconstrained" reads from a
 * separate local D1 standing in for a lagging replica (env.REPLICA_DB), and "first-primary" reads from the
 * primary itself. Records the constraint of every session opened, in order.
 */
function replicatedD1(replica: D1Database = env.REPLICA_DB) {
  const constraints: string[] = [];
  const db = new Proxy(env.DB, {
    get(target, property) {
      if (property === "withSession") {
        return (constraint: string) => {
          constraints.push(constraint);
          return constraint === "first-primary" ? target.withSession(constraint) : replica.withSession(constraint);
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { db, constraints };
}

/** Copies the user's row and its token rows from the primary to the replica, as replication would. */
async function replicate(userId: number): Promise<void> {
  const copy = async (table: string, column: string) => {
    const { results } = await env.DB.prepare(`SELECT * FROM ${table} WHERE ${column} = ?`).bind(userId).all();
    for (const row of results) {
      const columns = Object.keys(row);
      await env.REPLICA_DB.prepare(
        `INSERT OR REPLACE INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
      )
        .bind(...Object.values(row))
        .run();
    }
  };
  await copy("users", "id");
  await copy("tokens", "user_id");
}

async function me(key: string, d1: D1Database, vars: Record<string, string> = REPLICAS, clock = new TestClock()) {
  const response = await call("/auth/user/", { headers: tokenHeader(key) }, { clock, env: { ...vars, DB: d1 } });
  return { status: response.status, body: await response.json() };
}

describe("D1_READ_REPLICAS", () => {
  it("is off by default: token checks read the primary without the Sessions API", async () => {
    const { key, username } = await register();
    const { db, constraints } = replicatedD1();
    expect(await me(key, db, {})).toMatchObject({ status: 200, body: { username } });
    expect(constraints).toEqual([]);
  });

  it("serves a token the replica holds from the replica alone", async () => {
    const { key, pk, username } = await register();
    await replicate(pk);
    const { db, constraints } = replicatedD1();
    expect(await me(key, db)).toMatchObject({ status: 200, body: { pk, username } });
    expect(constraints).toEqual(["first-unconstrained"]);
  });

  it("re-reads a key the replica lacks from the primary, so a token issued a moment ago works", async () => {
    const { key, username } = await register();
    const { db, constraints } = replicatedD1();
    expect(await me(key, db)).toMatchObject({ status: 200, body: { username } });
    expect(constraints).toEqual(["first-unconstrained", "first-primary"]);
  });

  it("answers 401 only once neither the replica nor the primary holds the key", async () => {
    const { key, pk } = await register();
    await replicate(pk);
    await env.DB.prepare("DELETE FROM tokens WHERE key_digest = ?").bind(keyDigest(key)).run();
    await env.REPLICA_DB.prepare("DELETE FROM tokens WHERE key_digest = ?").bind(keyDigest(key)).run();
    const { db, constraints } = replicatedD1();
    expect(await me(key, db)).toEqual({ status: 401, body: INVALID });
    expect(constraints).toEqual(["first-unconstrained", "first-primary"]);
  });

  it("never sends a key failing its checksum to D1", async () => {
    const { key } = await register();
    const { db, constraints } = replicatedD1();
    const forged = `${key.slice(0, -1)}${key.endsWith("A") ? "B" : "A"}`;
    expect(await me(forged, db)).toEqual({ status: 401, body: INVALID });
    expect(constraints).toEqual([]);
  });

  it("lags a revocation by the replication lag: the replica's copy is served until it catches up", async () => {
    const { key, pk } = await register();
    await replicate(pk);
    const { db } = replicatedD1();
    await call("/auth/logout/", { method: "POST", headers: tokenHeader(key) }, { env: { ...REPLICAS, DB: db } });
    expect((await env.DB.prepare("SELECT id FROM tokens WHERE user_id = ?").bind(pk).all()).results).toEqual([]);
    expect((await me(key, db)).status).toBe(200);
    await env.REPLICA_DB.prepare("DELETE FROM tokens WHERE user_id = ?").bind(pk).run();
    expect(await me(key, db)).toEqual({ status: 401, body: INVALID });
  });

  it("writes to the primary: a login through the replicated binding opens no session", async () => {
    const { username } = await register();
    const { db, constraints } = replicatedD1();
    const key = await login(username, { env: { ...REPLICAS, DB: db } });
    expect(constraints).toEqual([]);
    const row = await env.DB.prepare("SELECT id FROM tokens WHERE key_digest = ?").bind(keyDigest(key)).first();
    expect(row).not.toBeNull();
  });

  it("answers 503 when the replica fails, never a 401 or a pass", async () => {
    const { key } = await register();
    vi.spyOn(console, "error").mockImplementation(() => {});
    const { db } = replicatedD1(brokenD1("throwing"));
    expect(await me(key, db)).toEqual({
      status: 503,
      body: { detail: "Service temporarily unavailable, try again later." },
    });
  });

  it("refuses a value other than on and off", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const { key } = await register();
    const response = await me(key, env.DB, { D1_READ_REPLICAS: "yes" });
    expect(response.status).toBe(500);
    expect(JSON.stringify(response.body)).toContain("D1_READ_REPLICAS");
  });
});
