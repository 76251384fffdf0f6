/** `/.well-known/jwks.json`: the public keys origins verify `X-Auth-Assertion` with. */
import { Hono } from "hono";
import type { AppEnv } from "../context";
import { activeSigningKey } from "../gateway/signing-key";

/** Origins may cache the key set briefly; a rotation keeps the previous key published longer than this. */
const JWKS_MAX_AGE_SECONDS = 300;

export const wellKnownRoutes = new Hono<AppEnv>();

wellKnownRoutes.get("/jwks.json", (c) => {
  const { development, gatewayKeys } = c.get("config");
  const signing = activeSigningKey(gatewayKeys.current, development);
  const keys = [signing, gatewayKeys.previous].filter((key) => key !== null).map((key) => key.publicJwk);
  return c.json({ keys }, 200, { "Cache-Control": `public, max-age=${JWKS_MAX_AGE_SECONDS}` });
});
