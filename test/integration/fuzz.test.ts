import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generateKey, generateSessionId, keyDigest } from "../../src/auth/token-key";
import { call, register } from "../helpers";

/**
 * Header values: any ASCII byte except CR, LF and NUL, which HTTP itself forbids. (Bytes above 0x7f are
 * covered case by case in credentials.test.ts; here they would only flood the log with workerd's warnings.)
 */
const headerText = fc
  .array(
    fc.integer({ min: 1, max: 0x7f }).filter((code) => code !== 10 && code !== 13),
    { maxLength: 60 },
  )
  .map((codes) => String.fromCharCode(...codes));

/** A live token of the test user, minted straight into D1 (no password hashing: the fuzz stays fast). */
async function mintKey(userId: number): Promise<string> {
  const key = generateKey();
  await env.DB.prepare("INSERT INTO tokens (id, user_id, key_digest, created_ms) VALUES (?, ?, ?, ?)")
    .bind(generateSessionId(), userId, keyDigest(key), Date.now())
    .run();
  return key;
}

const authorization = fc.oneof(
  fc.constant(undefined),
  headerText,
  headerText.map((text) => `Token ${text}`),
  headerText.map((text) => `Bearer ${text}`),
  fc.constant(null).map(() => `Token ${generateKey()}`),
  fc.constant("live"),
);

const contentType = fc.oneof(
  fc.constantFrom(
    undefined,
    "application/json",
    "application/json; charset=utf-8",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "multipart/form-data; boundary=xyz",
    "text/plain",
  ),
  headerText,
);

const FIELDS = ["username", "email", "password", "password1", "password2", "first_name", "last_name", "client", "pk"];
const fieldValue = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 200 }),
  fc.constantFrom("", " ", "\u0000", "\ud800", "a@b.co", "correct horse battery staple", "x".repeat(300)),
  fc.anything(),
);

const body = fc.oneof(
  fc.constant(undefined),
  fc.dictionary(fc.constantFrom(...FIELDS), fieldValue).map((data) => JSON.stringify(data)),
  fc.json(),
  fc.string({ unit: "binary", maxLength: 300 }),
  fc.uint8Array({ maxLength: 300 }),
  fc
    .dictionary(fc.constantFrom(...FIELDS), fc.string({ maxLength: 30 }))
    .map((data) => new URLSearchParams(data).toString()),
);

const request = fc.record({
  path: fc.constantFrom(
    "/auth/login/",
    "/auth/registration",
    "/auth/logout/",
    "/auth/logoutall/",
    "/auth/user/",
    "/auth/",
    "/x",
  ),
  method: fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"),
  authorization,
  cookie: fc.option(
    headerText.map((text) => `auth_token=${text}`),
    { nil: undefined },
  ),
  contentType,
  body,
});

async function rowCounts(): Promise<string> {
  const row = await env.DB.prepare(
    "SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM tokens) AS tokens",
  ).first();
  return JSON.stringify(row);
}

describe("junk headers and bodies", () => {
  it("never produce a 5xx, always answer JSON, and change nothing when refused", async () => {
    const { pk } = await register();
    await fc.assert(
      fc.asyncProperty(request, async ({ path, method, authorization, cookie, contentType, body }) => {
        const headers: Record<string, string> = {};
        if (authorization === "live") headers.authorization = `Token ${await mintKey(pk)}`;
        else if (authorization !== undefined) headers.authorization = authorization;
        if (cookie !== undefined) headers.cookie = cookie;
        if (contentType !== undefined) headers["content-type"] = contentType;
        const hasBody = body !== undefined && method !== "GET" && method !== "HEAD";
        const before = await rowCounts();
        const response = await call(path, { method, headers, body: hasBody ? body : undefined });
        const text = await response.text();
        expect(response.status).toBeLessThan(500);
        if (response.status !== 204 && method !== "HEAD") {
          expect(response.headers.get("content-type")).toBe("application/json");
          expect(() => JSON.parse(text)).not.toThrow();
        }
        if (response.status >= 400) expect(await rowCounts()).toBe(before);
      }),
      { numRuns: 10_000 },
    );
  }, 600_000);
});
