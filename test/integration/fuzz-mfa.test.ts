import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { sha256Hex } from "../../src/auth/digest";
import { generateKey, generateSessionId, keyDigest } from "../../src/auth/token-key";
import { call, json, register, TestClock, tokenHeader } from "../helpers";
import { enrolTotp, MFA_KEY } from "../support/mfa";
import { type CreationOptions, SoftAuthenticator } from "../support/webauthn";

/** The second-factor and passkey endpoints, with junk of every shape: the checks of fuzz.test.ts. */

const headerText = fc
  .array(
    fc.integer({ min: 1, max: 0x7f }).filter((code) => code !== 10 && code !== 13),
    { maxLength: 40 },
  )
  .map((codes) => String.fromCharCode(...codes));

const LIVE_MFA_TOKEN = "fuzzMfaToken0000000000000000000A";

async function mintKey(userId: number): Promise<string> {
  const key = generateKey();
  await env.DB.prepare("INSERT INTO tokens (id, user_id, key_digest, created_ms) VALUES (?, ?, ?, ?)")
    .bind(generateSessionId(), userId, keyDigest(key), Date.now())
    .run();
  return key;
}

/** Well-formed on the outside, junk inside: what reaches the WebAuthn verification itself. */
const authenticator = new SoftAuthenticator("https://auth.example.com");
const knownId = fc.oneof(fc.constant(authenticator.id), fc.string({ minLength: 1, maxLength: 50 }));
const credentialShaped = fc.record({
  id: knownId,
  rawId: knownId,
  type: fc.constant("public-key"),
  response: fc.dictionary(
    fc.constantFrom("clientDataJSON", "attestationObject", "authenticatorData", "signature", "userHandle"),
    fc.oneof(fc.base64String({ maxLength: 120 }), fc.string({ maxLength: 40 }), fc.anything()),
  ),
});

const credentialLike = fc.oneof(
  credentialShaped,
  credentialShaped,
  fc.anything(),
  fc.record(
    {
      id: fc.oneof(fc.string({ maxLength: 50 }), fc.anything()),
      rawId: fc.oneof(fc.string({ maxLength: 50 }), fc.anything()),
      type: fc.constantFrom("public-key", "x", 1),
      response: fc.oneof(
        fc.dictionary(
          fc.constantFrom("clientDataJSON", "attestationObject", "authenticatorData", "signature", "userHandle"),
          fc.oneof(fc.base64String({ maxLength: 120 }), fc.string({ maxLength: 40 }), fc.anything()),
        ),
        fc.anything(),
      ),
      clientExtensionResults: fc.anything(),
    },
    { requiredKeys: [] },
  ),
);

const FIELDS = ["code", "password", "mfa_token", "name", "challenge_id"];
const fieldValue = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom("", " ", "\u0000", "\ud800", "123456", "abcd-efgh-ijkl-mnop", LIVE_MFA_TOKEN, "x".repeat(300)),
  fc.constantFrom("correct horse battery staple"),
  fc.anything(),
);

/** Each field present half the time; the credential fields mostly credential-shaped. */
const fields = fc.record(
  {
    ...Object.fromEntries(FIELDS.map((name) => [name, fieldValue])),
    credential: credentialLike,
    webauthn: credentialLike,
  },
  { requiredKeys: [] },
);

/** A body and its Content-Type: mostly the endpoints' own fields as JSON, else junk of any kind. */
const payload = fc.oneof(
  { arbitrary: fields.map((data) => ({ contentType: "application/json", body: JSON.stringify(data) })), weight: 6 },
  fc
    .dictionary(fc.constantFrom(...FIELDS, "credential", "webauthn"), fc.string({ maxLength: 30 }))
    .map((data) => ({ contentType: "application/x-www-form-urlencoded", body: new URLSearchParams(data).toString() })),
  fc.record({
    contentType: fc.oneof(
      fc.constantFrom(
        undefined,
        "application/json",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "text/plain",
      ),
      headerText,
    ),
    body: fc.oneof(fc.constant(undefined), fc.json(), fc.string({ unit: "binary", maxLength: 200 })),
  }),
);

const PASSKEY = "/auth/passkeys/abcdefABCDEF0123/";
/** The routes as defined, mostly; any method on any of their paths otherwise. */
const ROUTES: [string, string][] = [
  ["GET", "/auth/mfa/"],
  ["POST", "/auth/mfa/totp/"],
  ["POST", "/auth/mfa/totp/confirm/"],
  ["DELETE", "/auth/mfa/totp/"],
  ["POST", "/auth/mfa/recovery-codes/"],
  ["POST", "/auth/login/mfa/"],
  ["POST", "/auth/login/mfa/webauthn/options/"],
  ["POST", "/auth/passkeys/register/options/"],
  ["POST", "/auth/passkeys/"],
  ["GET", "/auth/passkeys/"],
  ["PATCH", PASSKEY],
  ["DELETE", PASSKEY],
  ["POST", "/auth/passkeys/login/options/"],
  ["POST", "/auth/passkeys/login/"],
];
const METHODS = ["GET", "POST", "PATCH", "DELETE", "OPTIONS", "HEAD"];

const request = fc.record({
  route: fc.oneof(
    { arbitrary: fc.constantFrom(...ROUTES), weight: 6 },
    fc.tuple(fc.constantFrom(...METHODS), fc.constantFrom(...ROUTES.map(([, path]) => path), "/auth/passkeys/login")),
  ),
  authorization: fc.oneof(
    { arbitrary: fc.constant("live"), weight: 3 },
    fc.constant(undefined),
    headerText.map((text) => `Token ${text}`),
  ),
  payload,
});

async function rowCounts(): Promise<string> {
  const tables = ["users", "tokens", "mfa_totp", "mfa_recovery_codes", "passkeys", "mfa_logins", "webauthn_challenges"];
  const row = await env.DB.prepare(
    `SELECT ${tables.map((table) => `(SELECT count(*) FROM ${table}) AS ${table}`).join(", ")}`,
  ).first();
  const state = await env.DB.prepare(
    "SELECT (SELECT group_concat(coalesce(confirmed_ms, '') || ':' || coalesce(last_used_step, '') || ':' || secret_sealed) FROM mfa_totp) AS totp, (SELECT count(*) FROM mfa_recovery_codes WHERE used_ms IS NOT NULL) AS used",
  ).first();
  return JSON.stringify([row, state]);
}

describe("junk sent to the second-factor and passkey endpoints", () => {
  it("never produces a 5xx, always answers JSON, and changes nothing when refused", async () => {
    // Every refused credential is logged with its reason; thousands of them would drown the output.
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const clock = new TestClock(Date.now());
    const options = { clock, env: { MFA_ENCRYPTION_KEY: MFA_KEY } };
    const { key, pk } = await register(options);
    await enrolTotp(key, options);
    // A registered passkey, so that junk can also reach assertion checks against a real credential.
    const creation = await call(
      "/auth/passkeys/register/options/",
      { method: "POST", headers: tokenHeader(key) },
      options,
    );
    const credential = await authenticator.register((await creation.json()) as CreationOptions);
    const added = await call("/auth/passkeys/", json("POST", { credential }, tokenHeader(key)), options);
    expect(added.status).toBe(201);
    await env.DB.prepare(
      "INSERT INTO mfa_logins (token_digest, user_id, account, created_ms, expires_ms) VALUES (?, ?, 'fuzz', ?, ?)",
    )
      .bind(sha256Hex(LIVE_MFA_TOKEN), pk, Date.now(), Date.now() + 3_600_000)
      .run();
    await fc.assert(
      fc.asyncProperty(request, async ({ route: [method, path], authorization, payload: { contentType, body } }) => {
        const headers: Record<string, string> = {};
        if (authorization === "live") headers.authorization = `Token ${await mintKey(pk)}`;
        else if (authorization !== undefined) headers.authorization = authorization;
        if (contentType !== undefined) headers["content-type"] = contentType;
        const hasBody = body !== undefined && method !== "GET" && method !== "HEAD";
        const before = await rowCounts();
        const response = await call(path, { method, headers, body: hasBody ? body : undefined }, { env: options.env });
        const text = await response.text();
        expect(response.status, `${method} ${path} ${text}`).toBeLessThan(500);
        if (response.status !== 204 && method !== "HEAD") {
          expect(response.headers.get("content-type")).toBe("application/json");
          expect(() => JSON.parse(text)).not.toThrow();
        }
        if (response.status >= 400) expect(await rowCounts()).toBe(before);
      }),
      { numRuns: 2000 },
    );
  }, 600_000);
});
