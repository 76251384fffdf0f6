/**
 * `npm run soak [-- --seconds 60]`: concurrent registrations, logins, authenticated calls, logouts and session
 * deletes against the deploy build on workerd (bounded in time, loopback only), then the invariants: no 5xx,
 * every issued and unrevoked token still works, every revoked token fails, and the token rows equal issued
 * minus revoked. Exits non-zero on any violation.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { applyMigrations, appWorker, buildWorker, startRuntime } from "./bench/runtime";

const { values } = parseArgs({
  options: { seconds: { type: "string", default: "60" }, workers: { type: "string", default: "8" } },
});
const SECONDS = Number(values.seconds);
const CONCURRENCY = Number(values.workers);
const PASSWORD = "soak test passphrase";

interface Key {
  key: string;
  username: string;
  sessionId: string;
  revoked: boolean;
}

const keys: Key[] = [];
const users: string[] = [];
const statuses = new Map<number, number>();
let issued = 0;
let revokedCount = 0;

async function main() {
  const work = mkdtempSync(join(tmpdir(), "soak-"));
  buildWorker(work);
  const vars = { LOGIN_FAILURES_PER_ACCOUNT: "off", LOGIN_FAILURES_PER_IP: "off" };
  const { mf, directUrl } = await startRuntime(work, [appWorker(work, "app", vars)]);
  const base = await directUrl("app");
  const db = await mf.getD1Database("DB", "app");
  await applyMigrations(db);

  const request = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${base}${path}`, init);
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    return response;
  };
  const post = (path: string, body: unknown, key?: string) =>
    request(path, {
      method: "POST",
      headers: { "content-type": "application/json", ...(key ? { authorization: `Token ${key}` } : {}) },
      body: JSON.stringify(body),
    });
  const pick = <T>(items: T[]) => items[Math.floor(Math.random() * items.length)];
  const live = () => keys.filter((entry) => !entry.revoked);

  /** Records a freshly issued key with its session id. */
  const remember = async (username: string, response: Response) => {
    if (response.status !== 200 && response.status !== 201) return;
    const { key } = (await response.json()) as { key: string };
    const sessions = (await (
      await request("/auth/sessions/", { headers: { authorization: `Token ${key}` } })
    ).json()) as {
      id: string;
      current: boolean;
    }[];
    keys.push({ key, username, sessionId: sessions.find((session) => session.current)?.id ?? "", revoked: false });
    issued += 1;
  };

  const deadline = Date.now() + SECONDS * 1000;
  let counter = 0;
  const worker = async () => {
    while (Date.now() < deadline) {
      const roll = Math.random();
      const target = pick(live());
      if (roll < 0.1 || users.length === 0) {
        const username = `soak${counter++}_${Math.random().toString(36).slice(2, 6)}`;
        const response = await post("/auth/registration/", { username, password1: PASSWORD, password2: PASSWORD });
        if (response.status === 201) users.push(username);
        await remember(username, response);
      } else if (roll < 0.25) {
        const username = pick(users) as string;
        await remember(username, await post("/auth/login/", { username, password: PASSWORD }));
      } else if (roll < 0.85 || !target) {
        if (target) await request("/auth/user/", { headers: { authorization: `Token ${target.key}` } });
      } else if (roll < 0.93) {
        target.revoked = true;
        revokedCount += 1;
        await post("/auth/logout/", {}, target.key);
      } else {
        const sibling = live().find((entry) => entry.username === target.username && entry !== target);
        if (!sibling) continue;
        target.revoked = true;
        revokedCount += 1;
        await request(`/auth/sessions/${target.sessionId}/`, {
          method: "DELETE",
          headers: { authorization: `Token ${sibling.key}` },
        });
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));

  const failures: string[] = [];
  const serverErrors = [...statuses.entries()].filter(([status]) => status >= 500);
  if (serverErrors.length > 0) failures.push(`5xx answers: ${JSON.stringify(serverErrors)}`);
  for (const entry of keys) {
    const status = (await fetch(`${base}/auth/user/`, { headers: { authorization: `Token ${entry.key}` } })).status;
    if (status !== (entry.revoked ? 401 : 200))
      failures.push(`${entry.revoked ? "revoked" : "live"} token answered ${status}`);
  }
  const rows = Number((await db.prepare("SELECT count(*) AS n FROM tokens").first<{ n: number }>())?.n);
  if (rows !== issued - revokedCount) failures.push(`token rows ${rows} != issued ${issued} - revoked ${revokedCount}`);
  await mf.dispose();
  rmSync(work, { recursive: true, force: true });

  const total = [...statuses.values()].reduce((sum, count) => sum + count, 0);
  console.log(
    `soak: ${SECONDS} s, ${CONCURRENCY} workers, ${total} requests ${JSON.stringify(Object.fromEntries(statuses))}, ` +
      `${users.length} users, ${issued} tokens issued, ${revokedCount} revoked, ${rows} rows left`,
  );
  if (failures.length > 0) {
    console.error(`soak: ${failures.length} invariant violation(s):\n${failures.slice(0, 20).join("\n")}`);
    process.exit(1);
  }
  console.log("soak: all invariants hold");
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
