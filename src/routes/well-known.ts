/** `/.well-known/jwks.json`: the public keys origins verify `X-Auth-Assertion` with. */
import { Hono } from "hono";
import type { AppEnv } from "../context";
import { DEVELOPMENT_KEY } from "../gateway/signing-key";
import { isLocalRequest } from "../http/local";

/** Origins may cache the key set briefly; a rotation keeps the previous key published longer than this. */
const JWKS_MAX_AGE_SECONDS = 300;

export const wellKnownRoutes = new Hono<AppEnv>();

wellKnownRoutes.get("/jwks.json", (c) => {
  const { current, previous } = c.get("config").gatewayKeys;
  const signing = current ?? (isLocalRequest(c) ? DEVELOPMENT_KEY : null);
  const keys = [signing, previous].filter((key) => key !== null).map((key) => key.publicJwk);
  return c.json({ keys }, 200, { "Cache-Control": `public, max-age=${JWKS_MAX_AGE_SECONDS}` });
});
