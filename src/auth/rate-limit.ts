/** Rate-limit settings such as `10/15m` (ten per fifteen minutes), or `off`. Pure parsing and window math. */
import { parseDurationSeconds } from "./duration";

export interface RateLimit {
  limit: number;
  windowSeconds: number;
}

/** Parses `N/<duration>` or `off`; returns undefined when the text is neither. */
export function parseRateLimit(text: string): RateLimit | null | undefined {
  const value = text.trim();
  if (value.toLowerCase() === "off") return null;
  const match = /^(\d+)\s*\/\s*(.+)$/.exec(value);
  if (!match) return undefined;
  const limit = Number(match[1]);
  const windowSeconds = parseDurationSeconds(match[2] ?? "");
  if (!Number.isSafeInteger(limit) || limit < 1 || windowSeconds === null) return undefined;
  return { limit, windowSeconds };
}

/**
 * Failed logins allowed per account window while the account is on a legacy hash. Each wrong guess against
 * an imported Django PBKDF2 hash costs up to seconds of CPU, so fewer are allowed than the usual budget.
 */
const LEGACY_HASH_FAILURES_PER_WINDOW = 3;

/** The per-account rule for an account on a legacy hash: the same window, at most 3 failures in it. */
export function legacyHashRule(rule: RateLimit): RateLimit {
  return { ...rule, limit: Math.min(rule.limit, LEGACY_HASH_FAILURES_PER_WINDOW) };
}

/** Whole seconds until a window that opened at `windowStartMs` closes (at least 1). */
export function secondsUntilWindowEnds(windowStartMs: number, windowSeconds: number, nowMs: number): number {
  return Math.max(1, Math.ceil((windowStartMs + windowSeconds * 1000 - nowMs) / 1000));
}

/**
 * Seconds until a window that opened at `windowStartMs` and holds `count` places frees one, or null when it
 * is not full at `nowMs` (over, or with places left).
 */
export function secondsUntilPlaceFrees(
  windowStartMs: number,
  count: number,
  rule: RateLimit,
  nowMs: number,
): number | null {
  if (windowStartMs <= nowMs - rule.windowSeconds * 1000 || count < rule.limit) return null;
  return secondsUntilWindowEnds(windowStartMs, rule.windowSeconds, nowMs);
}
