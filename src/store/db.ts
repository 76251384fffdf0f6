/**
 * The Drizzle handle over the D1 binding, and the guard every store call goes through: whatever D1 throws
 * (unreachable, timed out, overloaded) becomes a `StoreUnavailableError`, answered 503, so no caller can
 * mistake a storage failure for "no such token".
 */
import { type DrizzleD1Database, drizzle } from "drizzle-orm/d1";
import * as schema from "../db/schema";
import { StoreUnavailableError } from "../errors";

export type Database = DrizzleD1Database<typeof schema>;

const handles = new WeakMap<D1Database, Database>();

/** One Drizzle handle per D1 binding, reused across the requests of an isolate. */
export function database(d1: D1Database): Database {
  let handle = handles.get(d1);
  if (!handle) {
    handle = drizzle(d1, { schema });
    handles.set(d1, handle);
  }
  return handle;
}

/** Runs one storage operation; any failure surfaces as `StoreUnavailableError`. */
export async function storeCall<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw new StoreUnavailableError(error);
  }
}

/** Runs several writes atomically (D1 has no interactive transactions; a batch is one). */
export function writeAtomically(db: Database, statements: Parameters<Database["batch"]>[0]) {
  return storeCall(() => db.batch(statements));
}

/** True when `error` (or its cause) is SQLite's unique-constraint violation on `column` (`table.column`). */
export function isUniqueViolation(error: unknown, column: string): boolean {
  for (let current = error; current instanceof Error; current = current.cause) {
    if (current.message.includes("UNIQUE constraint failed") && current.message.includes(column)) return true;
  }
  return false;
}

/**
 * The innermost message of a storage error, for logs. Drizzle's own message embeds the query's bound
 * parameters (digests, password hashes), so it is never logged; D1's underlying message has none.
 */
export function storeFailureReason(error: unknown): string {
  let current = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? `${current.name}: ${current.message}` : String(current);
}
