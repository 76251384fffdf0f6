/**
 * Throttling with DRF's 429 answer. Failed logins are counted per account named and per client IP; once
 * either is over its limit, logins for it are refused (even with the right password) until its window
 * ends, whether the account exists or not. Each attempt reserves its place before its password is checked
 * (checking first and counting after let parallel attempts all through); a 429 holds no place, and a
 * success gives its place back and clears its account's count. Password-reset and verification mail
 * requests are counted per address and per IP, registration requests per IP.
 */
import type { Context } from "hono";
import { legacyHashRule, type RateLimit, secondsUntilWindowEnds } from "../auth/rate-limit";
import type { AppEnv } from "../context";
import { detailError } from "../errors";
import { writeAtomically } from "../store/db";
import {
  type Counter,
  deleteCounter,
  incrementCounter,
  releaseCounter,
  reserveCounter,
  selectCounters,
} from "../store/throttle";

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

/**
 * The buckets a login for `account` (its canonical username or e-mail, as typed) counts against. An account
 * on a legacy hash (`onLegacyHash`) has a smaller budget in the same window: each guess costs far more CPU.
 */
export function loginBuckets(c: Context<AppEnv>, account: string, onLegacyHash: boolean): Bucket[] {
  const { loginFailuresPerAccount, loginFailuresPerIp } = c.get("config");
  const ip = clientIp(c);
  const buckets: Bucket[] = [];
  if (loginFailuresPerAccount) {
    const rule = onLegacyHash ? legacyHashRule(loginFailuresPerAccount) : loginFailuresPerAccount;
    buckets.push({ key: `login:account:${account}`, rule });
  }
  if (loginFailuresPerIp && ip) buckets.push({ key: `login:ip:${ip}`, rule: loginFailuresPerIp });
  return buckets;
}

/**
 * The bucket a sign-in through another provider counts against: the client IP's login failures, shared with
 * password logins (there is no account named before the provider has answered).
 */
export function loginIpBuckets(c: Context<AppEnv>): Bucket[] {
  const { loginFailuresPerIp } = c.get("config");
  const ip = clientIp(c);
  return loginFailuresPerIp && ip ? [{ key: `login:ip:${ip}`, rule: loginFailuresPerIp }] : [];
}

/** Seconds until the counter's window ends when its count has reached `threshold` in it, else null. */
function wait(counter: Counter | undefined, rule: RateLimit, nowMs: number, threshold: number): number | null {
  if (!counter || counter.windowStartMs <= nowMs - rule.windowSeconds * 1000) return null;
  if (counter.count < threshold) return null;
  return secondsUntilWindowEnds(counter.windowStartMs, rule.windowSeconds, nowMs);
}

/** The places a login attempt holds in its buckets' windows, taken before its password is checked. */
export type LoginReservation = Counter[];

/**
 * Takes the attempt's place in every bucket before any password is checked, so that concurrent attempts
 * cannot all pass a check made before the first of them is counted. When a bucket is full the attempt is
 * refused (429) and holds no place anywhere (an attempt answered 429 does not count). A reservation that
 * ends in a wrong password simply stays: it was the failure.
 */
export function reserveLoginAttempt(c: Context<AppEnv>, buckets: Bucket[]): Promise<LoginReservation> {
  return reserve(c, buckets);
}

/**
 * Counts a registration request against its client IP and refuses it (429) once the IP has used its
 * window's places; as DRF's throttles, every request counts, whatever its answer, except one refused.
 */
export async function throttleRegistration(c: Context<AppEnv>): Promise<void> {
  const { registrationsPerIp } = c.get("config");
  const ip = clientIp(c);
  if (registrationsPerIp && ip) await reserve(c, [{ key: `registration:ip:${ip}`, rule: registrationsPerIp }]);
}

/** One place in every bucket's window, or a 429 that holds none (what it took is given back). */
async function reserve(c: Context<AppEnv>, buckets: Bucket[]): Promise<Counter[]> {
  const db = c.get("db");
  const nowMs = c.get("now");
  const [first, ...rest] = buckets.map((bucket) =>
    reserveCounter(db, bucket.key, bucket.rule.windowSeconds * 1000, nowMs, bucket.rule.limit),
  );
  if (!first) return [];
  const results = await writeAtomically(db, [first, ...rest]);
  const reserved = results.flatMap((rows) => rows.slice(0, 1));
  if (reserved.length === buckets.length) return reserved;

  const full = buckets.filter((_, index) => results[index]?.length === 0);
  const [select, ...releases] = [
    selectCounters(
      db,
      full.map((bucket) => bucket.key),
    ),
    ...reserved.map((counter) => releaseCounter(db, counter.key, counter.windowStartMs)),
  ];
  const [counters] = (await writeAtomically(db, [select, ...releases])) as [Counter[], ...unknown[]];
  const waits = full.map(
    (bucket) =>
      wait(
        counters.find((counter) => counter.key === bucket.key),
        bucket.rule,
        nowMs,
        bucket.rule.limit,
      ) ?? 1, // the full window closed in between: the client may retry at once
  );
  throw throttled(Math.max(...waits));
}

/** The statements that give back an attempt's places (it turned out not to be a failure), for a batch. */
export function releaseLoginAttempt(c: Context<AppEnv>, reservation: LoginReservation) {
  return reservation.map((counter) => releaseCounter(c.get("db"), counter.key, counter.windowStartMs));
}

/**
 * The statements that settle a successful login, for its batch: its account's failures are cleared and
 * its place in the other buckets (the IP's) is given back, as a success is no failure.
 */
export function settleSuccessfulLogin(c: Context<AppEnv>, reservation: LoginReservation) {
  const db = c.get("db");
  return reservation.map((counter) =>
    counter.key.startsWith("login:account:")
      ? deleteCounter(db, counter.key)
      : releaseCounter(db, counter.key, counter.windowStartMs),
  );
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
