/**
 * The account page (`/account`, `/account/reset-password`, `/account/verify-email`): one static HTML
 * document that routes on its own address, so the links put in reset and verification mail open it too.
 */
import { Hono } from "hono";
import { ACCOUNT_PAGE_HEADERS, ACCOUNT_PAGE_HTML } from "../account/page";
import type { AppEnv } from "../context";

export const accountRoutes = new Hono<AppEnv>();

for (const path of ["/", "/reset-password", "/verify-email"]) {
  accountRoutes.get(path, (c) => c.body(ACCOUNT_PAGE_HTML, 200, ACCOUNT_PAGE_HEADERS));
}
