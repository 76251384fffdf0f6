import { describe, expect, it } from "vitest";
import { type Cursor, decodeCursor, encodeCursor, paginate } from "../../src/activity/cursor";

const at = (createdMs: number, id: string) => ({ createdMs, id });

describe("activity cursors", () => {
  it("round-trip a position and a direction as opaque URL-safe text", () => {
    for (const cursor of [
      { position: at(1_796_119_200_000, "4kT0pQ2aX9mWcE1z"), reverse: false },
      { position: at(0, "a"), reverse: true },
    ] satisfies Cursor[]) {
      const text = encodeCursor(cursor);
      expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(text).not.toContain("4kT0pQ2aX9mWcE1z");
      expect(decodeCursor(text)).toEqual(cursor);
    }
  });

  it.each([
    "",
    "not a cursor",
    "cD0xMjM", // "p=123": no id
    btoa("p=abc.x&r=0").replace(/=+$/, ""),
    btoa("p=1.x&r=2").replace(/=+$/, ""),
    btoa("p=-1.x&r=0").replace(/=+$/, ""),
    btoa("p=1.x y&r=0").replace(/=+$/, ""),
    btoa("p=99999999999999999.x&r=0").replace(/=+$/, ""),
    `${encodeCursor({ position: at(5, "abc"), reverse: false })}=`,
    `${encodeCursor({ position: at(5, "abc"), reverse: false })}!`,
    "%%%",
  ])("refuses the tampered or foreign cursor %j", (text) => {
    expect(decodeCursor(text)).toBeNull();
  });
});

describe("paginate", () => {
  const rows = (n: number, from = 100) => Array.from({ length: n }, (_, i) => at(from - i, `id${from - i}`));

  it("answers the first page with a next cursor at its last row and no previous", () => {
    const page = paginate(rows(4), 3, null);
    expect(page.results.map((row) => row.id)).toEqual(["id100", "id99", "id98"]);
    expect(page.next).toEqual({ position: at(98, "id98"), reverse: false });
    expect(page.previous).toBeNull();
  });

  it("answers a last page forward with a previous cursor at its first row and no next", () => {
    const page = paginate(rows(2, 97), 3, { position: at(98, "id98"), reverse: false });
    expect(page.results.map((row) => row.id)).toEqual(["id97", "id96"]);
    expect(page.next).toBeNull();
    expect(page.previous).toEqual({ position: at(97, "id97"), reverse: true });
  });

  it("turns rows fetched oldest first for a reverse cursor back into newest first", () => {
    // Fetched ascending, strictly newer than the position: one more than the page means newer ones exist.
    const fetched = [at(98, "id98"), at(99, "id99"), at(100, "id100"), at(101, "id101")];
    const page = paginate(fetched, 3, { position: at(97, "id97"), reverse: true });
    expect(page.results.map((row) => row.id)).toEqual(["id100", "id99", "id98"]);
    expect(page.next).toEqual({ position: at(98, "id98"), reverse: false });
    expect(page.previous).toEqual({ position: at(100, "id100"), reverse: true });
  });

  it("has no previous page once a reverse cursor reaches the newest rows", () => {
    const page = paginate([at(99, "id99"), at(100, "id100")], 3, { position: at(98, "id98"), reverse: true });
    expect(page.results.map((row) => row.id)).toEqual(["id100", "id99"]);
    expect(page.previous).toBeNull();
    expect(page.next).toEqual({ position: at(99, "id99"), reverse: false });
  });

  it("answers an empty list with neither cursor", () => {
    expect(paginate([], 3, null)).toEqual({ results: [], next: null, previous: null });
  });
});
