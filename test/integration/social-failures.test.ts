/**
 * What must never sign anyone in: an expired ID token, one for another client, one signed by a key the provider
 * does not publish, and what a provider that is down leaves behind (nothing).
 */
import { env } from "cloudflare:workers";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { call, uniqueName } from "../helpers";
import {
  CLIENT,
  OTHER_CLIENT,
  person,
  providerIdToken,
  socialEnv,
  socialPost,
  startBrowserFlow,
} from "../social-helpers";

const INVALID_ID_TOKEN = { non_field_errors: ["Invalid ID token."] };
const UNAVAILABLE = { detail: "The sign-in provider is unavailable, try again later." };

const count = async (table: string) =>
  ((await env.DB.prepare(`SELECT count(*) AS n FROM ${table}`).first<{ n: number }>())?.n ?? 0) as number;

async function forge(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  await exportJWK(publicKey);
  return new SignJWT({ email: `${uniqueName("forged")}@example.com`, email_verified: true, nonce: "app-nonce-1" })
    .setProtectedHeader({ alg: "RS256", kid })
    .setIssuer(env.OIDC_ISSUER)
    .setAudience(CLIENT.id)
    .setSubject("verified:forged@example.com")
    .setIssuedAt()
    .setExpirationTime("5m")
    .sign(privateKey);
}

describe("ID tokens that must be refused", () => {
  it("refuses an expired ID token (the request's clock past its exp)", async () => {
    const idToken = await providerIdToken(person(`${uniqueName("old")}@example.com`));
    const twoHoursLater = { read: () => Date.now() + 2 * 3600_000 } as never;
    const response = await socialPost({ id_token: idToken }, { clock: twoHoursLater });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(INVALID_ID_TOKEN);
  });

  it("refuses an ID token issued to another client (wrong audience)", async () => {
    const idToken = await providerIdToken(person(`${uniqueName("aud")}@example.com`), { clientId: OTHER_CLIENT.id });
    const response = await socialPost({ id_token: idToken });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(INVALID_ID_TOKEN);
  });

  it("accepts it once the other client is one of the provider's configured audiences (a native app)", async () => {
    const idToken = await providerIdToken(person(`${uniqueName("nat")}@example.com`), { clientId: OTHER_CLIENT.id });
    const options = {
      env: socialEnv({}, { local: { issuer: env.OIDC_ISSUER, client_id: CLIENT.id, audiences: [OTHER_CLIENT.id] } }),
    };
    expect((await socialPost({ id_token: idToken }, options)).status).toBe(200);
  });

  it("refuses an ID token signed by another key, under the provider's key id or an unknown one", async () => {
    for (const kid of ["test-provider-1", "attacker-key"]) {
      const response = await socialPost({ id_token: await forge(kid) });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual(INVALID_ID_TOKEN);
    }
  });

  it("refuses an ID token whose nonce is not the one the app sent", async () => {
    const idToken = await providerIdToken(person(`${uniqueName("nonce")}@example.com`), { nonce: "nonce-a" });
    const response = await socialPost({ id_token: idToken, nonce: "nonce-b" });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(INVALID_ID_TOKEN);
  });

  it("refuses a token that is not a JWT at all", async () => {
    for (const idToken of ["", "abc", "a.b.c", "eyJhbGciOiJub25lIn0.e30."]) {
      const response = await socialPost({ id_token: idToken || " " });
      expect(response.status).toBe(400);
    }
  });
});

describe("a provider that is down", () => {
  const down = () => socialEnv({}, { local: { issuer: "http://127.0.0.1:9/closed", client_id: CLIENT.id } });
  const brokenTokenEndpoint = () =>
    socialEnv(
      { SOCIAL_BROKEN_SECRET: "x" },
      { broken: { issuer: `${env.SOCIAL_PEERS_URL}/broken-idp`, client_id: CLIENT.id } },
    );

  it("answers 502 JSON at the start of the browser flow (discovery unreachable), and sets no cookie", async () => {
    const response = await call("/auth/social/local/", {}, { env: down() });
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual(UNAVAILABLE);
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it("answers 502 JSON to the mobile flow, creating nothing", async () => {
    const [users, identities, tokens] = [await count("users"), await count("social_identities"), await count("tokens")];
    const response = await socialPost({ id_token: await forge("x") }, { env: down() });
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual(UNAVAILABLE);
    expect([await count("users"), await count("social_identities"), await count("tokens")]).toEqual([
      users,
      identities,
      tokens,
    ]);
  });

  it("answers 502 at the callback when the token endpoint is down, creating nothing and signing nobody in", async () => {
    const options = { env: brokenTokenEndpoint() };
    const flow = await startBrowserFlow(options, "broken");
    const state = new URL(flow.location).searchParams.get("state");
    const before = [await count("users"), await count("social_identities"), await count("tokens")];
    const response = await call(
      `/auth/social/broken/callback/?code=some-code&state=${state}`,
      { headers: { cookie: flow.cookie } },
      options,
    );
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual(UNAVAILABLE);
    expect(response.headers.get("set-cookie") ?? "").not.toContain("auth_token=");
    expect([await count("users"), await count("social_identities"), await count("tokens")]).toEqual(before);
  });
});

describe("throttling", () => {
  it("counts refused sign-ins against the client IP's login failures (429 once over), successes do not", async () => {
    const ip = `198.51.100.${Math.floor(Math.random() * 200) + 1}`;
    const options = { env: socialEnv({ LOGIN_FAILURES_PER_IP: "2/15m" }) };
    const post = (body: Record<string, unknown>) =>
      call(
        "/auth/social/local/",
        { ...jsonBody(body), headers: { ...jsonBody(body).headers, "cf-connecting-ip": ip } },
        options,
      );
    const good = await providerIdToken(person(`${uniqueName("thr")}@example.com`));
    expect((await post({ id_token: good })).status).toBe(200);
    expect((await post({ id_token: await forge("x") })).status).toBe(400);
    expect((await post({ id_token: await forge("x") })).status).toBe(400);
    const throttled = await post({ id_token: good });
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after")).toMatch(/^\d+$/);
    // Another IP is not affected.
    expect((await call("/auth/social/local/", jsonBody({ id_token: good }), options)).status).toBe(200);
  });
});

describe("throttling a provider that is down", () => {
  it("does not count the provider's outage as the client's failure", async () => {
    const ip = `203.0.113.${Math.floor(Math.random() * 200) + 1}`;
    const headers = { "content-type": "application/json", "cf-connecting-ip": ip };
    const down = socialEnv(
      { LOGIN_FAILURES_PER_IP: "1/15m" },
      { local: { issuer: "http://127.0.0.1:9/closed", client_id: CLIENT.id } },
    );
    const body = JSON.stringify({ id_token: "a.b.c" });
    for (let i = 0; i < 2; i++) {
      expect((await call("/auth/social/local/", { method: "POST", headers, body }, { env: down })).status).toBe(502);
    }
    const good = JSON.stringify({ id_token: await providerIdToken(person(`${uniqueName("dn")}@example.com`)) });
    const up = socialEnv({ LOGIN_FAILURES_PER_IP: "1/15m" });
    expect((await call("/auth/social/local/", { method: "POST", headers, body: good }, { env: up })).status).toBe(200);
  });
});

function jsonBody(body: Record<string, unknown>) {
  return { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
}
