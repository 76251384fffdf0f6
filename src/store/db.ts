/**
 * The Drizzle handle over the D1 binding, and the guard every store call goes through: whatever D1 throws
 * (unreachable, timed out, overloaded) becomes a `StoreUnavailableError`, answered 503, so no caller can
 * mistake a storage failure for "no such token", and none waits on a stalled database for more than 5 s.
 */
import type { BatchItem, BatchResponse } from "drizzle-orm/batch";
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

/**
 * How long one storage operation may take before it is abandoned and the request answered 503. D1 answers in
 * milliseconds; a call still pending after this is a stalled database, and waiting longer only holds the
 * client (and, at the gateway, its request) until the runtime gives up. An abandoned write may still land.
 */
export const STORE_TIMEOUT_MS = 5_000;

/** Runs one storage operation; any failure, or no answer within STORE_TIMEOUT_MS, surfaces as `StoreUnavailableError`. */
export async function storeCall<T>(operation: () => Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`D1 did not answer within ${STORE_TIMEOUT_MS} ms`)), STORE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([operation(), deadline]);
  } catch (error) {
    throw new StoreUnavailableError(error);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs several writes atomically (D1 has no interactive transactions; a batch is one); typed per statement. */
export function writeAtomically<U extends BatchItem<"sqlite">, T extends Readonly<[U, ...U[]]>>(
  db: Database,
  statements: T,
): Promise<BatchResponse<T>> {
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
