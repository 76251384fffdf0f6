import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { generateKey, keyDigest } from "../../src/auth/token-key";
import { StoreUnavailableError } from "../../src/errors";
import worker from "../../src/index";
import { PURGE_BATCH_SIZE, purgeExpired } from "../../src/scheduled";
import { brokenD1, call, recordingD1, register, T0, TestClock, tokenHeader } from "../helpers";

const DAY_MS = 86_400_000;

/** A token of `userId` created `ageMs` before T0, inserted straight into D1; returns its key. */
async function tokenAged(userId: number, ageMs: number, fields: { client?: string; lastUsedAgoMs?: number } = {}) {
  const key = generateKey();
  await env.DB.prepare(
    "INSERT INTO tokens (id, user_id, key_digest, created_ms, last_used_ms, client) VALUES (?, ?, ?, ?, ?, ?)",
  )
    .bind(
      key.slice(4, 20),
      userId,
      keyDigest(key),
      T0 - ageMs,
      T0 - (fields.lastUsedAgoMs ?? ageMs),
      fields.client ?? null,
    )
    .run();
  return key;
}

async function exists(key: string): Promise<boolean> {
  return (await env.DB.prepare("SELECT 1 FROM tokens WHERE key_digest = ?").bind(keyDigest(key)).first()) !== null;
}

/** Runs the Worker's real scheduled handler at T0 with `vars` layered over the environment. */
async function runCron(vars: Record<string, string> = {}): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(
    createScheduledController({ scheduledTime: T0, cron: "*/15 * * * *" }),
    { ...env, ...vars },
    ctx,
  );
  await waitOnExecutionContext(ctx);
}

describe("the scheduled purge", () => {
  it("deletes tokens expired longer than the retention window and leaves live and recently expired ones", async () => {
    const { pk } = await register();
    const live = await tokenAged(pk, 1 * DAY_MS);
    const recentlyExpired = await tokenAged(pk, 16 * DAY_MS);
    const longExpired = await tokenAged(pk, 23 * DAY_MS);
    await runCron();
    expect(await exists(live)).toBe(true);
    expect(await exists(recentlyExpired)).toBe(true);
    expect(await exists(longExpired)).toBe(false);
    // Meanwhile a recently expired token still says so.
    const response = await call("/auth/user/", { headers: tokenHeader(recentlyExpired) }, { clock: new TestClock(T0) });
    expect(await response.json()).toEqual({ error: "Token has expired", is_authenticated: false });
  });

  it("honours per-client TTLs, the idle TTL and EXPIRED_TOKEN_RETENTION", async () => {
    const { pk } = await register();
    const web = await tokenAged(pk, 2 * DAY_MS, { client: "web" });
    const ios = await tokenAged(pk, 2 * DAY_MS, { client: "ios" });
    const unnamed = await tokenAged(pk, 2 * DAY_MS);
    const idle = await tokenAged(pk, 3 * DAY_MS, { client: "ios", lastUsedAgoMs: 2 * DAY_MS });
    const busy = await tokenAged(pk, 3 * DAY_MS, { client: "ios", lastUsedAgoMs: 60_000 });
    await runCron({
      TOKEN_TTL: "1d",
      CLIENT_TOKEN_TTLS: '{"web":"1h","ios":"30d"}',
      TOKEN_IDLE_TTL: "1d",
      EXPIRED_TOKEN_RETENTION: "1h",
    });
    expect(await exists(web)).toBe(false);
    expect(await exists(unnamed)).toBe(false);
    expect(await exists(idle)).toBe(false);
    expect(await exists(ios)).toBe(false);
    expect(await exists(busy)).toBe(true);
  });

  it("removes spent and expired codes and stale throttle counters", async () => {
    const { pk } = await register();
    const insertReset = (id: string, expiresMs: number, usedMs: number | null) =>
      env.DB.prepare(
        "INSERT INTO password_resets (id, user_id, code_digest, fingerprint, created_ms, expires_ms, used_ms) VALUES (?, ?, 'd', 'f', 0, ?, ?)",
      )
        .bind(id, pk, expiresMs, usedMs)
        .run();
    await insertReset("spent", T0 + DAY_MS, T0 - 1000);
    await insertReset("expired", T0 - 1, null);
    await insertReset("pending", T0 + DAY_MS, null);
    await env.DB.prepare(
      "INSERT INTO email_verifications (key_digest, user_id, email, created_ms, expires_ms) VALUES ('old', ?, 'a@b.co', 0, ?), ('new', ?, 'a@b.co', 0, ?)",
    )
      .bind(pk, T0 - 1, pk, T0 + DAY_MS)
      .run();
    await env.DB.prepare(
      "INSERT INTO throttle_counters (key, count, window_start_ms) VALUES ('stale', 5, ?), ('current', 5, ?)",
    )
      .bind(T0 - 2 * 3_600_000, T0 - 60_000)
      .run();
    await runCron();
    const ids = async (sql: string) =>
      (await env.DB.prepare(sql).all<{ id: string }>()).results.map((row) => row.id).sort();
    expect(await ids("SELECT id FROM password_resets")).toEqual(["pending"]);
    expect(await ids("SELECT key_digest AS id FROM email_verifications")).toEqual(["new"]);
    expect(await ids("SELECT key AS id FROM throttle_counters")).toEqual(["current"]);
  });

  it("deletes in bounded batches", async () => {
    const { pk } = await register();
    const rows = 2 * PURGE_BATCH_SIZE + 500;
    const values = Array.from(
      { length: rows },
      (_, i) => `('bulk${i}', ${pk}, 'bulk-digest-${i}', ${T0 - 60 * DAY_MS}, ${T0 - 60 * DAY_MS})`,
    );
    for (let i = 0; i < values.length; i += 500) {
      await env.DB.prepare(
        `INSERT INTO tokens (id, user_id, key_digest, created_ms, last_used_ms) VALUES ${values.slice(i, i + 500).join(", ")}`,
      ).run();
    }
    const recorded = recordingD1(env.DB);
    const deleted = await purgeExpired({ ...env, DB: recorded.db }, T0);
    expect(deleted["tokens past every TTL"]).toBe(rows);
    const tokenDeletes = recorded.statements.filter((sql) => sql.startsWith('delete from "tokens"'));
    expect(tokenDeletes).toHaveLength(3);
    for (const sql of tokenDeletes) expect(sql).toContain("LIMIT ?");
  });

  it("goes through the store's guard: a failing D1 is a StoreUnavailableError", async () => {
    await expect(purgeExpired({ ...env, DB: brokenD1("throwing") }, T0)).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});
