/** Values written into SQL text (for `wrangler d1 execute --file`), where statements cannot bind parameters. */

/** A value as an SQL literal: integers as they are, strings quoted with quotes doubled, null as NULL. */
export function literal(value: string | number | boolean | null): string {
  if (value === null) return "NULL";
  if (typeof value === "boolean") return value ? "1" : "0";
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new Error(`not an integer: ${value}`);
    return String(value);
  }
  if (value.includes("\0")) throw new Error("text may not contain NUL characters");
  return `'${value.replaceAll("'", "''")}'`;
}
