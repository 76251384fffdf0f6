/**
 * Throttling with DRF's 429 answer. Failed logins are counted per account named and per client IP; once
 * either is over its limit, logins for it are refused (even with the right password) until its window
 * ends, whether the account exists or not. A 429 is not itself counted, and a success clears its
 * account's count. Password-reset and verification mail requests are counted per address and per IP.
 */
import type { Context } from "hono";
import { type RateLimit, secondsUntilWindowEnds } from "../auth/rate-limit";
import type { AppEnv } from "../context";
import { detailError } from "../errors";
import { writeAtomically } from "../store/db";
import { type Counter, deleteCounter, incrementCounter, readCounters } from "../store/throttle";

interface Bucket {
  key: string;
  rule: RateLimit;
}

function throttled(seconds: number) {
  return detailError(429, `Request was throttled. Expected available in ${seconds} seconds.`, {
    "Retry-After": String(seconds),
  });
}

function clientIp(c: Context<AppEnv>): string | undefined {
  return c.req.header("cf-connecting-ip") ?? undefined;
}

/** The buckets a login for `account` (its canonical username or e-mail, as typed) counts against. */
export function loginBuckets(c: Context<AppEnv>, account: string): Bucket[] {
  const { loginFailuresPerAccount, loginFailuresPerIp } = c.get("config");
  const ip = clientIp(c);
  const buckets: Bucket[] = [];
  if (loginFailuresPerAccount) buckets.push({ key: `login:account:${account}`, rule: loginFailuresPerAccount });
  if (loginFailuresPerIp && ip) buckets.push({ key: `login:ip:${ip}`, rule: loginFailuresPerIp });
  return buckets;
}

/** Seconds until the counter's window ends when its count has reached `threshold` in it, else null. */
function wait(counter: Counter | undefined, rule: RateLimit, nowMs: number, threshold: number): number | null {
  if (!counter || counter.windowStartMs <= nowMs - rule.windowSeconds * 1000) return null;
  if (counter.count < threshold) return null;
  return secondsUntilWindowEnds(counter.windowStartMs, rule.windowSeconds, nowMs);
}

/** Refuses (429) a login whose account or IP has used up its failures. */
export async function refuseThrottledLogin(c: Context<AppEnv>, buckets: Bucket[]): Promise<void> {
  if (buckets.length === 0) return;
  const counters = await readCounters(
    c.get("db"),
    buckets.map((bucket) => bucket.key),
  );
  const waits = buckets
    .map((bucket) =>
      wait(
        counters.find((counter) => counter.key === bucket.key),
        bucket.rule,
        c.get("now"),
        bucket.rule.limit,
      ),
    )
    .filter((seconds): seconds is number => seconds !== null);
  if (waits.length > 0) throw throttled(Math.max(...waits));
}

/** Counts one failed login against every bucket, in one batch. */
export async function countLoginFailure(c: Context<AppEnv>, buckets: Bucket[]): Promise<void> {
  const db = c.get("db");
  const [first, ...rest] = buckets.map((bucket) =>
    incrementCounter(db, bucket.key, bucket.rule.windowSeconds * 1000, c.get("now")),
  );
  if (first) await writeAtomically(db, [first, ...rest]);
}

/** The statement that clears an account's failures after a successful login (for the login's batch). */
export function clearAccountFailures(c: Context<AppEnv>, buckets: Bucket[]) {
  const account = buckets.find((bucket) => bucket.key.startsWith("login:account:"));
  return account ? [deleteCounter(c.get("db"), account.key)] : [];
}

/** Counts a mail request for `address` (canonical) and refuses it (429) once the address or IP is over. */
export async function throttleMailRequest(c: Context<AppEnv>, address: string): Promise<void> {
  const { mailRequestsPerAddress, mailRequestsPerIp } = c.get("config");
  const ip = clientIp(c);
  const buckets: Bucket[] = [];
  if (mailRequestsPerAddress) buckets.push({ key: `mail:address:${address}`, rule: mailRequestsPerAddress });
  if (mailRequestsPerIp && ip) buckets.push({ key: `mail:ip:${ip}`, rule: mailRequestsPerIp });
  const db = c.get("db");
  const [first, ...rest] = buckets.map((bucket) =>
    incrementCounter(db, bucket.key, bucket.rule.windowSeconds * 1000, c.get("now")),
  );
  if (!first) return;
  const results = await writeAtomically(db, [first, ...rest]);
  const waits = results
    .map((rows, index) => {
      const bucket = buckets[index] as Bucket;
      return wait(rows[0], bucket.rule, c.get("now"), bucket.rule.limit + 1);
    })
    .filter((seconds): seconds is number => seconds !== null);
  if (waits.length > 0) throw throttled(Math.max(...waits));
}
