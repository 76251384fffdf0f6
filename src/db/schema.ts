import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Accounts. `username_canonical` and `email_canonical` hold the case-folded forms (NFKC + lower case)
 * that uniqueness and login look-ups use, so "Alice" and "alice" are one account.
 */
export const users = sqliteTable("users", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  username: text("username").notNull(),
  usernameCanonical: text("username_canonical").notNull().unique(),
  email: text("email"),
  emailCanonical: text("email_canonical").unique(),
  firstName: text("first_name").notNull().default(""),
  lastName: text("last_name").notNull().default(""),
  /** Self-describing hash, e.g. `scrypt$16384$<salt>$8$5$<base64>` (Django's format). */
  passwordHash: text("password_hash").notNull(),
  isActive: integer("is_active", { mode: "boolean" }).notNull().default(true),
  isStaff: integer("is_staff", { mode: "boolean" }).notNull().default(false),
  isSuperuser: integer("is_superuser", { mode: "boolean" }).notNull().default(false),
  dateJoinedMs: integer("date_joined_ms").notNull(),
  lastLoginMs: integer("last_login_ms"),
});

/**
 * One row per device session. Only the SHA-256 digest of the key is stored; `id` is a public,
 * random identifier used to list and revoke sessions without ever exposing the key.
 */
export const tokens = sqliteTable(
  "tokens",
  {
    id: text("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    keyDigest: text("key_digest").notNull().unique(),
    createdMs: integer("created_ms").notNull(),
    lastUsedMs: integer("last_used_ms"),
    client: text("client"),
    userAgent: text("user_agent"),
    ip: text("ip"),
    city: text("city"),
    country: text("country"),
  },
  (table) => [index("tokens_user_id_idx").on(table.userId)],
);

export type UserRow = typeof users.$inferSelect;
export type TokenRow = typeof tokens.$inferSelect;
