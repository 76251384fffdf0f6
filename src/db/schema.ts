import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

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
  /** Self-describing hash in Django's format, e.g. `argon2$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`. */
  passwordHash: text("password_hash").notNull(),
  isActive: integer("is_active", { mode: "boolean" }).notNull().default(true),
  isStaff: integer("is_staff", { mode: "boolean" }).notNull().default(false),
  isSuperuser: integer("is_superuser", { mode: "boolean" }).notNull().default(false),
  dateJoinedMs: integer("date_joined_ms").notNull(),
  lastLoginMs: integer("last_login_ms"),
  /** Set once the owner followed a verification link sent to `email` (or an operator vouched for it). */
  emailVerified: integer("email_verified", { mode: "boolean" }).notNull().default(false),
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
  (table) => [
    index("tokens_user_id_idx").on(table.userId),
    // The scheduled purge finds expired tokens by these without scanning the table.
    index("tokens_created_ms_idx").on(table.createdMs),
    index("tokens_last_used_ms_idx").on(table.lastUsedMs),
  ],
);

/**
 * Password-reset codes. `id` is the opaque `uid` mailed with the code; only the code's SHA-256 is kept.
 * `fingerprint` binds the code to the password and e-mail it was issued for: once either changes, it is dead.
 */
export const passwordResets = sqliteTable(
  "password_resets",
  {
    id: text("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    codeDigest: text("code_digest").notNull(),
    fingerprint: text("fingerprint").notNull(),
    createdMs: integer("created_ms").notNull(),
    expiresMs: integer("expires_ms").notNull(),
    usedMs: integer("used_ms"),
  },
  (table) => [
    index("password_resets_user_id_idx").on(table.userId),
    index("password_resets_expires_ms_idx").on(table.expiresMs),
  ],
);

/** E-mail verification keys, stored as SHA-256 digests, each for the address it was sent to. */
export const emailVerifications = sqliteTable(
  "email_verifications",
  {
    keyDigest: text("key_digest").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    email: text("email").notNull(),
    createdMs: integer("created_ms").notNull(),
    expiresMs: integer("expires_ms").notNull(),
  },
  (table) => [
    index("email_verifications_user_id_idx").on(table.userId),
    index("email_verifications_expires_ms_idx").on(table.expiresMs),
  ],
);

/**
 * Fixed-window counters for throttling (failed logins, mail requests), shared by every isolate through D1
 * so limits hold exactly across the edge. `key` names what is counted, e.g. `login:account:alice`.
 */
export const throttleCounters = sqliteTable(
  "throttle_counters",
  {
    key: text("key").primaryKey(),
    count: integer("count").notNull(),
    windowStartMs: integer("window_start_ms").notNull(),
  },
  (table) => [index("throttle_counters_window_start_ms_idx").on(table.windowStartMs)],
);

/**
 * A user's TOTP authenticator. `secret_sealed` is the secret encrypted under `MFA_ENCRYPTION_KEY` (never
 * stored in clear); the row is pending until `confirmed_ms` is set by a correct code. `last_used_step` is the
 * time step of the last code accepted: a code of that step or an earlier one is refused (no replay).
 */
export const mfaTotp = sqliteTable("mfa_totp", {
  userId: integer("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  secretSealed: text("secret_sealed").notNull(),
  createdMs: integer("created_ms").notNull(),
  confirmedMs: integer("confirmed_ms"),
  lastUsedStep: integer("last_used_step"),
});

/** Recovery codes, stored as SHA-256 digests; `used_ms` marks a spent one. */
export const mfaRecoveryCodes = sqliteTable(
  "mfa_recovery_codes",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    codeDigest: text("code_digest").notNull(),
    createdMs: integer("created_ms").notNull(),
    usedMs: integer("used_ms"),
  },
  (table) => [index("mfa_recovery_codes_user_id_idx").on(table.userId)],
);

/**
 * The second step of a login (`mfa_required`): a single-use token, stored as its SHA-256 digest, naming the
 * user who proved the password, the throttle account the login counted against and the device's client name.
 * `webauthn_challenge` is set when the client asks for passkey options for this step.
 */
export const mfaLogins = sqliteTable(
  "mfa_logins",
  {
    tokenDigest: text("token_digest").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    account: text("account").notNull(),
    client: text("client"),
    createdMs: integer("created_ms").notNull(),
    expiresMs: integer("expires_ms").notNull(),
    webauthnChallenge: text("webauthn_challenge"),
  },
  (table) => [index("mfa_logins_expires_ms_idx").on(table.expiresMs)],
);

/**
 * WebAuthn credentials (passkeys). `credential_id` and `public_key` (COSE) are base64url; `counter` is the
 * authenticator's signature counter, which must grow (0 for authenticators that keep none). `id` is the
 * public identifier the API lists and deletes by.
 */
export const passkeys = sqliteTable(
  "passkeys",
  {
    id: text("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    credentialId: text("credential_id").notNull().unique(),
    publicKey: text("public_key").notNull(),
    counter: integer("counter").notNull(),
    transports: text("transports"),
    name: text("name").notNull(),
    createdMs: integer("created_ms").notNull(),
    lastUsedMs: integer("last_used_ms"),
  },
  (table) => [index("passkeys_user_id_idx").on(table.userId)],
);

/**
 * WebAuthn challenges awaiting their answer: registration (for `user_id`) or passwordless login (no user),
 * single use (deleted when answered) and short-lived.
 */
export const webauthnChallenges = sqliteTable(
  "webauthn_challenges",
  {
    id: text("id").primaryKey(),
    purpose: text("purpose", { enum: ["register", "login"] }).notNull(),
    userId: integer("user_id").references(() => users.id, { onDelete: "cascade" }),
    challenge: text("challenge").notNull(),
    expiresMs: integer("expires_ms").notNull(),
  },
  (table) => [
    index("webauthn_challenges_user_id_idx").on(table.userId),
    index("webauthn_challenges_expires_ms_idx").on(table.expiresMs),
  ],
);

/**
 * The security activity log: one row per account event (sign-in, failed sign-in, sign-out, password change
 * or reset, session revoked, e-mail verified), shown to its owner at `GET /auth/activity/` and purged after
 * `ACTIVITY_RETENTION`. `id` is a public random identifier; where the event came from (`ip`, `user_agent`,
 * `client`, `city`, `country`) is the request's. Never a key, code or password.
 */
export const activityEvents = sqliteTable(
  "activity_events",
  {
    id: text("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind").notNull(),
    createdMs: integer("created_ms").notNull(),
    client: text("client"),
    userAgent: text("user_agent"),
    ip: text("ip"),
    city: text("city"),
    country: text("country"),
  },
  (table) => [
    // A page of one user's events, newest first: (created, id) is the cursor's position.
    index("activity_events_user_created_idx").on(table.userId, table.createdMs, table.id),
    // The scheduled purge finds events past ACTIVITY_RETENTION by this without scanning the table.
    index("activity_events_created_ms_idx").on(table.createdMs),
  ],
);

/**
 * Identities at other providers (Google, GitHub, Apple, any OpenID Connect issuer) linked to accounts. An
 * identity is its issuer and the subject the issuer gave it, never an e-mail: addresses change hands, subjects
 * do not. `id` is a public random id for listing and unlinking; `provider` is the configured name it came through.
 */
export const socialIdentities = sqliteTable(
  "social_identities",
  {
    id: text("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    provider: text("provider").notNull(),
    issuer: text("issuer").notNull(),
    subject: text("subject").notNull(),
    /** The address the provider gave at the last sign-in, for display only: linking never reads it again. */
    email: text("email"),
    createdMs: integer("created_ms").notNull(),
    lastLoginMs: integer("last_login_ms"),
  },
  (table) => [
    uniqueIndex("social_identities_issuer_subject_idx").on(table.issuer, table.subject),
    index("social_identities_user_id_idx").on(table.userId),
  ],
);

export type UserRow = typeof users.$inferSelect;
export type TokenRow = typeof tokens.$inferSelect;
export type PasskeyRow = typeof passkeys.$inferSelect;
export type ActivityRow = typeof activityEvents.$inferSelect;
export type SocialIdentityRow = typeof socialIdentities.$inferSelect;
