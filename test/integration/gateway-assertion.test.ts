import { decode } from "hono/jwt";
import { describe, expect, it } from "vitest";
import { DEVELOPMENT_KEY } from "../../src/gateway/signing-key";
import { call, json, login, originBucket, register, T0, TestClock, tokenHeader } from "../helpers";

/** A key configured as the secret, as deployed (tests speak to SERVICE_ORIGIN in production mode). */
const GATEWAY_SIGNING_KEY = JSON.stringify(DEVELOPMENT_KEY.privateJwk);

/** Sends an authenticated request through the gateway and returns the assertion the origin received. */
async function forwardedAssertion(key: string, clock: TestClock, origin = originBucket()): Promise<string> {
  const response = await call(
    "/api/items",
    { headers: tokenHeader(key) },
    { clock, env: { ORIGIN_URL: origin.url, GATEWAY_SIGNING_KEY } },
  );
  expect(response.status).toBe(201);
  const calls = await origin.calls();
  return calls.at(-1)?.headers["x-auth-assertion"] as string;
}

describe("X-Auth-Assertion reuse", () => {
  it("forwards the same assertion for a session while at least two thirds of its lifetime is left", async () => {
    const clock = new TestClock(T0);
    const { key } = await register({ clock });
    const first = await forwardedAssertion(key, clock);
    clock.advance(20_000);
    expect(await forwardedAssertion(key, clock)).toBe(first);
    clock.advance(1);
    const renewed = await forwardedAssertion(key, clock);
    expect(renewed).not.toBe(first);
    expect(decode(renewed).payload).toMatchObject({ iat: T0 / 1000 + 20, exp: T0 / 1000 + 80 });
  });

  it("never gives one session's assertion to another, even of the same user", async () => {
    const clock = new TestClock(T0);
    const { key, username } = await register({ clock });
    const other = await login(username, { clock });
    const mine = decode(await forwardedAssertion(key, clock)).payload;
    const theirs = decode(await forwardedAssertion(other, clock)).payload;
    expect(mine.sid).not.toBe(theirs.sid);
  });

  it("signs afresh once the user's details change", async () => {
    const clock = new TestClock(T0);
    const { key, username } = await register({ clock });
    await forwardedAssertion(key, clock);
    const renamed = `${username}_x`;
    await call("/auth/user/", json("PATCH", { username: renamed }, tokenHeader(key)), { clock });
    expect(decode(await forwardedAssertion(key, clock)).payload).toMatchObject({ username: renamed });
  });
});
