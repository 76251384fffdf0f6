/**
 * The throttles, counted in D1 so every isolate of the edge sees the same counts. Failed logins are counted
 * per account named and per client IP; once either is over its limit, logins for it are refused (even with
 * the right password) until its window ends, whether the account exists or not. Each attempt reserves its
 * place before its password is checked (checking first and counting after lets parallel attempts all
 * through); a success gives its place back and clears its account's count. Registration requests are counted
 * per IP, password-reset and verification mail requests per address and per IP. As DRF's throttles, every
 * request counts except one refused: a refusal holds no place anywhere.
 *
 * Reached through the auth core (`c.get("auth").throttle`); a refusal is answered, not thrown, so the HTTP
 * layer words it (src/http/throttle.ts).
 */
import { legacyHashRule, type RateLimit, secondsUntilPlaceFrees } from "../auth/rate-limit";
import type { Config } from "../config";
import { type Database, writeAtomically } from "../store/db";
import { type Counter, deleteCounter, releaseCounter, reserveCounter, selectCounters } from "../store/throttle";

interface Bucket {
  key: string;
  rule: RateLimit;
}

/** A request refused for now: retry in this many seconds. */
export interface Throttled {
  retryAfterSeconds: number;
}

/** The places a login attempt holds in its buckets' windows, taken before its password is checked. */
export interface LoginReservation {
  counters: Counter[];
}

type ThrottleRules = Pick<
  Config,
  | "loginFailuresPerAccount"
  | "loginFailuresPerIp"
  | "mailRequestsPerAddress"
  | "mailRequestsPerIp"
  | "registrationsPerIp"
>;

/** The buckets of the rules that are on, skipping a per-IP bucket when the request has no IP. */
function buckets(entries: [key: string | null, rule: RateLimit | null][]): Bucket[] {
  return entries.flatMap(([key, rule]) => (key !== null && rule ? [{ key, rule }] : []));
}

const ipKey = (prefix: string, ip: string | undefined) => (ip ? `${prefix}:ip:${ip}` : null);

export class Throttles {
  constructor(
    private readonly db: Database,
    private readonly rules: ThrottleRules,
    private readonly nowMs: number,
  ) {}

  /**
   * Takes a login attempt's place in the buckets of `account` (its canonical username or e-mail, as typed)
   * and of `ip`, before any password is checked, so that concurrent attempts cannot all pass a check made
   * before the first of them is counted. An account on a legacy hash (`onLegacyHash`) has a smaller budget in
   * the same window: each guess costs far more CPU. A reservation that ends in a wrong password simply stays:
   * it was the failure. `account` null (a passkey nobody owns) counts against the IP alone.
   */
  async reserveLogin(
    account: string | null,
    onLegacyHash: boolean,
    ip: string | undefined,
  ): Promise<LoginReservation | Throttled> {
    const perAccount = this.rules.loginFailuresPerAccount;
    const result = await this.reserve(
      buckets([
        [
          account === null ? null : `login:account:${account}`,
          perAccount && onLegacyHash ? legacyHashRule(perAccount) : perAccount,
        ],
        [ipKey("login", ip), this.rules.loginFailuresPerIp],
      ]),
    );
    return "retryAfterSeconds" in result ? result : { counters: result };
  }

  /** Gives back an attempt's places: it turned out not to be a failure (nor a success). */
  async releaseLogin(reservation: LoginReservation): Promise<void> {
    const [first, ...rest] = reservation.counters.map((counter) =>
      releaseCounter(this.db, counter.key, counter.windowStartMs),
    );
    if (first) await writeAtomically(this.db, [first, ...rest]);
  }

  /**
   * The statements that settle a successful login, for its batch: its account's failures are cleared and
   * its place in the other buckets (the IP's) is given back, as a success is no failure.
   */
  settleLogin(reservation: LoginReservation) {
    return reservation.counters.map((counter) =>
      counter.key.startsWith("login:account:")
        ? deleteCounter(this.db, counter.key)
        : releaseCounter(this.db, counter.key, counter.windowStartMs),
    );
  }

  /** Counts a registration request against its client IP; null when it may go on. */
  async registration(ip: string | undefined): Promise<Throttled | null> {
    return refusalOf(await this.reserve(buckets([[ipKey("registration", ip), this.rules.registrationsPerIp]])));
  }

  /** Counts a mail request for `address` (canonical) against it and the client IP; null when it may go on. */
  async mailRequest(address: string, ip: string | undefined): Promise<Throttled | null> {
    return refusalOf(
      await this.reserve(
        buckets([
          [`mail:address:${address}`, this.rules.mailRequestsPerAddress],
          [ipKey("mail", ip), this.rules.mailRequestsPerIp],
        ]),
      ),
    );
  }

  /** One place in every bucket's window, or a refusal that holds none (what it took is given back). */
  private async reserve(wanted: Bucket[]): Promise<Counter[] | Throttled> {
    const { db, nowMs } = this;
    const [first, ...rest] = wanted.map((bucket) =>
      reserveCounter(db, bucket.key, bucket.rule.windowSeconds * 1000, nowMs, bucket.rule.limit),
    );
    if (!first) return [];
    const results = await writeAtomically(db, [first, ...rest]);
    const reserved = results.flatMap((rows) => rows.slice(0, 1));
    if (reserved.length === wanted.length) return reserved;

    const full = wanted.filter((_, index) => results[index]?.length === 0);
    const [select, ...releases] = [
      selectCounters(
        db,
        full.map((bucket) => bucket.key),
      ),
      ...reserved.map((counter) => releaseCounter(db, counter.key, counter.windowStartMs)),
    ];
    const [counters] = (await writeAtomically(db, [select, ...releases])) as [Counter[], ...unknown[]];
    const waits = full.map((bucket) => {
      const counter = counters.find((candidate) => candidate.key === bucket.key);
      // The full window closed in between: the client may retry at once.
      return (counter && secondsUntilPlaceFrees(counter.windowStartMs, counter.count, bucket.rule, nowMs)) ?? 1;
    });
    return { retryAfterSeconds: Math.max(...waits) };
  }
}

function refusalOf(result: Counter[] | Throttled): Throttled | null {
  return "retryAfterSeconds" in result ? result : null;
}
