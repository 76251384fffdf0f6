import { describe, expect, it } from "vitest";
import { explainMissingTables } from "../../scripts/manage/migrations";

describe("explainMissingTables", () => {
  const failure = "wrangler d1 execute failed: no such table: users: SQLITE_ERROR";

  it("tells the operator to migrate a deployed database that has no tables", () => {
    expect(explainMissingTables(failure, { remote: true })).toBe(
      `${failure}\nThe deployed database has not been migrated: run \`npx wrangler d1 migrations apply DB --remote\` first.`,
    );
  });

  it("leaves other errors, and local ones (migrated before every command), as they are", () => {
    expect(explainMissingTables(failure, { remote: false })).toBe(failure);
    expect(explainMissingTables('no user named "ada"', { remote: true })).toBe('no user named "ada"');
  });
});
