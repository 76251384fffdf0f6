/**
 * DRF-style cursor pagination of the activity log, pure. A cursor is an opaque, URL-safe text naming a
 * position (an event's `created` time in ms and its `id`, a total order even when times tie) and a direction,
 * as DRF's CursorPagination does (`p` position, `r` reverse), base64url-encoded. Decoding is strict: anything
 * that is not exactly what `encodeCursor` writes is refused, and the caller answers 404 "Invalid cursor".
 * A hand-made cursor can only move within the caller's own events (every query is scoped to the user).
 */

export interface CursorPosition {
  /** The event's creation time, ms since the epoch. */
  createdMs: number;
  /** The event's public id: breaks ties between events of the same millisecond. */
  id: string;
}

export interface Cursor {
  position: CursorPosition;
  /** False: the page holds events older than `position` (next). True: newer ones (previous). */
  reverse: boolean;
}

export interface Page<T> {
  results: T[];
  next: Cursor | null;
  previous: Cursor | null;
}

const DECODED = /^p=(\d{1,15})\.([0-9A-Za-z]{1,64})&r=([01])$/;
const BASE64URL = /^[A-Za-z0-9_-]{1,200}$/;

export function encodeCursor({ position, reverse }: Cursor): string {
  const text = `p=${position.createdMs}.${position.id}&r=${reverse ? 1 : 0}`;
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The cursor `text` encodes, or null for anything `encodeCursor` could not have written. */
export function decodeCursor(text: string): Cursor | null {
  if (!BASE64URL.test(text)) return null;
  let decoded: string;
  try {
    decoded = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  } catch {
    return null;
  }
  const match = DECODED.exec(decoded);
  if (!match) return null;
  const createdMs = Number(match[1]);
  if (!Number.isSafeInteger(createdMs)) return null;
  const cursor = { position: { createdMs, id: match[2] as string }, reverse: match[3] === "1" };
  // One spelling per cursor: no padding, no alternative base64 of the same bytes.
  return encodeCursor(cursor) === text ? cursor : null;
}

/**
 * The page for `cursor` from `fetched`, the rows its query returned: at most `pageSize + 1` of them, newest
 * first for a forward cursor (or none), oldest first for a reverse one. The extra row only says that more
 * exist in that direction. As DRF: the first page has no previous; a reverse page always has a next.
 */
export function paginate<T extends CursorPosition>(fetched: T[], pageSize: number, cursor: Cursor | null): Page<T> {
  const more = fetched.length > pageSize;
  const taken = fetched.slice(0, pageSize);
  const reverse = cursor?.reverse ?? false;
  const results = reverse ? taken.reverse() : taken;
  const newest = results[0];
  const oldest = results[results.length - 1];
  const hasNext = reverse ? cursor !== null : more;
  const hasPrevious = reverse ? more : cursor !== null;
  return {
    results,
    next: hasNext && oldest ? { position: positionOf(oldest), reverse: false } : null,
    previous: hasPrevious && newest ? { position: positionOf(newest), reverse: true } : null,
  };
}

function positionOf(row: CursorPosition): CursorPosition {
  return { createdMs: row.createdMs, id: row.id };
}
