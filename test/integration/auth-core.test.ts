import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { keyDigest } from "../../src/auth/token-key";
import { parseConfig } from "../../src/config";
import { AuthCore } from "../../src/core/auth";
import type { SessionCache } from "../../src/core/session-cache";
import { mailLinks } from "../../src/mail/mailer";
import { database } from "../../src/store/db";
import { call, login, register, T0, TestClock, tokenHeader } from "../helpers";

/** A cache that keeps nothing and records what the core told it to forget. */
function recordingCache() {
  const record = { forgotten: [] as string[], forgottenUsers: [] as { userId: number; digests: string[] }[] };
  const cache: SessionCache = {
    get: async () => undefined,
    put: async () => {},
    forget: async (digests) => {
      record.forgotten.push(...digests);
    },
    forgetUser: async (userId, digests) => {
      record.forgottenUsers.push({ userId, digests: [...digests].sort() });
    },
  };
  return { cache, record };
}

function coreAt(nowMs: number, vars: Record<string, string> = {}) {
  const config = parseConfig({ ...env, ...vars });
  const { cache, record } = recordingCache();
  const background: Promise<unknown>[] = [];
  const core = new AuthCore({
    db: database(env.DB),
    config,
    nowMs,
    cache,
    background: (_label, task) => background.push(task()),
    mailer: async () => true,
    links: mailLinks(config, "https://auth.example.com"),
  });
  return { core, record, settled: () => Promise.all(background) };
}

const DEVICE = { client: "test", userAgent: null, ip: null, city: null, country: null };

async function sessionIdOf(key: string): Promise<string> {
  const response = await call("/auth/sessions/", { headers: tokenHeader(key) }, { clock: new TestClock(T0) });
  const sessions = (await response.json()) as { id: string; current: boolean }[];
  const current = sessions.find((session) => session.current);
  if (!current) throw new Error("no current session");
  return current.id;
}

describe("the auth core", () => {
  it("tells the cache every digest revoked by revokeUser, read in the same call as the delete", async () => {
    const clock = new TestClock();
    const { username, key, pk } = await register({ clock });
    const phone = await login(username, { clock });
    const { core, record } = coreAt(T0);
    await core.revokeUser(pk);
    expect(record.forgottenUsers).toEqual([{ userId: pk, digests: [keyDigest(key), keyDigest(phone)].sort() }]);
    expect((await core.authenticate(key)).outcome).toBe("invalid");
  });

  it("keeps the session `except` and forgets only the others", async () => {
    const clock = new TestClock();
    const { username, key, pk } = await register({ clock });
    const phone = await login(username, { clock });
    const keep = await sessionIdOf(key);
    const { core, record } = coreAt(T0);
    await core.revokeUser(pk, { except: keep });
    expect(record.forgottenUsers).toEqual([{ userId: pk, digests: [keyDigest(phone)] }]);
    expect((await core.authenticate(key)).outcome).toBe("valid");
    expect((await core.authenticate(phone)).outcome).toBe("invalid");
  });

  it("forgets the other devices' digests when the password changes", async () => {
    const clock = new TestClock();
    const { username, key, pk } = await register({ clock });
    const phone = await login(username, { clock });
    const { core, record } = coreAt(T0);
    await core.changePassword(pk, "!unusable", { except: await sessionIdOf(key) });
    expect(record.forgottenUsers).toEqual([{ userId: pk, digests: [keyDigest(phone)] }]);
  });

  it("issues a token, evicting the least recently used beyond MAX_TOKENS_PER_USER and forgetting exactly those", async () => {
    const clock = new TestClock();
    const { username, key: oldest, pk } = await register({ clock });
    clock.advance(1000);
    const kept = await login(username, { clock });
    const { core, record } = coreAt(T0 + 2000, { MAX_TOKENS_PER_USER: "2" });
    const reservation = await core.throttle.reserveLogin(username, false, undefined);
    if ("retryAfterSeconds" in reservation) throw new Error("throttled");
    const issued = await core.issue(pk, DEVICE, { reservation });
    expect(record.forgotten).toEqual([keyDigest(oldest)]);
    expect((await core.authenticate(oldest)).outcome).toBe("invalid");
    expect((await core.authenticate(kept)).outcome).toBe("valid");
    expect((await core.authenticate(issued.key)).outcome).toBe("valid");
  });

  it("answers authenticate with a typed outcome: valid, invalid, expired or inactive", async () => {
    const clock = new TestClock();
    const { key, pk } = await register({ clock });
    const now = coreAt(T0);
    const valid = await now.core.authenticate(key);
    expect(valid.outcome === "valid" && valid.session.user.id).toBe(pk);
    await now.settled();
    expect((await now.core.authenticate("etk_not-a-key")).outcome).toBe("invalid");
    expect((await coreAt(T0 + 60_001, { TOKEN_TTL: "60s" }).core.authenticate(key)).outcome).toBe("expired");
    await env.DB.prepare("UPDATE users SET is_active = 0 WHERE id = ?").bind(pk).run();
    expect((await coreAt(T0).core.authenticate(key)).outcome).toBe("inactive");
  });
});
