import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { register, T0 } from "../helpers";

async function runCron(): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: T0, cron: "*/15 * * * *" }), env, ctx);
  await waitOnExecutionContext(ctx);
}

describe("the scheduled purge: second factors", () => {
  it("removes expired second steps of logins and expired WebAuthn challenges only", async () => {
    const { pk } = await register();
    await env.DB.prepare(
      "INSERT INTO mfa_logins (token_digest, user_id, account, created_ms, expires_ms) VALUES ('old', ?, 'a', 0, ?), ('live', ?, 'a', 0, ?)",
    )
      .bind(pk, T0 - 1, pk, T0 + 60_000)
      .run();
    await env.DB.prepare(
      "INSERT INTO webauthn_challenges (id, purpose, user_id, challenge, expires_ms) VALUES ('old', 'register', ?, 'c1', ?), ('live', 'login', NULL, 'c2', ?)",
    )
      .bind(pk, T0 - 1, T0 + 60_000)
      .run();
    await runCron();
    const ids = async (sql: string) =>
      (await env.DB.prepare(sql).all<{ id: string }>()).results.map((row) => row.id).sort();
    expect(await ids("SELECT token_digest AS id FROM mfa_logins")).toEqual(["live"]);
    expect(await ids("SELECT id FROM webauthn_challenges")).toEqual(["live"]);
  });
});
