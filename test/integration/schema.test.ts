import { env } from "cloudflare:workers";
import { is } from "drizzle-orm";
import { getTableConfig, SQLiteTable } from "drizzle-orm/sqlite-core";
import { describe, expect, it } from "vitest";
import * as schema from "../../src/db/schema";

const TABLES: SQLiteTable[] = Object.values(schema as Record<string, unknown>).filter((value): value is SQLiteTable =>
  is(value, SQLiteTable),
);

interface ColumnInfo {
  name: string;
  type: string;
  notnull: number;
  pk: number;
}

describe("drizzle/ migrations and src/db/schema.ts", () => {
  it("define the same tables", async () => {
    const { results } = await env.DB.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name != 'd1_migrations' ORDER BY name",
    ).all<{ name: string }>();
    expect(results.map((row) => row.name)).toEqual(TABLES.map((table) => getTableConfig(table).name).sort());
  });

  it.each(TABLES.map((table) => [getTableConfig(table).name, table] as const))(
    "define the same columns, keys and indexes for %s",
    async (name, table) => {
      const config = getTableConfig(table);
      const columns = await env.DB.prepare(`PRAGMA table_info(${name})`).all<ColumnInfo>();
      expect(
        columns.results.map(({ name, type, notnull, pk }) => ({ name, type: type.toLowerCase(), notnull, pk })),
      ).toEqual(
        config.columns.map((column) => ({
          name: column.name,
          type: column.getSQLType(),
          notnull: column.notNull ? 1 : 0,
          pk: column.primary ? 1 : 0,
        })),
      );

      const indexes = await env.DB.prepare(`PRAGMA index_list(${name})`).all<{
        name: string;
        unique: number;
        origin: string;
      }>();
      const expectedIndexes = [
        ...config.indexes.map((index) => ({ name: index.config.name, unique: index.config.unique ? 1 : 0 })),
        ...config.columns
          .filter((column) => column.isUnique)
          .map((column) => ({ name: column.uniqueName ?? "", unique: 1 })),
      ];
      const actualIndexes = indexes.results
        .filter((index) => index.origin === "c")
        .map(({ name, unique }) => ({ name, unique }));
      expect(actualIndexes.sort((a, b) => a.name.localeCompare(b.name))).toEqual(
        expectedIndexes.sort((a, b) => a.name.localeCompare(b.name)),
      );

      const foreignKeys = await env.DB.prepare(`PRAGMA foreign_key_list(${name})`).all<{
        table: string;
        from: string;
        to: string;
        on_delete: string;
      }>();
      expect(
        foreignKeys.results.map(({ table, from, to, on_delete }) => ({
          table,
          from,
          to,
          on_delete: on_delete.toLowerCase(),
        })),
      ).toEqual(
        config.foreignKeys.map((foreignKey) => {
          const reference = foreignKey.reference();
          return {
            table: getTableConfig(reference.foreignTable).name,
            from: reference.columns[0]?.name,
            to: reference.foreignColumns[0]?.name,
            on_delete: foreignKey.onDelete ?? "no action",
          };
        }),
      );
    },
  );

  it("cascade a user's deletion to their tokens", async () => {
    await env.DB.prepare(
      "INSERT INTO users (id, username, username_canonical, password_hash, date_joined_ms) VALUES (9001, 'gone', 'gone', '!', 0)",
    ).run();
    await env.DB.prepare(
      "INSERT INTO tokens (id, user_id, key_digest, created_ms) VALUES ('s9001', 9001, 'd9001', 0)",
    ).run();
    await env.DB.prepare("DELETE FROM users WHERE id = 9001").run();
    expect(await env.DB.prepare("SELECT * FROM tokens WHERE id = 's9001'").first()).toBeNull();
  });
});
