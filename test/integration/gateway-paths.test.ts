/**
 * Path confusion at the gateway: a path the gateway reads one way and an origin another (an encoded slash the
 * origin decodes before routing, a `..;` segment Java servers read as `..`) must never carry an anonymous
 * caller from a public prefix to a private path. Asserted against the real HTTP origin, on the raw
 * request-target it receives.
 */
import { describe, expect, it } from "vitest";
import { call, originBucket, register, tokenHeader } from "../helpers";

const SERVICE = "https://auth.example.com";
const AMBIGUOUS = {
  detail: "Ambiguous path: encoded slashes, backslashes and dots, and dot segments, are not accepted.",
};

function publicGateway() {
  const origin = originBucket();
  return { origin, options: { env: { ORIGIN_URL: origin.url, PUBLIC_PATHS: "/health,/public/*" } } };
}

describe("a path the origin could read differently", () => {
  const refused = [
    "/public/..%2fprivate",
    "/public/..%2Fprivate",
    "/public/..%2fprivate/secret.txt",
    "/public/..%5cprivate",
    "/public/..%5Cprivate",
    "/public/%2e%2e%2fprivate",
    "/public/%2E%2E%2Fprivate",
    "/public/.%2e%2fprivate",
    "/public/..%252fprivate",
    "/public/..%252Fprivate",
    "/public/%252e%252e/private",
    "/public/%252E%252E%252Fprivate",
    "/public/..%25252fprivate",
    "/public/..;/private",
    "/public/..;jsessionid=1/private",
    "/public/.;/private",
    "/public/..%3b/private",
    "/public/%2e%2e;/private",
    "/public//..%2fprivate",
    "/public/a%2Fb",
    "/public/readme%2etxt",
    "/health%2f..%2fprivate",
  ];

  it.each(refused)("refuses %s with 400 before authentication, and forwards nothing", async (path) => {
    const { origin, options } = publicGateway();
    const response = await call(`${SERVICE}${path}`, {}, options);
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(await response.json()).toEqual(AMBIGUOUS);
    expect(await origin.calls()).toEqual([]);
  });

  it("refuses such a path with a valid token too", async () => {
    const { origin, options } = publicGateway();
    const { key } = await register();
    for (const path of ["/api/..%2fadmin", "/api/..;/admin", "/api/%252e%252e/admin"]) {
      const response = await call(`${SERVICE}${path}`, { headers: tokenHeader(key) }, options);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual(AMBIGUOUS);
    }
    expect(await origin.calls()).toEqual([]);
  });

  it("lets the URL parser resolve plain dot segments first, then authenticates what is left", async () => {
    const { origin, options } = publicGateway();
    // The Workers URL parser removes `.`/`..` segments, `%2e` spellings of them included, and reads `\` as `/`
    // before the gateway sees the path: these arrive as /private or //private, which are not public.
    for (const path of [
      "/public/../private",
      "/public/%2e%2e/private",
      "/public/%2E./private",
      "/public/.%2E/private",
      "/public/..\\private",
      "/public/%2e%2e\\private",
      "//public/../private",
      "/public/./../private",
    ]) {
      const response = await call(`${SERVICE}${path}`, {}, options);
      expect(response.status, path).toBe(401);
    }
    expect(await origin.calls()).toEqual([]);
  });

  it("forwards unambiguous public paths exactly as they were matched", async () => {
    const { origin, options } = publicGateway();
    for (const path of [
      "/public/./x.css",
      "/public/a/../b.css",
      "/public//x.css",
      "/public/caf%C3%A9.png",
      "/health",
    ]) {
      expect((await call(`${SERVICE}${path}`, {}, options)).status, path).toBe(201);
    }
    const received = await origin.calls();
    expect(received.map((call) => call.rawPath)).toEqual([
      "/public/x.css",
      "/public/b.css",
      "/public//x.css",
      "/public/caf%C3%A9.png",
      "/health",
    ]);
    for (const call of received) expect(call.headers["x-auth-user-id"]).toBeUndefined();
  });

  it("lets no identity-less request reach the origin outside the public paths, whatever the spelling", async () => {
    const { origin, options } = publicGateway();
    const spellings = ["..%2f", "..%2F", "..%5c", "..%5C", "%2e%2e/", "%2E%2E/", "..%252f", "%252e%252e/", "..;/"];
    const paths = spellings.flatMap((spelling) => [
      `/public/${spelling}private`,
      `/public/x/${spelling}${spelling}private`,
      `/public/.%2F${spelling}private`,
      `/public//${spelling}private`,
    ]);
    for (const path of paths) await call(`${SERVICE}${path}`, {}, options);
    // Some spellings resolve to a path still under /public/ (`/public/.%2F/%2e%2e/private` is /public/private):
    // those may be forwarded, but only as a plain public path with nothing left for the origin to decode.
    for (const received of await origin.calls()) {
      expect(received.rawPath).toMatch(/^\/public\/[\w-]+(?:\.[\w-]+)*$/);
      expect(received.headers["x-auth-user-id"]).toBeUndefined();
    }
  });
});
