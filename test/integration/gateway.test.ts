import { verify } from "hono/jwt";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DEVELOPMENT_KEY } from "../../src/gateway/signing-key";
import { STORE_TIMEOUT_MS } from "../../src/store/db";
import { brokenD1, call, json, originBucket, register, T0, TestClock, tokenHeader } from "../helpers";

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** A key configured as the secret: the deployed set-up (SERVICE_ORIGIN is https://auth.example.com in tests). */
const SIGNING_KEY = { GATEWAY_SIGNING_KEY: JSON.stringify(DEVELOPMENT_KEY.privateJwk) };

/** Local development: `npm start` on this machine (ENVIRONMENT=development, no SERVICE_ORIGIN, no secret). */
const DEVELOPMENT = { ENVIRONMENT: "development", SERVICE_ORIGIN: undefined, GATEWAY_SIGNING_KEY: undefined };

function gateway(extra: Record<string, unknown> = {}) {
  const origin = originBucket();
  return { origin, options: { env: { ORIGIN_URL: origin.url, ...SIGNING_KEY, ...extra } } };
}

describe("without an origin", () => {
  it("answers other paths 404 JSON", async () => {
    const { key } = await register();
    const response = await call("/api/items", { headers: tokenHeader(key) });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ detail: "Not found." });
  });
});

describe("forwarding", () => {
  it("stops an unauthenticated request at the edge", async () => {
    const { origin, options } = gateway();
    const response = await call("/api/items", {}, options);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ detail: "Authentication credentials were not provided." });
    expect(await call("/api/items", { headers: tokenHeader("etk_bogus") }, options).then((r) => r.status)).toBe(401);
    expect(await origin.calls()).toHaveLength(0);
  });

  it("forwards an authenticated request with its identity and without the token", async () => {
    const { origin, options } = gateway();
    const { key, pk, username } = await register();
    const response = await call(
      "/api/items?page=2&q=a%20b",
      json(
        "POST",
        { name: "widget" },
        { ...tokenHeader(key), "x-request-id": "r-1", "cf-connecting-ip": "203.0.113.5" },
      ),
      options,
    );
    expect(response.status).toBe(201);
    expect(response.headers.get("x-origin")).toBe("yes");
    expect(response.headers.get("set-cookie")).toBe("origin_session=abc; Path=/; HttpOnly");
    const [received] = await origin.calls();
    expect(received).toMatchObject({ method: "POST", path: "/api/items?page=2&q=a%20b", bodyLength: 17 });
    expect(received?.headers).toMatchObject({
      "x-auth-user-id": String(pk),
      "x-auth-username": username,
      "x-request-id": "r-1",
      "content-type": "application/json",
      "x-forwarded-proto": "https",
      "x-forwarded-host": "auth.example.com",
      "x-forwarded-for": "203.0.113.5",
    });
    expect(received?.headers["x-auth-session-id"]).toMatch(/^[0-9A-Za-z]{16}$/);
    expect(received?.headers.authorization).toBeUndefined();
    expect(JSON.stringify(received)).not.toContain(key);
  });

  it("signs an assertion the origin can verify with the published JWKS", async () => {
    const clock = new TestClock(T0);
    const { origin, options } = gateway(DEVELOPMENT);
    const { key, pk, username } = await register({ clock });
    await call("http://localhost:8787/api/me", { headers: tokenHeader(key) }, { ...options, clock });
    const [received] = await origin.calls();
    const assertion = received?.headers["x-auth-assertion"] as string;
    const jwks = (await (await call("http://localhost:8787/.well-known/jwks.json", {}, options)).json()) as {
      keys: (JsonWebKey & { kid: string; alg: string })[];
    };
    const [headerPart] = assertion.split(".");
    const header = JSON.parse(atob((headerPart as string).replace(/-/g, "+").replace(/_/g, "/"))) as {
      kid: string;
      alg: string;
    };
    const publicKey = jwks.keys.find((candidate) => candidate.kid === header.kid);
    expect(publicKey).toBeDefined();
    const claims = await verify(assertion, publicKey as JsonWebKey, { alg: "EdDSA", exp: false, iat: false });
    const iat = Math.floor(T0 / 1000);
    expect(claims).toEqual({
      iss: "http://localhost:8787",
      aud: new URL(origin.url).origin,
      sub: String(pk),
      sid: received?.headers["x-auth-session-id"],
      username,
      iat,
      exp: iat + 60,
    });
    const tampered = `${assertion.slice(0, -4)}AAAA`;
    await expect(verify(tampered, publicKey as JsonWebKey, { alg: "EdDSA", exp: false, iat: false })).rejects.toThrow();
  });

  it("signs with GATEWAY_SIGNING_KEY and keeps the previous key published", async () => {
    const current = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
    const currentJwk = {
      ...(await crypto.subtle.exportKey("jwk", (current as CryptoKeyPair).privateKey)),
      kid: "2026-12",
    };
    const previous = await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"]);
    const previousJwk = {
      ...(await crypto.subtle.exportKey("jwk", (previous as CryptoKeyPair).publicKey)),
      kid: "2026-11",
    };
    const { origin, options } = gateway({
      GATEWAY_SIGNING_KEY: JSON.stringify(currentJwk),
      GATEWAY_PREVIOUS_SIGNING_KEY: JSON.stringify(previousJwk),
    });
    const { key } = await register();
    const jwks = await call("/.well-known/jwks.json", {}, options);
    expect(jwks.headers.get("cache-control")).toBe("public, max-age=300");
    const { keys } = (await jwks.json()) as { keys: Record<string, string>[] };
    expect(keys.map((k) => [k.kid, k.alg, k.use])).toEqual([
      ["2026-12", "ES256", "sig"],
      ["2026-11", "EdDSA", "sig"],
    ]);
    for (const published of keys) expect(published.d).toBeUndefined();
    await call("/api", { headers: tokenHeader(key) }, options);
    const [received] = await origin.calls();
    const claims = await verify(
      received?.headers["x-auth-assertion"] as string,
      keys[0] as unknown as JsonWebKey,
      "ES256",
    );
    expect(claims.aud).toBe(new URL(origin.url).origin);
  });

  it("refuses to forward from a deployed host without GATEWAY_SIGNING_KEY", async () => {
    const { origin, options } = gateway({ GATEWAY_SIGNING_KEY: undefined });
    const { key } = await register();
    vi.spyOn(console, "error").mockImplementation(() => {});
    const response = await call("/api", { headers: tokenHeader(key) }, options);
    expect(response.status).toBe(500);
    expect(((await response.json()) as { detail: string }).detail).toContain("GATEWAY_SIGNING_KEY must be set");
    expect(await origin.calls()).toHaveLength(0);
    expect(await (await call("/.well-known/jwks.json", {}, options)).json()).toEqual({ keys: [] });
  });

  it("never signs with the development key outside development, whatever the host", async () => {
    const { origin, options } = gateway({ ...DEVELOPMENT, ENVIRONMENT: "production" });
    const { key } = await register();
    vi.spyOn(console, "error").mockImplementation(() => {});
    for (const base of ["http://localhost:8787", "http://127.0.0.1:8787"]) {
      const response = await call(`${base}/api`, { headers: tokenHeader(key) }, options);
      expect(response.status).toBe(500);
      expect(((await response.json()) as { detail: string }).detail).toContain("GATEWAY_SIGNING_KEY must be set");
      expect(await (await call(`${base}/.well-known/jwks.json`, {}, options)).json()).toEqual({ keys: [] });
    }
    expect(await origin.calls()).toHaveLength(0);
  });

  it("drops identity headers the client sent and hop-by-hop headers", async () => {
    const { origin, options } = gateway();
    const { key } = await register();
    await call(
      "/api",
      {
        headers: {
          ...tokenHeader(key),
          "x-auth-user-id": "1",
          "X-Auth-Role": "admin",
          connection: "x-private",
          "x-private": "secret",
          "keep-alive": "timeout=5",
        },
      },
      options,
    );
    const [received] = await origin.calls();
    expect(received?.headers["x-auth-role"]).toBeUndefined();
    expect(received?.headers["x-auth-user-id"]).not.toBe("1");
    expect(received?.headers["x-private"]).toBeUndefined();
    expect(received?.headers["keep-alive"]).toBeUndefined();
  });

  it("drops every header whose name holds an underscore, on authenticated and public paths", async () => {
    // CGI-style stacks (Django's WSGI environ, PHP, Rack) read `X_Auth_User_Id` as HTTP_X_AUTH_USER_ID, the very
    // name of the gateway's own header.
    const { origin, options } = gateway({ PUBLIC_PATHS: "/public/*" });
    const { key, pk } = await register();
    const spoofed = {
      X_Auth_User_Id: "1",
      x_auth_username: "root",
      "X-Auth_Session-Id": "forged",
      X_Forwarded_For: "10.0.0.1",
      X_Forwarded_Host: "evil.example",
      "x-trace_id": "t-1",
      "x-request-id": "r-1",
    };
    for (const [path, headers] of [
      ["/api", { ...tokenHeader(key), ...spoofed }],
      ["/public/page", spoofed],
    ] as const) {
      expect((await call(path, { headers }, options)).status).toBe(201);
    }
    const [authenticated, anonymous] = await origin.calls();
    for (const received of [authenticated, anonymous]) {
      expect(Object.keys(received?.headers ?? {}).filter((name) => name.includes("_"))).toEqual([]);
      expect(received?.headers["x-request-id"]).toBe("r-1");
    }
    expect(authenticated?.headers["x-auth-user-id"]).toBe(String(pk));
    expect(anonymous?.headers["x-auth-user-id"]).toBeUndefined();
  });

  it("passes other cookies on and keeps the auth cookie at the edge", async () => {
    const { origin, options } = gateway();
    const { key } = await register();
    await call("/api", { headers: { cookie: `theme=dark; auth_token=${key}; lang=en` } }, options);
    const [received] = await origin.calls();
    expect(received?.headers.cookie).toBe("theme=dark; lang=en");
  });

  it("applies the CSRF rule to cookie-authenticated unsafe requests before forwarding", async () => {
    const { origin, options } = gateway({ GATEWAY_SIGNING_KEY: undefined });
    const { key } = await register();
    const post = (headers: Record<string, string>) =>
      call(
        "https://auth.example.com/api/orders",
        { method: "POST", body: "{}", headers: { cookie: `auth_token=${key}`, ...headers } },
        options,
      );
    const forged = await post({ origin: "https://evil.example", "content-type": "text/plain" });
    expect(forged.status).toBe(403);
    expect(await origin.calls()).toHaveLength(0);
    expect((await post({})).status).toBe(403);
    vi.spyOn(console, "error").mockImplementation(() => {});
    // Passing CSRF, it still needs a signing key on a deployed host: the request stops at the edge either way.
    expect((await post({ origin: "https://auth.example.com" })).status).toBe(500);
  });
});

describe("PUBLIC_PATHS", () => {
  it("forwards matching paths without authentication, identity or token", async () => {
    const { origin, options } = gateway({ PUBLIC_PATHS: "/health, /public/*" });
    for (const path of ["/health", "/public/a/b.css"]) {
      const response = await call(
        path,
        { headers: { "x-auth-user-id": "1", authorization: "Token etk_whatever" } },
        options,
      );
      expect(response.status).toBe(201);
    }
    expect((await call("/healthz", {}, options)).status).toBe(401);
    const calls = await origin.calls();
    expect(calls.map((received) => received.path)).toEqual(["/health", "/public/a/b.css"]);
    for (const received of calls) {
      expect(Object.keys(received.headers).filter((name) => name.startsWith("x-auth-"))).toEqual([]);
      expect(received.headers.authorization).toBeUndefined();
    }
  });

  it("refuses malformed patterns", async () => {
    const response = await call("/x", {}, { env: { ORIGIN_URL: "http://127.0.0.1:9", PUBLIC_PATHS: "health" } });
    expect(response.status).toBe(500);
  });
});

describe("streaming", () => {
  it("streams a multi-megabyte upload and download", async () => {
    const { origin, options } = gateway();
    const { key } = await register();
    const size = 6 * 1024 * 1024;
    const upload = new Uint8Array(size).map((_, i) => i % 251);
    const response = await call("/api/upload", { method: "PUT", body: upload, headers: tokenHeader(key) }, options);
    expect(response.status).toBe(201);
    const [received] = await origin.calls();
    expect(received?.bodyLength).toBe(size);
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", upload));
    expect(received?.bodySha256).toBe(Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join(""));

    const download = await call(`/download/${size}`, { headers: tokenHeader(key) }, options);
    expect(download.status).toBe(200);
    expect((await download.arrayBuffer()).byteLength).toBe(size);
  });
});

describe("failures", () => {
  it("answers 502 when the origin cannot be reached", async () => {
    const { key } = await register();
    vi.spyOn(console, "error").mockImplementation(() => {});
    const response = await call(
      "/api",
      { headers: tokenHeader(key) },
      { env: { ORIGIN_URL: "http://127.0.0.1:9", ...SIGNING_KEY } },
    );
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ detail: "The origin could not be reached." });
  });

  it("answers 504 when the origin is slower than ORIGIN_TIMEOUT", async () => {
    const { options } = gateway({ ORIGIN_TIMEOUT: "1s" });
    const { key } = await register();
    const response = await call("/slow/report", { headers: tokenHeader(key) }, options);
    expect(response.status).toBe(504);
    expect(await response.json()).toEqual({ detail: "The origin did not answer in time." });
  });

  it("answers 503 when the token store is down, and never forwards", async () => {
    const { origin, options } = gateway();
    const { key } = await register();
    vi.spyOn(console, "error").mockImplementation(() => {});
    const response = await call(
      "/api",
      { headers: tokenHeader(key) },
      { env: { ...options.env, DB: brokenD1("throwing") } },
    );
    expect(response.status).toBe(503);
    expect(await origin.calls()).toHaveLength(0);
  });

  it("answers 503 when the token store stalls past its deadline, and never forwards", async () => {
    const { origin, options } = gateway();
    const { key } = await register();
    vi.spyOn(console, "error").mockImplementation(() => {});
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const pending = call("/api", { headers: tokenHeader(key) }, { env: { ...options.env, DB: brokenD1("hanging") } });
    await vi.advanceTimersByTimeAsync(STORE_TIMEOUT_MS);
    expect((await pending).status).toBe(503);
    vi.useRealTimers();
    expect(await origin.calls()).toHaveLength(0);
  });
});

describe("a Worker origin through the ORIGIN service binding", () => {
  it("is called instead of the network and passes WebSocket upgrades through after authentication", async () => {
    const seen: Request[] = [];
    const ORIGIN = {
      fetch: async (request: Request) => {
        seen.push(request);
        if (request.headers.get("upgrade") === "websocket") {
          const pair = new WebSocketPair();
          pair[1].accept();
          pair[1].addEventListener("message", (event) => pair[1].send(`echo:${event.data}`));
          return new Response(null, { status: 101, webSocket: pair[0] });
        }
        return new Response("from worker origin", { headers: { "x-from": "binding" } });
      },
    };
    const options = { env: { ORIGIN, ...SIGNING_KEY } };
    const { key } = await register();
    const plain = await call("/api", { headers: tokenHeader(key) }, options);
    expect(await plain.text()).toBe("from worker origin");
    expect(seen[0]?.headers.get("x-auth-assertion")).toBeTruthy();

    expect((await call("/socket", { headers: { upgrade: "websocket" } }, options)).status).toBe(401);
    const upgraded = await call("/socket", { headers: { ...tokenHeader(key), upgrade: "websocket" } }, options);
    expect(upgraded.status).toBe(101);
    const socket = upgraded.webSocket as WebSocket;
    socket.accept();
    const reply = new Promise<string>((resolve) =>
      socket.addEventListener("message", (event) => resolve(String(event.data))),
    );
    socket.send("hi");
    expect(await reply).toBe("echo:hi");
    socket.close();
  });
});

describe("WebSocket upgrades and the CSRF rule", () => {
  /** A Worker origin that accepts every upgrade and records what it was sent. */
  function socketOrigin() {
    const seen: Request[] = [];
    const ORIGIN = {
      fetch: async (request: Request) => {
        seen.push(request);
        const pair = new WebSocketPair();
        pair[1].accept();
        return new Response(null, { status: 101, webSocket: pair[0] });
      },
    };
    return { seen, options: { env: { ORIGIN, ALLOWED_ORIGINS: "https://app.example.com", ...SIGNING_KEY } } };
  }

  const upgrade = (credential: Record<string, string>, extra: Record<string, string> = {}) => ({
    headers: { upgrade: "websocket", connection: "Upgrade", ...credential, ...extra },
  });

  it("refuses a cookie-authenticated upgrade from a foreign or missing Origin, and forwards nothing", async () => {
    const { seen, options } = socketOrigin();
    const { key } = await register();
    const cookie = { cookie: `auth_token=${key}` };
    const forged = await call("/socket", upgrade(cookie, { origin: "https://evil.example" }), options);
    expect(forged.status).toBe(403);
    expect(await forged.json()).toEqual({
      detail: "CSRF Failed: Origin checking failed - https://evil.example does not match any trusted origins.",
    });
    const shouting = await call("/socket", upgrade(cookie, { upgrade: "WebSocket", origin: "null" }), options);
    expect(shouting.status).toBe(403);
    const bare = await call("/socket", upgrade(cookie), options);
    expect(bare.status).toBe(403);
    expect(((await bare.json()) as { detail: string }).detail).toMatch(/^CSRF Failed:/);
    expect(seen).toHaveLength(0);
  });

  it("forwards a cookie-authenticated upgrade from the service's own or an allowed origin, with identity", async () => {
    const { seen, options } = socketOrigin();
    const { key, pk } = await register();
    const cookie = { cookie: `auth_token=${key}` };
    for (const origin of ["https://auth.example.com", "https://app.example.com"]) {
      const response = await call("/socket", upgrade(cookie, { origin }), options);
      expect(response.status, origin).toBe(101);
      response.webSocket?.accept();
      response.webSocket?.close();
    }
    expect(seen.map((request) => request.headers.get("x-auth-user-id"))).toEqual([String(pk), String(pk)]);
  });

  it("does not apply the rule to a header-authenticated upgrade", async () => {
    const { seen, options } = socketOrigin();
    const { key } = await register();
    const response = await call("/socket", upgrade(tokenHeader(key), { origin: "https://evil.example" }), options);
    expect(response.status).toBe(101);
    response.webSocket?.accept();
    response.webSocket?.close();
    expect(seen).toHaveLength(1);
  });
});

describe("CORS for ALLOWED_ORIGINS", () => {
  const allowed = "https://app.example.com";

  it("answers preflights at the edge, for service and gateway paths", async () => {
    const { origin, options } = gateway({ ALLOWED_ORIGINS: allowed });
    for (const path of ["/auth/login/", "/api/items"]) {
      const response = await call(
        path,
        {
          method: "OPTIONS",
          headers: {
            origin: allowed,
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type",
          },
        },
        options,
      );
      expect(response.status).toBe(204);
      expect(response.headers.get("access-control-allow-origin")).toBe(allowed);
      expect(response.headers.get("access-control-allow-credentials")).toBe("true");
      expect(response.headers.get("access-control-allow-headers")).toBe("content-type");
    }
    expect(await origin.calls()).toHaveLength(0);
  });

  it("decorates responses for allowed origins only", async () => {
    const options = { env: { ALLOWED_ORIGINS: allowed } };
    const ok = await call("/auth/user/", { headers: { origin: allowed } }, options);
    expect(ok.headers.get("access-control-allow-origin")).toBe(allowed);
    expect(ok.headers.get("vary")).toContain("Origin");
    const other = await call("/auth/user/", { headers: { origin: "https://evil.example" } }, options);
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    const preflight = await call(
      "/auth/user/",
      { method: "OPTIONS", headers: { origin: "https://evil.example", "access-control-request-method": "GET" } },
      options,
    );
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("keeps DRF's OPTIONS answer for requests that are not preflights", async () => {
    const response = await call("/auth/login/", { method: "OPTIONS" }, { env: { ALLOWED_ORIGINS: allowed } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ name: "Login" });
  });
});
