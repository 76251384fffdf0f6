import { env } from "cloudflare:workers";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/auth/digest";
import { generateSecret, generateUid, resetFingerprint } from "../../src/auth/one-time-codes";
import { generateKey, generateSessionId, keyDigest } from "../../src/auth/token-key";
import { call, PASSWORD, register, uniqueName } from "../helpers";
import {
  ACCEPTED,
  asText,
  confusedSessionId,
  confusedValue,
  drfText,
  ENDPOINTS,
  type Endpoint,
  isNotText,
  pathSegment,
  Ref,
} from "../support/confused-values";

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
async function mintSession(userId: number): Promise<{ id: string; key: string }> {
  const key = generateKey();
  const id = generateSessionId();
  await env.DB.prepare("INSERT INTO tokens (id, user_id, key_digest, created_ms) VALUES (?, ?, ?, ?)")
    .bind(id, userId, keyDigest(key), Date.now())
    .run();
  return { id, key };
}

async function mintKey(userId: number): Promise<string> {
  return (await mintSession(userId)).key;
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

/** Throttles off: every run must reach the hashing and storage paths behind them, not stop at a 429. */
const NO_THROTTLES = {
  LOGIN_FAILURES_PER_ACCOUNT: "off",
  LOGIN_FAILURES_PER_IP: "off",
  MAIL_REQUESTS_PER_ADDRESS: "off",
  MAIL_REQUESTS_PER_IP: "off",
};
const STRONG_PASSWORD = "fuzzed but strong passphrase";

/**
 * The body: either every field (and extra) confused or absent, or one declared field confused and the others
 * accepted, so that the confused value reaches the deepest code behind the field checks (hashing, storage).
 */
function fieldsRequest(endpoint: Endpoint) {
  const names = [...endpoint.fields, ...endpoint.extras];
  const allConfused = fc.record(Object.fromEntries(names.map((name) => [name, confusedValue])), { requiredKeys: [] });
  const oneConfused = fc
    .constantFrom(...names)
    .chain((focus) =>
      fc.record(
        Object.fromEntries(
          names.map((name) => [name, name === focus ? confusedValue : (ACCEPTED[name] ?? fc.constant(undefined))]),
        ),
      ),
    );
  return fc.record({
    fields: fc.oneof({ arbitrary: allConfused, weight: 1 }, { arbitrary: oneConfused, weight: 2 }),
    sessionId: confusedSessionId,
    json: fc.constantFrom(true, true, true, false),
    signedIn: fc.constantFrom(true, true, true, false),
  });
}
type FieldsRequest = ReturnType<typeof fieldsRequest> extends fc.Arbitrary<infer T> ? T : never;

/** The reported 500s (issue 12): a JSON number or an all-digit password, for existing and unknown accounts. */
const EXAMPLES: Record<string, FieldsRequest["fields"][]> = {
  "POST login/": [
    { username: new Ref("username"), password: 0 },
    { username: new Ref("unknownUsername"), password: "83920174652" },
    { email: new Ref("email"), password: "83920174652" },
  ],
  "POST password/change/": [{ old_password: 0, new_password1: STRONG_PASSWORD, new_password2: STRONG_PASSWORD }],
};

interface Account {
  pk: number;
  password: string;
  otherSessionId: string;
}

/** Everything a refused request must leave as it was (throttle counters and last_used may move). */
async function snapshot(): Promise<string> {
  const rows = await env.DB.batch([
    env.DB.prepare("SELECT * FROM users ORDER BY id"),
    env.DB.prepare("SELECT id, user_id, key_digest, created_ms, client FROM tokens ORDER BY id"),
    env.DB.prepare("SELECT * FROM password_resets ORDER BY id"),
    env.DB.prepare("SELECT * FROM email_verifications ORDER BY key_digest"),
  ]);
  return JSON.stringify(rows.map((result) => result.results));
}

/** Resolves the references of one run against the account as it is now, creating what they name. */
async function resolver(account: Account, sessionId: string) {
  const user = await env.DB.prepare("SELECT username, email, password_hash FROM users WHERE id = ?")
    .bind(account.pk)
    .first<{ username: string; email: string; password_hash: string }>();
  if (!user) throw new Error("the fuzzed account is gone");
  let reset: { uid: string; token: string } | undefined;
  const liveReset = async () => {
    if (!reset) {
      reset = { uid: generateUid(), token: generateSecret() };
      await env.DB.prepare(
        "INSERT INTO password_resets (id, user_id, code_digest, fingerprint, created_ms, expires_ms) VALUES (?, ?, ?, ?, ?, ?)",
      )
        .bind(
          reset.uid,
          account.pk,
          sha256Hex(reset.token),
          resetFingerprint(user.password_hash, user.email),
          Date.now(),
          Date.now() + 3_600_000,
        )
        .run();
    }
    return reset;
  };
  const verificationKey = async () => {
    const key = generateSecret();
    await env.DB.prepare(
      "INSERT INTO email_verifications (key_digest, user_id, email, created_ms, expires_ms) VALUES (?, ?, ?, ?, ?)",
    )
      .bind(sha256Hex(key), account.pk, user.email, Date.now(), Date.now() + 3_600_000)
      .run();
    return key;
  };
  return async (value: unknown): Promise<unknown> => {
    if (!(value instanceof Ref)) return value;
    switch (value.name) {
      case "username":
        return user.username;
      case "USERNAME":
        return user.username.toUpperCase();
      case "email":
        return user.email;
      case "password":
        return account.password;
      case "strongPassword":
        return STRONG_PASSWORD;
      case "unknownUsername":
        return uniqueName("nobody");
      case "unknownEmail":
        return `${uniqueName("nobody")}@example.com`;
      case "resetUid":
        return (await liveReset()).uid;
      case "resetToken":
        return (await liveReset()).token;
      case "verificationKey":
        return verificationKey();
      case "sessionId":
        return sessionId;
      case "otherSessionId":
        return account.otherSessionId;
    }
  };
}

function encode(fields: Record<string, unknown>, json: boolean): { contentType: string; body: string } {
  if (json) return { contentType: "application/json", body: JSON.stringify(fields) };
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) form.set(name, asText(value));
  return { contentType: "application/x-www-form-urlencoded", body: form.toString() };
}

describe("type-confused fields", () => {
  let account: Account;

  beforeAll(async () => {
    const email = `${uniqueName("fuzz")}@example.com`;
    const { pk } = await register({ email });
    const other = await register();
    account = { pk, password: PASSWORD, otherSessionId: (await mintSession(other.pk)).id };
  });

  it.each(ENDPOINTS)(
    "$name: any value in any field is a 4xx JSON answer that changes nothing, never a 5xx",
    async (endpoint) => {
      const examples = (EXAMPLES[endpoint.name] ?? []).map((fields): [FieldsRequest] => [
        { fields, sessionId: new Ref("sessionId"), json: true, signedIn: true },
      ]);
      await fc.assert(
        fc.asyncProperty(fieldsRequest(endpoint), async (request) => {
          const session = await mintSession(account.pk);
          const resolve = await resolver(account, session.id);
          const fields: Record<string, unknown> = {};
          for (const [name, value] of Object.entries(request.fields)) {
            if (value !== undefined) fields[name] = await resolve(value);
          }
          const id = asText(await resolve(request.sessionId));
          const path = endpoint.path.replace("{id}", pathSegment(id));
          const { contentType, body } = encode(fields, request.json);
          const headers: Record<string, string> = { "content-type": contentType };
          if (endpoint.auth && request.signedIn) headers.authorization = `Token ${session.key}`;

          const before = await snapshot();
          const response = await call(path, { method: endpoint.method, headers, body }, { env: NO_THROTTLES });
          const text = await response.text();

          expect(response.status, text).toBeLessThan(500);
          if (response.status !== 204) {
            expect(response.headers.get("content-type")).toBe("application/json");
            expect(() => JSON.parse(text)).not.toThrow();
          }
          if (response.status >= 400) expect(await snapshot()).toBe(before);
          const wrongTypes = request.json ? endpoint.fields.filter((name) => isNotText(fields[name])) : [];
          if (wrongTypes.length > 0 && response.status !== 401) {
            // DRF's CharField: a string, or a number read as one; anything else is refused by type.
            expect(response.status, text).toBe(400);
            const errors = JSON.parse(text) as Record<string, string[]>;
            for (const name of wrongTypes) {
              const message = fields[name] === null ? "This field may not be null." : "Not a valid string.";
              expect(errors[name], text).toContain(message);
            }
          }
          // A successful change is followed: later runs sign in with the password the server now has.
          if (response.status === 200 && endpoint.path.startsWith("/auth/password/") && "new_password1" in fields) {
            account.password = drfText(fields.new_password1);
          }
        }),
        { numRuns: endpoint.numRuns, examples },
      );
    },
    120_000,
  );
});
