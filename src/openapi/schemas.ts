/** Response shapes of API.md as zod schemas, for the OpenAPI document (requests use the routes' own schemas). */
import { z } from "@hono/zod-openapi";

export const UserSchema = z
  .object({
    pk: z.number().int(),
    username: z.string(),
    email: z.string().describe('"" when the user has no address'),
    first_name: z.string(),
    last_name: z.string(),
  })
  .openapi("User", {
    example: { pk: 42, username: "ada", email: "ada@example.com", first_name: "Ada", last_name: "Lovelace" },
  });

export const LoginResponseSchema = z
  .object({
    key: z.string().describe("The token, shown once. Send it as `Authorization: Token <key>`."),
    expiry: z
      .string()
      .describe("ISO-8601 UTC: the absolute end, created + the token's TTL; an idle timeout may end it earlier"),
    user: UserSchema,
  })
  .openapi("LoginResponse", {
    example: {
      key: "etk_00Xq3mZ8rT1vB6nK2pL9sD4fG7hJ0wY5cE3GmpD7",
      expiry: "2026-12-16T10:00:00.000000Z",
      user: { pk: 42, username: "ada", email: "ada@example.com", first_name: "Ada", last_name: "Lovelace" },
    },
  });

export const SessionSchema = z
  .object({
    id: z.string(),
    created: z.string(),
    last_used: z.string(),
    expiry: z.string(),
    client: z.string().nullable(),
    user_agent: z.string().nullable(),
    ip: z.string().nullable(),
    location: z.string().nullable().describe('"City, CC", "CC" or null'),
    current: z.boolean(),
  })
  .openapi("Session", {
    example: {
      id: "4kT0pQ2aX9mWcE1z",
      created: "2026-12-01T10:00:01.000000Z",
      last_used: "2026-12-01T10:30:00.000000Z",
      expiry: "2026-12-16T10:00:01.000000Z",
      client: "ios",
      user_agent: "MyApp/3 CFNetwork/1490 Darwin/23",
      ip: "198.51.100.4",
      location: "Berlin, DE",
      current: true,
    },
  });

export const ActivityEventSchema = z
  .object({
    id: z.string(),
    kind: z
      .string()
      .describe(
        "`login` (a sign-in, also the one a registration makes), `login_failed` (a wrong password for this account), `logout`, `logout_all`, `session_revoked`, `password_changed`, `password_reset`, `email_verified`; more kinds may come",
      ),
    created: z.string(),
    ip: z.string().nullable(),
    location: z.string().nullable().describe('"City, CC", "CC" or null'),
    user_agent: z.string().nullable(),
    client: z.string().nullable(),
  })
  .openapi("ActivityEvent", {
    example: {
      id: "Vb7Qm2LxP0sT9kWe",
      kind: "login",
      created: "2026-12-01T10:00:01.000000Z",
      ip: "198.51.100.4",
      location: "Berlin, DE",
      user_agent: "MyApp/3 CFNetwork/1490 Darwin/23",
      client: "ios",
    },
  });

export const ActivityPageSchema = z
  .object({
    next: z.string().nullable().describe("Absolute URL of the next (older) page, or null"),
    previous: z.string().nullable().describe("Absolute URL of the previous (newer) page, or null"),
    results: z.array(ActivityEventSchema),
  })
  .openapi("ActivityPage", {
    example: {
      next: "https://auth.example.com/auth/activity/?cursor=cD0xNzk2MTE5MjAxMDAwLlZiN1FtMkx4UDBzVDlrV2Umcj0w",
      previous: null,
      results: [
        {
          id: "Vb7Qm2LxP0sT9kWe",
          kind: "login",
          created: "2026-12-01T10:00:01.000000Z",
          ip: "198.51.100.4",
          location: "Berlin, DE",
          user_agent: "MyApp/3 CFNetwork/1490 Darwin/23",
          client: "ios",
        },
      ],
    },
  });

export const DetailSchema = z
  .object({ detail: z.string() })
  .openapi("Detail", { example: { detail: "Authentication credentials were not provided." } });

export const TokenErrorSchema = z
  .object({
    error: z.enum(["Invalid or Inactive Token", "Invalid user", "Token has expired"]),
    is_authenticated: z.literal(false),
  })
  .openapi("TokenError", { example: { error: "Token has expired", is_authenticated: false } });

export const FieldErrorsSchema = z.record(z.string(), z.array(z.string())).openapi("FieldErrors", {
  description: "DRF's validation errors: field name (or non_field_errors) to messages",
  example: { username: ["A user with that username already exists."] },
});

export const JwksSchema = z.object({ keys: z.array(z.record(z.string(), z.string())) }).openapi("JWKS", {
  example: {
    keys: [
      {
        kty: "OKP",
        crv: "Ed25519",
        x: "I2ZTYzWxbtzLzS2uyf62tIMoqoNnPIcqtbrbtOWVCBU",
        alg: "EdDSA",
        kid: "2026-12",
        use: "sig",
      },
    ],
  },
});

export const SocialAccountSchema = z
  .object({
    id: z.string().describe("Public id, for DELETE /auth/social/accounts/{id}/"),
    provider: z.string().describe("The configured provider name it signed in through"),
    uid: z.string().describe("The subject the provider gave this identity"),
    email: z.string().describe('The address the provider gave at the last sign-in, "" when none'),
    date_joined: z.string(),
    last_login: z.string(),
  })
  .openapi("SocialAccount", {
    example: {
      id: "Zq3xV8kL2pR7tY1zAb4cD5",
      provider: "google",
      uid: "109876543210987654321",
      email: "ada@example.com",
      date_joined: "2026-12-01T10:00:00.000000Z",
      last_login: "2026-12-02T09:00:00.000000Z",
    },
  });
