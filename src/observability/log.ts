/**
 * The structured logger: every line the service writes is one JSON object on one line, `{"level", "event",
 * ...fields}`, so Workers Logs (and `wrangler tail`) can filter on its fields. Callers pass only fields that
 * are safe to keep: ids, routes, kinds, counts and internal reasons, never a key, password, cookie or code.
 */

type LogLevel = "info" | "warn" | "error";

/** Writes one line: `event` is a stable snake_case name to search for (`store_unavailable`, `mail_dropped`). */
export function logEvent(level: LogLevel, event: string, fields: Record<string, unknown> = {}): void {
  // Looked up at each call, not bound once: tests and tail workers replace console methods.
  const write = level === "error" ? console.error : level === "warn" ? console.warn : console.log;
  write(JSON.stringify({ level, event, ...fields }));
}

/**
 * The call frames of `error`'s stack (`at ...` lines) without its message, which may span several lines and
 * quote values (Drizzle's names the query's bound parameters); null when there are none.
 */
export function stackFrames(error: unknown): string | null {
  if (!(error instanceof Error) || typeof error.stack !== "string") return null;
  const frames = error.stack.split("\n").filter((line) => /^\s+at /.test(line));
  return frames.length > 0 ? frames.map((line) => line.trim()).join("\n") : null;
}
