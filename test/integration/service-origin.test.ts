import { decode } from "hono/jwt";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DEVELOPMENT_KEY } from "../../src/gateway/signing-key";
import { call, json, mailbox, originBucket, register, tokenHeader, uniqueName } from "../helpers";

afterEach(() => {
  vi.restoreAllMocks();
});

/** A user with an address, registered at the configured SERVICE_ORIGIN. */
async function userWithAddress() {
  const username = uniqueName();
  const email = `${username}@example.com`;
  await register({ username, email });
  return email;
}

/** The environment of a service run without SERVICE_ORIGIN (the test set-up sets it). */
const UNSET = { SERVICE_ORIGIN: undefined };

describe("with SERVICE_ORIGIN", () => {
  it("refuses a request naming another host with 400 and mails nothing", async () => {
    const email = await userWithAddress();
    const box = mailbox();
    const response = await call("http://evil.example/auth/password/reset/", json("POST", { email }), {
      env: box.env,
    });
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ detail: "Invalid HTTP_HOST header: 'evil.example'." });
    expect((await box.read()).attempts).toBe(0);
  });

  it("refuses another port of the same host, and every path, the gateway's too", async () => {
    const origin = originBucket();
    const { key } = await register();
    const options = {
      env: { ORIGIN_URL: origin.url, GATEWAY_SIGNING_KEY: JSON.stringify(DEVELOPMENT_KEY.privateJwk) },
    };
    const onOtherPort = await call("https://auth.example.com:8443/auth/user/", { headers: tokenHeader(key) }, options);
    expect(onOtherPort.status).toBe(400);
    expect(await onOtherPort.json()).toEqual({ detail: "Invalid HTTP_HOST header: 'auth.example.com:8443'." });
    for (const path of ["/api/items", "/.well-known/jwks.json", "/account", "/docs"]) {
      expect((await call(`https://evil.example${path}`, { headers: tokenHeader(key) }, options)).status).toBe(400);
    }
    expect(await origin.calls()).toHaveLength(0);
  });

  it("mails links to SERVICE_ORIGIN whatever scheme the request came with", async () => {
    const email = await userWithAddress();
    const box = mailbox();
    const response = await call("http://auth.example.com/auth/password/reset/", json("POST", { email }), {
      env: box.env,
    });
    expect(response.status).toBe(200);
    const [mail] = (await box.read()).messages;
    expect(mail?.body.data.url).toBe(
      `https://auth.example.com/account/reset-password?uid=${mail?.body.data.uid}&token=${mail?.body.data.token}`,
    );
  });

  it("mails verification links to SERVICE_ORIGIN", async () => {
    const box = mailbox();
    const username = uniqueName();
    const response = await call(
      "http://auth.example.com/auth/registration/",
      json("POST", {
        username,
        email: `${username}@example.com`,
        password1: "correct horse battery staple",
        password2: "correct horse battery staple",
      }),
      { env: { ...box.env, EMAIL_VERIFICATION: "optional" } },
    );
    expect(response.status).toBe(201);
    const [mail] = (await box.read()).messages;
    expect(mail?.body.data.url).toBe(`https://auth.example.com/account/verify-email?key=${mail?.body.data.key}`);
  });

  it("trusts SERVICE_ORIGIN, not the request's scheme, as the CSRF check's own origin", async () => {
    const { key } = await register();
    const patch = (origin: string) =>
      call(
        "http://auth.example.com/auth/user/",
        json("PATCH", { first_name: "Ann" }, { cookie: `auth_token=${key}`, origin }),
      );
    expect((await patch("https://auth.example.com")).status).toBe(200);
    const plain = await patch("http://auth.example.com");
    expect(plain.status).toBe(403);
    expect(await plain.json()).toEqual({
      detail: "CSRF Failed: Origin checking failed - http://auth.example.com does not match any trusted origins.",
    });
  });

  it("signs the gateway assertion with iss = SERVICE_ORIGIN", async () => {
    const origin = originBucket();
    const { key } = await register();
    const options = {
      env: { ORIGIN_URL: origin.url, GATEWAY_SIGNING_KEY: JSON.stringify(DEVELOPMENT_KEY.privateJwk) },
    };
    expect((await call("http://auth.example.com/api/me", { headers: tokenHeader(key) }, options)).status).toBe(201);
    const [received] = await origin.calls();
    expect(decode(String(received?.headers["x-auth-assertion"])).payload.iss).toBe("https://auth.example.com");
  });
});

describe("ENVIRONMENT=development", () => {
  it("is refused with a configuration error when SERVICE_ORIGIN is public: a deploy never runs it", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const response = await call("/.well-known/jwks.json", {}, { env: { ENVIRONMENT: "development" } });
    expect(response.status).toBe(500);
    expect(((await response.json()) as { detail: string }).detail).toMatch(
      /^Server configuration error: ENVIRONMENT=development serves only localhost/,
    );
  });

  it("still serves only loopback hosts without SERVICE_ORIGIN", async () => {
    const env = { ENVIRONMENT: "development", ...UNSET };
    expect((await call("https://auth.example.com/.well-known/jwks.json", {}, { env })).status).toBe(400);
    expect((await call("http://localhost:8787/.well-known/jwks.json", {}, { env })).status).toBe(200);
  });
});

describe("without SERVICE_ORIGIN", () => {
  it.each(["http://localhost:8787", "http://127.0.0.1:8787", "http://127.8.9.10", "http://[::1]:8787"])(
    "serves %s and mails links to its own origin",
    async (base) => {
      const email = await userWithAddress();
      const box = mailbox();
      const response = await call(`${base}/auth/password/reset/`, json("POST", { email }), {
        env: { ...UNSET, ...box.env },
      });
      expect(response.status).toBe(200);
      const [mail] = (await box.read()).messages;
      expect(mail?.body.data.url?.startsWith(`${base}/account/reset-password?uid=`)).toBe(true);
    },
  );

  it.each([
    ["https://auth.example.com", "auth.example.com"],
    ["http://localhost.evil.example", "localhost.evil.example"],
    ["http://127.0.0.1.nip.io:8787", "127.0.0.1.nip.io:8787"],
    ["http://10.0.0.1", "10.0.0.1"],
    ["http://[::2]", "[::2]"],
  ])("refuses %s with 400, saying SERVICE_ORIGIN must be set", async (base, host) => {
    const response = await call(`${base}/auth/user/`, {}, { env: UNSET });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      detail: `Invalid HTTP_HOST header: '${host}'. Set SERVICE_ORIGIN to serve hosts other than localhost.`,
    });
  });
});
